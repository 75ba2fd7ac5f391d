//! The crate documentation names its example programs by hand (`src/lib.rs`,
//! "Runnable programs … are in `examples/` (…)"): this keeps that list and
//! the `examples/` directory in step.

use std::path::Path;

/// The backquoted names in the parenthesis after "`examples/`" in the crate
/// documentation.
fn documented_examples() -> Vec<String> {
    let lib = include_str!("../src/lib.rs");
    let after = lib
        .split_once("in `examples/`")
        .expect("lib.rs names `examples/`")
        .1;
    let list = after
        .split_once('(')
        .and_then(|(_, rest)| rest.split_once(')'))
        .expect("a parenthesised list after `examples/`")
        .0;
    list.split('`')
        .skip(1)
        .step_by(2)
        .map(str::to_owned)
        .collect()
}

#[test]
fn crate_documentation_lists_every_example() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    let mut programs: Vec<String> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == "rs"))
        .map(|path| path.file_stem().unwrap().to_str().unwrap().to_owned())
        .collect();
    programs.sort();
    let mut documented = documented_examples();
    documented.sort();
    assert_eq!(documented, programs, "src/lib.rs's list of examples");
}
