#!/usr/bin/env bash
# User-space instructions of one UDP round trip over [::1] with control
# data, counted by callgrind: write_to with a traffic class and hop limit,
# read_from with TRAFFIC_CLASS | HOP_LIMIT | DST | INTERFACE, against the
# same system calls written in C style (sendmsg/recvmsg with the CMSG_*
# macros). Each row runs alone through the release bench binary for
# N and 3N round trips; (I(3N) - I(N)) / 2N is one round trip, set-up and
# exit cancelled out. The kernel's work is not counted: callgrind sees
# user space only. Then the same difference per function (self cost,
# callgrind_annotate), the largest first.
#
# Usage: bash tests/benches/udp_loopback/callgrind.sh [N] [functions]
#   N defaults to 1000; functions (default 12) per row in the breakdown.
#   FEATURES="--no-default-features" measures pure rustix (no control data).
# Needs valgrind (apt-get install valgrind). Linux only.
set -euo pipefail
cd "$(dirname "$0")/../../.."
n="${1:-1000}"
top="${2:-12}"

# shellcheck disable=SC2086 # FEATURES is a list of flags
bin="$(cargo bench -p ipv6-tests --bench udp_loopback ${FEATURES:-} --no-run 2>&1 |
  sed -n 's/.*Executable benches\/udp_loopback\/main.rs (\(.*\))/\1/p' | tail -n 1)"
[ -x "$bin" ] || { echo "cannot find the udp_loopback bench binary" >&2; exit 1; }
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT

# Runs row $1 for $2 round trips; the profile goes to $out/$1.$2.
profile() {
  UDP_LOOPBACK_ROW="$1" UDP_LOOPBACK_OPS="$2" valgrind --tool=callgrind \
    --callgrind-out-file="$out/$1.$2" "$bin" >"$out/stdout" 2>"$out/log" ||
    { cat "$out/log" >&2; exit 1; }
}

# Self instructions per function: "count<TAB>function".
functions() {
  callgrind_annotate --inclusive=no --threshold=100 "$1" 2>/dev/null |
    sed -n 's/^ *\([0-9,]*\) ([ 0-9.]*%) *[^:]*:\(.*\) \[.*\]$/\1\t\2/p' | tr -d ,
}

declare -A total
for row in c libc rustix; do
  profile "$row" "$n"
  if grep -q unsupported "$out/stdout"; then
    echo "$row: $(cat "$out/stdout")"
    continue
  fi
  profile "$row" $((3 * n))
  once="$(sed -n 's/^summary: //p' "$out/$row.$n")"
  thrice="$(sed -n 's/^summary: //p' "$out/$row.$((3 * n))")"
  total[$row]=$(( (thrice - once) / (2 * n) ))
  echo "== $row: ${total[$row]} instructions per round trip"
  join -t $'\t' -1 2 -2 2 -a 2 -e 0 -o 0,1.1,2.1 \
    <(functions "$out/$row.$n" | sort -t $'\t' -k2,2) \
    <(functions "$out/$row.$((3 * n))" | sort -t $'\t' -k2,2) |
    awk -F'\t' -v n="$n" '{ d = ($3 - $2) / (2 * n); if (d >= 1) printf "%8.0f  %s\n", d, $1 }' |
    sort -rn | head -n "$top"
done
echo
for row in libc rustix; do
  [ -n "${total[$row]:-}" ] && [ -n "${total[c]:-}" ] &&
    awk -v r="$row" -v a="${total[$row]}" -v c="${total[c]}" \
      'BEGIN { printf "PacketConn (%s) / C loop: %d / %d = %.2fx\n", r, a, c, a / c }'
done
