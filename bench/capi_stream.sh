#!/usr/bin/env bash
# The C API's streaming decompressor (parxz_decompressor_*) fed 64 KiB pieces
# whenever it asks for input, output taken 64 KiB per call, threads=1 against
# threads=2 (issue 16's target: >= 1.8x), on the benchmark sample (sil7.tar,
# bench/corpus.sh) compressed `xz -6 -T2 --block-size=4MiB`.
#
# Usage: bench/capi_stream.sh [RUNS] [FILE]     (defaults: 3, the sample)
#   FILE: any input to compress instead of the sample (a smoke run on a small
#   file: bench/capi_stream.sh 1 /some/small/file).
#
# Rounds are interleaved (threads=1, then threads=2, then two threads=1
# processes side by side, the machine's own capacity for two threads) so that
# load from other processes spreads over all. Prints each run, the medians and their ratio,
# and the peak RSS of each run (/usr/bin/time -v) next to the documented
# bound of the threaded decoder (parallel/decode/threaded_decompressor.h):
#   RSS(threads=1) + 2 x T x (decoder + Block + compressed Block)
#                  + T x decoder + one Block's compressed bytes + 2 pieces
# with T = 2 and the largest Block's sizes from `xz --robot -lvv` (the soft
# limit, a quarter of RAM, is far above that here).
set -euo pipefail
top="$(cd "$(dirname "$0")/.." && pwd)"
runs="${1:-3}"
work="${TMPDIR:-/tmp}/parxz-capi-stream"
mkdir -p "$work"
for tool in xz /usr/bin/time; do
  command -v "$tool" >/dev/null || { echo "capi_stream: $tool is missing" >&2; exit 1; }
done

src="${2:-$("$top/bench/corpus.sh")}"
xzfile="$work/$(basename "$src").6.b4m.xz"
if [[ ! -s "$xzfile" || "$xzfile" -ot "$src" ]]; then
  echo "compressing $src (xz -6 -T2 --block-size=4MiB) ..." >&2
  xz -6 -T2 --block-size=4MiB -c "$src" >"$xzfile.tmp"
  mv "$xzfile.tmp" "$xzfile"
fi

(cd "$top" && bazel build -c opt //bench:capi_stream >&2)
cp -f "$top/bazel-bin/bench/capi_stream" "$work/capi_stream.new"
mv -f "$work/capi_stream.new" "$work/capi_stream"
bench="$work/capi_stream"

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
declare -A secs rss sums
for ((r = 1; r <= runs; r++)); do
  for t in 1 2; do
    line=$(/usr/bin/time -v -o "$work/time.$t" "$bench" "$xzfile" "$t" 65536 65536)
    read -r s n sum <<<"$line"
    kb=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$work/time.$t")
    secs[$t]+="$s "
    rss[$t]+="$kb "
    sums[$t]="$n $sum"
    printf 'round %d threads=%d: %s s, %s bytes, peak RSS %s KiB\n' "$r" "$t" "$s" "$n" "$kb"
  done
  # What the machine gives two threads this round: two threads=1 runs side
  # by side, as processes (nothing shared). 2 x (one alone) / (the pair's
  # wall time) is the most any 2-thread decoder could gain here.
  start=$(date +%s.%N)
  "$bench" "$xzfile" 1 65536 65536 >/dev/null &
  "$bench" "$xzfile" 1 65536 65536 >/dev/null
  wait
  end=$(date +%s.%N)
  pair=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.3f", b - a }')
  secs[pair]+="$pair "
  printf 'round %d two threads=1 processes side by side: %s s\n' "$r" "$pair"
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
if [[ "${sums[1]}" != "${sums[2]}" ]]; then
  echo "capi_stream: outputs differ: ${sums[1]} vs ${sums[2]}" >&2
  exit 1
fi

median() { tr ' ' '\n' | sed '/^$/d' | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
m1=$(median <<<"${secs[1]}")
m2=$(median <<<"${secs[2]}")
r1=$(median <<<"${rss[1]}")
r2=$(median <<<"${rss[2]}")

# The largest Block (uncompressed, compressed) and the decoder memory from
# xz's own listing.
read -r ublock cblock mem < <(xz --robot -lvv "$xzfile" | awk -F'\t' '
  $1 == "block" { if ($8 > u) u = $8; if ($7 > c) c = $7 }
  $1 == "summary" { m = $2 }
  END { print u + 0, c + 0, m + 0 }')
bound_kb=$(( r1 + (2 * 2 * (mem + ublock + cblock) + 2 * mem + cblock + 2 * 65536) / 1024 ))

printf '\n%-10s %10s %14s\n' "threads" "median s" "peak RSS KiB"
printf '%-10s %10s %14s\n' 1 "$m1" "$r1"
printf '%-10s %10s %14s   (bound %s KiB)\n' 2 "$m2" "$r2" "$bound_kb"
mp=$(median <<<"${secs[pair]}")
awk -v a="$m1" -v b="$m2" -v p="$mp" 'BEGIN {
  printf "speedup threads=2 / threads=1: %.2fx\n", a / b
  printf "machine capacity for two threads (2 x threads=1 / the pair side by side, medians): %.2fx\n", 2 * a / p
  printf "speedup as a share of that capacity: %.0f%%\n", 100 * (a / b) / (2 * a / p) }'
if (( r2 > bound_kb )); then echo "peak RSS above the documented bound" >&2; exit 1; fi
