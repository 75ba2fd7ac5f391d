#!/usr/bin/env bash
# Builds every fuzz target and runs each for a bounded time.
# Usage: bash fuzz/run-all.sh [seconds-per-target]
# A crash stops the run with a non-zero exit; libFuzzer prints the reproducer
# path (fuzz/artifacts/<target>/crash-*) and its bytes to the log.
set -euo pipefail
cd "$(dirname "$0")"
seconds="${1:-30}"

cargo +nightly fuzz build
for target in $(cargo +nightly fuzz list); do
  mkdir -p "corpus/$target"
  echo "--- $target: ${seconds}s"
  # Seeds are committed in seeds/<target>; the working corpus is not.
  log="$(mktemp)"
  if ! cargo +nightly fuzz run "$target" "corpus/$target" "seeds/$target" -- \
      -max_total_time="$seconds" -print_final_stats=1 >"$log" 2>&1; then
    tail -n 80 "$log"
    echo "fuzz target $target failed: reproducer above (fuzz/artifacts/$target/)"
    exit 1
  fi
  grep -E 'stat::number_of_executed_units|stat::peak_rss_mb' "$log" || tail -n 5 "$log"
  rm -f "$log"
done
