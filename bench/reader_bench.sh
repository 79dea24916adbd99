#!/usr/bin/env bash
# The C reader (capi/parxz_reader.h, issue 22): READS random 1 MiB ranges of
# one .xz file read through one parxz_reader, three ways:
#   1 caller,  threads=1   the baseline
#   2 callers, threads=1   two threads calling parxz_reader_pread at once
#                          (an OpenMP loop over slabs), each read on its caller
#   1 caller,  threads=2   the reader's own 2 threads decode a read's Blocks
# Goal (issue 22): 2 threads >= 1.8x one thread. Each run's peak RSS
# (/usr/bin/time -v) is printed next to the bound documented in
# parxz_reader.h / random_access.h:
#   RSS(open only) + (cache_blocks + 2 C) x (U + K + D) + W x (K + D)
#   + C x LEN (the callers' own buffers)
# with C callers, W = C (threads=1) or C + threads - 1, and U, K, D the largest
# Block's uncompressed and compressed sizes and the decoder memory from
# `xz --robot -lvv`.
#
# Usage: bench/reader_bench.sh [RUNS] [FILE.xz]    (defaults: 3, the 1 GiB
#   tar of bench/tar_corpus.sh, xz -T2 --block-size=1MiB)
#   READS (200), LEN (1048576), CACHE (2) from the environment.
# Smoke run:
#   MEMBERS=4 MEMBER_MIB=2 READS=20 bench/reader_bench.sh 1 \
#     "$(MEMBERS=4 MEMBER_MIB=2 bench/tar_corpus.sh)"
# Rounds interleave the three ways so that load from other processes spreads
# over all of them; medians are reported.
set -euo pipefail
top="$(cd "$(dirname "$0")/.." && pwd)"
runs="${1:-3}"
reads="${READS:-200}"
len="${LEN:-1048576}"
cache="${CACHE:-2}"
work="${TMPDIR:-/tmp}/parxz-reader-bench"
mkdir -p "$work"
for tool in xz /usr/bin/time; do
  command -v "$tool" >/dev/null || { echo "reader_bench: $tool is missing" >&2; exit 1; }
done
xzfile="${2:-$("$top/bench/tar_corpus.sh")}"

(cd "$top" && bazel build -c opt //bench:reader_bench >&2)
cp -f "$top/bazel-bin/bench/reader_bench" "$work/reader_bench.new"
mv -f "$work/reader_bench.new" "$work/reader_bench"
bench="$work/reader_bench"

# The largest Block (uncompressed, compressed) and the decoder memory.
read -r ublock cblock mem < <(xz --robot -lvv "$xzfile" | awk -F'\t' '
  $1 == "block" { if ($8 > u) u = $8; if ($7 > c) c = $7 }
  $1 == "summary" { m = $2 }
  END { print u + 0, c + 0, m + 0 }')
/usr/bin/time -v -o "$work/time.open" "$bench" "$xzfile" 1 1 0 "$len" "$cache" >/dev/null
base_kb=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$work/time.open")

ways=("1 1" "2 1" "1 2")
declare -A secs rss hashes bound
echo "file: $xzfile ($reads reads of $len bytes, cache $cache Blocks)"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
for ((r = 1; r <= runs; r++)); do
  for w in "${ways[@]}"; do
    read -r callers threads <<<"$w"
    key="$callers,$threads"
    line=$(/usr/bin/time -v -o "$work/time" "$bench" "$xzfile" "$callers" "$threads" "$reads" "$len" "$cache")
    read -r s n h <<<"$line"
    kb=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$work/time")
    secs[$key]+="$s "
    rss[$key]+="$kb "
    hashes[$key]="$n $h"
    wdec=$(( threads == 1 ? callers : callers + threads - 1 ))
    bound[$key]=$(( base_kb + ((cache + 2 * callers) * (ublock + cblock + mem) + wdec * (cblock + mem) + callers * len) / 1024 ))
    printf 'round %d callers=%d threads=%d: %s s, %s bytes, peak RSS %s KiB (bound %s KiB)\n' \
      "$r" "$callers" "$threads" "$s" "$n" "$kb" "${bound[$key]}"
  done
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
if [[ "${hashes[1,1]}" != "${hashes[2,1]}" || "${hashes[1,1]}" != "${hashes[1,2]}" ]]; then
  echo "reader_bench: the ways read different bytes" >&2
  exit 1
fi

median() { tr ' ' '\n' | sed '/^$/d' | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
m11=$(median <<<"${secs[1,1]}")
status=0
printf '\n%-22s %10s %10s %14s %14s\n' "way" "median s" "speedup" "peak RSS KiB" "bound KiB"
for w in "${ways[@]}"; do
  read -r callers threads <<<"$w"
  key="$callers,$threads"
  m=$(median <<<"${secs[$key]}")
  kb=$(median <<<"${rss[$key]}")
  sp=$(awk -v a="$m11" -v b="$m" 'BEGIN { printf "%.2fx", a / b }')
  printf '%-22s %10s %10s %14s %14s\n' "callers=$callers threads=$threads" "$m" "$sp" "$kb" "${bound[$key]}"
  if (( kb > ${bound[$key]} )); then
    echo "peak RSS above the documented bound (callers=$callers threads=$threads)" >&2
    status=1
  fi
done
exit $status
