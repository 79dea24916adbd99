#!/usr/bin/env bash
# Small calls (issue 23 item 2), all three ways in, on the benchmark sample
# (bench/corpus.sh: sil7.tar) or FILE:
#   1. bench/small_calls_bench   the C++ fronts, Decode()/CompressInto() at
#                                threads 1 vs 2, and what PlanThreads and an
#                                arena cost (Google Benchmark)
#   2. bench/small_calls_c       the C API's one-shot calls, threads=1 vs 2
#                                vs liblzma's own one-shot calls
#   3. bench/small_calls.py      parxz.lzma.decompress/compress per call,
#                                threads=None vs 2 vs the standard module,
#                                and the numcodecs LZMA chunk loop, stock vs
#                                parxz.lzma.install(threads=2)
# The bars: threads=2 within 1.10x of threads=None (1) per call for 4 KiB,
# 64 KiB and 1 MiB; the numcodecs loop under install(threads=2) never slower
# than stock.
#
# Usage: bench/small_calls.sh [ROUNDS] [FILE]     (defaults: 7, the sample)
#   A smoke run: bench/small_calls.sh 1
# Needs a quiet machine for figures that count (the load average is printed).
set -euo pipefail
top="$(cd "$(dirname "$0")/.." && pwd)"
rounds="${1:-7}"
cd "$top"
file="${2:-$(bench/corpus.sh)}"
seconds=0.3
total=$((8 << 20))
if [[ "$rounds" -le 1 ]]; then  # smoke: short cases, a smaller loop
  seconds=0.05
  total=$((1 << 20))
fi
bazel build -c opt //bench:small_calls_bench //bench:small_calls_c //python:parxz >&2
bin="$(bazel info -c opt bazel-bin 2>/dev/null)"
echo "== load average: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) CPUs"
echo "== 1. C++ fronts (bench/small_calls_bench)"
"$bin/bench/small_calls_bench" --corpus="$file" --max_mb=2 \
  --benchmark_min_time="$seconds" --benchmark_repetitions="$rounds" \
  --benchmark_report_aggregates_only=true 2>&1 | grep -v '^\*\*\*'
echo "== 2. C API one-shot (bench/small_calls_c)"
"$bin/bench/small_calls_c" "$file" "$rounds" "$seconds"
echo "== 3. Python (bench/small_calls.py)"
/usr/bin/python3 bench/small_calls.py --file "$file" --rounds "$rounds" \
  --seconds "$seconds" --total "$total"
