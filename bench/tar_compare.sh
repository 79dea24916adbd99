#!/usr/bin/env bash
# Side by side, in one run (issue 22): tar members out of the archive of
# bench/tar_corpus.sh (64 members of 16 MiB, `xz -T2 --block-size=1MiB`):
#   extract the last member:  parxz --tar-extract=LAST | tar x
#                        vs.  xz -dc -T THREADS | tar x LAST
#   list the members:         parxz --tar-list -v      vs.  tar tvJf
# Both pairs are first checked to agree (the extracted member byte for byte,
# the listings line for line). Rounds are interleaved (every command once per
# round) so that load from other processes spreads over all of them; the
# table gives each command's median, min and max wall time and the ratio of
# the medians (the issue's bars: extraction >= 20x, listing >= 10x).
#
# Usage: bench/tar_compare.sh [RUNS] [THREADS]          (defaults: 5, 2)
#   MEMBERS=4 MEMBER_MIB=2 bench/tar_compare.sh 1        # smoke run
set -euo pipefail
top="$(cd "$(dirname "$0")/.." && pwd)"
runs="${1:-5}"
threads="${2:-2}"
work="${TMPDIR:-/tmp}/parxz-tar-compare"
bin="$work/bin"
mkdir -p "$work"
# shellcheck source=bench/compare_lib.sh
. "$top/bench/compare_lib.sh"
for tool in xz tar python3; do
  command -v "$tool" >/dev/null || { echo "tar_compare: $tool is missing" >&2; exit 1; }
done

build_parxz "$top"
archive="$("$top/bench/tar_corpus.sh")"
members="${MEMBERS:-64}"
last="$(printf 'm%02d' $((members - 1)))"

# One command line per contender; OUT is emptied before each run.
out="$work/out"
declare -A line=(
  [parxz-extract]="'$bin/parxz' -T$threads --tar-extract=$last '$archive' | tar x -C '$out'"
  [xz-extract]="xz -dc -T$threads '$archive' | tar x -C '$out' $last"
  [parxz-list]="'$bin/parxz' -T$threads --tar-list -v '$archive'"
  [tar-list]="tar tvJf '$archive'"
)
order=(parxz-extract xz-extract parxz-list tar-list)

# Agreement first.
rm -rf "$out" "$work/ref" && mkdir -p "$out" "$work/ref"
bash -c "${line[parxz-extract]}"
xz -dc "$archive" | tar x -C "$work/ref" "$last"
same_bytes "$out/$last" "$work/ref/$last"
cmp -s <(bash -c "${line[parxz-list]}" | tr -s ' ') \
  <(tar tvJf "$archive" | tr -s ' ') ||
  { echo "MISMATCH: parxz --tar-list -v differs from tar tvJf" >&2; exit 1; }

declare -A times
for ((r = 1; r <= runs; r++)); do
  for name in "${order[@]}"; do
    rm -rf "$out" && mkdir -p "$out"
    read -r us _ < <(timed /dev/null /dev/null bash -c "${line[$name]}")
    times[$name]+="$us "
  done
done

stat_of() {  # median min max, in ms
  local v
  v="$(tr ' ' '\n' <<<"${times[$1]}" | grep -v '^$')"
  echo "$(median <<<"$v") $(sort -n <<<"$v" | head -n 1) $(sort -n <<<"$v" | tail -n 1)" |
    awk '{printf "%.1f %.1f %.1f", $1 / 1000, $2 / 1000, $3 / 1000}'
}
echo "## tar members: $(basename "$archive"), $runs rounds, -T$threads"
echo
machine_info
echo "- Load average before the table: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| command | median ms | min ms | max ms |"
echo "| --- | ---: | ---: | ---: |"
for name in "${order[@]}"; do
  read -r med lo hi <<<"$(stat_of "$name")"
  echo "| \`${line[$name]//$work/\$work}\` | $med | $lo | $hi |"
done
ratio() { awk -v a="$(stat_of "$1" | cut -d' ' -f1)" -v b="$(stat_of "$2" | cut -d' ' -f1)" \
  'BEGIN {printf "%.1f", b / a}'; }
echo
echo "- Extracting $last: parxz is $(ratio parxz-extract xz-extract)x faster than xz -dc | tar x (bar: 20x)"
echo "- Listing: parxz is $(ratio parxz-list tar-list)x faster than tar tvJf (bar: 10x)"
echo "- Load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
