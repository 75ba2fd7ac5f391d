#!/usr/bin/env bash
# Instructions per parse of every row of the parsers benchmark, counted by
# callgrind: each row runs alone through the release bench binary, N times
# and 3N times, and (I(3N) - I(N)) / 2N is one parse with set-up, the
# kernel's datagrams and exit cancelled out. Prints each row's count, the
# count less the measuring loop's own (the `harness` row: a boxed call and
# black_box of input and result), and the ratio of the latter to the
# fastest peer of its section.
#
# Usage: bash tests/benches/parsers/callgrind.sh [N]   (N defaults to 20000)
# Needs valgrind (apt-get install valgrind). Linux only.
set -euo pipefail
cd "$(dirname "$0")/../../.."
n="${1:-20000}"

bin="$(cargo bench -p ipv6-tests --bench parsers --no-run 2>&1 |
  sed -n 's/.*Executable benches\/parsers\/main.rs (\(.*\))/\1/p' | tail -n 1)"
[ -x "$bin" ] || { echo "cannot find the parsers bench binary" >&2; exit 1; }
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT

# Total instructions of one run of row $1 with $2 iterations.
instructions() {
  PARSERS_ROW="$1" PARSERS_ITERS="$2" valgrind --tool=callgrind \
    --callgrind-out-file="$out/cg" "$bin" >/dev/null 2>"$out/log" ||
    { cat "$out/log" >&2; exit 1; }
  sed -n 's/^summary: \([0-9]*\).*/\1/p' "$out/cg"
}

echo "instructions per parse: (I(3N) - I(N)) / 2N, N = $n"
PARSERS_LIST=1 "$bin" | while IFS=$'\t' read -r id kind; do
  once="$(instructions "$id" "$n")"
  thrice="$(instructions "$id" $((3 * n)))"
  printf '%s\t%s\t%s.%s\n' "$id" "$kind" $(( (thrice - once) / (2 * n) )) \
    $(( (thrice - once) * 10 / (2 * n) % 10 ))
done | awk -F'\t' '
  { split($1, p, "/"); section[NR] = p[1]; name[NR] = p[2]; kind[NR] = $2; count[NR] = $3
    if (p[1] == "harness") harness = $3
    if ($2 == "peer" && (!(p[1] in best) || $3 < best[p[1]])) best[p[1]] = $3 }
  END {
    printf "  %-8s %-34s %12s %12s %14s\n", "section", "parser", "instr/parse", "net of loop", "/fastest peer"
    for (i = 1; i <= NR; i++) {
      ratio = (section[i] in best) ? sprintf("%.2f", (count[i] - harness) / (best[section[i]] - harness)) : "-"
      printf "  %-8s %-34s %12.1f %12.1f %14s\n", section[i], name[i], count[i], count[i] - harness, ratio
    }
  }'
