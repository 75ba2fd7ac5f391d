#!/usr/bin/env bash
# Line coverage that the committed corpus (seeds/<target>/) reaches in the
# core's parsers and encoders, over every fuzz target together.
#
# Each target is built with coverage instrumentation and replays its seeds
# (`cargo fuzz coverage`); `llvm-cov export` lists the lines each ran, and a
# line of a file in FILES counts as covered if any target ran it. Lines
# not compiled into the targets (unit tests, `#[cfg(test)]`) are not
# counted.
#
# Usage: bash fuzz/coverage.sh [--min PERCENT] [--show FILE]
#   --min PERCENT  exit non-zero if a file's line coverage is below PERCENT
#   --show FILE    also list the lines of FILE that no seed reaches
# Needs: rustup component add --toolchain nightly llvm-tools-preview
set -euo pipefail
cd "$(dirname "$0")"

# The files whose coverage is reported, under ../core/src. A new parser is
# one more entry here, with a fuzz target and seeds of its own.
FILES=(header.rs exthdr.rs cmsg.rs control.rs filter.rs sockaddr.rs option.rs errqueue.rs)

min=""
show=""
while [ $# -gt 0 ]; do
  case "$1" in
    --min) min="$2"; shift 2 ;;
    --show) show="$2"; shift 2 ;;
    *) echo "usage: $0 [--min PERCENT] [--show FILE]" >&2; exit 2 ;;
  esac
done

sysroot="$(rustc +nightly --print sysroot)"
bin="$sysroot/lib/rustlib/x86_64-unknown-linux-gnu/bin"
[ -x "$bin/llvm-cov" ] || {
  echo "llvm-cov missing: rustup component add --toolchain nightly llvm-tools-preview" >&2
  exit 1
}

lcov="coverage/all.lcov"
mkdir -p coverage
: >"$lcov"
for target in $(cargo +nightly fuzz list); do
  [ -d "seeds/$target" ] || { echo "no seeds/$target: skipped" >&2; continue; }
  # Replays only the committed seeds: the working corpus does not count.
  cargo +nightly fuzz coverage "$target" "seeds/$target" >/dev/null 2>&1 ||
    { echo "cargo fuzz coverage $target failed" >&2; exit 1; }
  # One target at a time: merging profiles of different binaries drops
  # functions whose instrumentation differs between them.
  "$bin/llvm-cov" export -format=lcov \
    "target/x86_64-unknown-linux-gnu/coverage/x86_64-unknown-linux-gnu/release/$target" \
    -instr-profile="coverage/$target/coverage.profdata" >>"$lcov" 2>/dev/null
done

# A line counts as covered if any target ran it.
echo "line coverage of the committed seeds (fuzz/seeds), all targets together:"
printf '  %-14s %7s %7s %8s\n' file lines missed covered
status=0
for f in "${FILES[@]}"; do
  read -r lines hit < <(awk -F'[:,]' -v want="core/src/$f" '
    /^SF:/ { keep = (substr($0, length($0) - length(want) + 1) == want) }
    keep && /^DA:/ { seen[$2] = 1; if ($3 > 0) ran[$2] = 1 }
    END { n = 0; h = 0; for (l in seen) { n++; if (l in ran) h++ }; print n, h }' "$lcov")
  cover="$(awk -v h="$hit" -v n="$lines" 'BEGIN { printf "%.1f%%", n ? 100 * h / n : 0 }')"
  printf '  %-14s %7s %7s %8s\n' "$f" "$lines" $((lines - hit)) "$cover"
  if [ -n "$min" ] && awk -v c="${cover%\%}" -v m="$min" 'BEGIN { exit !(c < m) }'; then
    status=1
  fi
done

if [ -n "$show" ]; then
  # Line numbers of $show that no target ran.
  echo "lines of $show no seed reaches:"
  awk -F'[:,]' -v want="core/src/$show" '
    /^SF:/ { keep = (substr($0, length($0) - length(want) + 1) == want) }
    keep && /^DA:/ { seen[$2] = 1; if ($3 > 0) ran[$2] = 1 }
    END { for (l in seen) if (!(l in ran)) print l }' "$lcov" | sort -n |
    while read -r l; do printf '%5d  %s\n' "$l" "$(sed -n "${l}p" "../core/src/$show")"; done
fi
[ "$status" = 0 ] || echo "a file is below ${min}% line coverage" >&2
exit "$status"
