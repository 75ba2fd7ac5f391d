//! The README's capability table is `capability_table()`'s output, byte for
//! byte, between its marker comments. The table depends on no feature, so
//! this holds in both builds.
//!
//! `IPV6_UPDATE_README=1 cargo test -p ipv6-backend-rustix --test readme`
//! rewrites the README's copy instead of failing.

use std::path::PathBuf;

use ipv6_backend_rustix::capability_table;

const BEGIN: &str = "<!-- capability-table:begin -->\n";
const END: &str = "<!-- capability-table:end -->";

fn readme_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../README.md")
}

/// The byte range between the markers (a blank line, the table, a blank
/// line), or why there is none.
fn section(readme: &str) -> Result<std::ops::Range<usize>, String> {
    let once = |marker: &str| match readme.matches(marker).count() {
        1 => Ok(readme.find(marker).unwrap()),
        n => Err(format!(
            "README.md has {n} `{}` markers, not one",
            marker.trim()
        )),
    };
    let start = once(BEGIN)? + BEGIN.len();
    let end = once(END)?;
    if end < start {
        return Err("README.md has the end marker before the begin marker".into());
    }
    Ok(start..end)
}

/// What the README holds between the markers.
fn expected() -> String {
    format!("\n{}\n", capability_table())
}

/// A line diff (longest common subsequence): `-` README, `+` generated.
fn diff(readme: &str, generated: &str) -> String {
    let (a, b): (Vec<&str>, Vec<&str>) = (readme.lines().collect(), generated.lines().collect());
    // lcs[i][j]: common lines of a[i..] and b[j..].
    let mut lcs = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            lcs[i][j] = if a[i] == b[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let (mut i, mut j, mut out) = (0, 0, String::new());
    while i < a.len() || j < b.len() {
        if i < a.len() && j < b.len() && a[i] == b[j] {
            (i, j) = (i + 1, j + 1);
        } else if j < b.len() && (i == a.len() || lcs[i][j + 1] >= lcs[i + 1][j]) {
            out += &format!("+ {}\n", b[j]);
            j += 1;
        } else {
            out += &format!("- {}\n", a[i]);
            i += 1;
        }
    }
    if out.is_empty() {
        // Same lines: the difference is in line endings or the final newline.
        out = format!("(whitespace only)\n- {readme:?}\n+ {generated:?}\n");
    }
    out
}

#[test]
fn readme_carries_the_generated_capability_table() {
    let path = readme_path();
    let readme =
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let range = section(&readme).unwrap_or_else(|why| panic!("{why}"));
    let (copy, generated) = (&readme[range.clone()], expected());
    if copy == generated {
        return;
    }
    if std::env::var_os("IPV6_UPDATE_README").is_some_and(|v| v == "1") {
        let mut updated = readme.clone();
        updated.replace_range(range, &generated);
        std::fs::write(&path, updated).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        return;
    }
    panic!(
        "README.md's capability table (between `{}` and `{END}`) differs from \
         ipv6_backend_rustix::capability_table() (- README, + generated):\n{}\n\
         Run `IPV6_UPDATE_README=1 cargo test -p ipv6-backend-rustix --test readme` to copy \
         the generated table into README.md.",
        BEGIN.trim(),
        diff(copy, &generated)
    );
}

#[test]
fn the_diff_names_each_changed_line() {
    let d = diff("a\nb\nc\n", "a\nB\nc\nd\n");
    assert_eq!(d, "+ B\n- b\n+ d\n");
    assert!(diff("a\n", "a").starts_with("(whitespace only)"));
}
