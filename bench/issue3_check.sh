#!/usr/bin/env bash
# The figures the parallel compressor's issue asks for, side by side in one
# run on one corpus (default: bench/corpus.sh's sil7.tar) with 2 threads:
#
#   1. wall time of `parxz -T2` against `xz -T2` and 7-Zip's
#      `7zz a -txz -mx=N -mmt=2` at -6 and at -0 (medians of $RUNS = 3 runs,
#      interleaved; the ratios are medians of each round's own ratio; want
#      parxz/xz <= 1.03), byte identity of parxz's and xz's
#      outputs (cmp), 7zz's output checked with `xz -t` and `xz -dc | cmp`,
#      peak RSS (/usr/bin/time %M);
#   2. compress_bench's push API fed 64 KiB at a time, -6, 4 MiB Blocks:
#      2 threads against 1 thread (the median of $PUSH_RUNS = 5 paired
#      ratios, each pair back to back; want >= 1.8x);
#   3. the machine's capacity for two compressions at once: `xz -6 -T1` on
#      16 MiB alone against two of them side by side (2 x alone / pair), the
#      most any 2-thread speed-up can reach on this machine.
#
#   bench/issue3_check.sh [CORPUS]     # ~10 min on 2 cores with sil7.tar
#
# Writes bench/results/issue3.md (OUT_DIR to change) and prints it.
set -euo pipefail
top="$(cd "$(dirname "$0")/.." && pwd)"
source "$top/bench/compare_lib.sh"

work="${WORK:-${TMPDIR:-/tmp}/parxz-issue3}"
bin="$work/bin"
runs="${RUNS:-3}"
threads="${THREADS:-2}"
out_dir="${OUT_DIR:-$top/bench/results}"
mkdir -p "$work" "$out_dir"

install_missing xz:xz-utils 7zz:7zip /usr/bin/time:time python3:python3 cmp:diffutils
build_parxz "$top"
(cd "$top" && bazel build -c opt //bench:compress_bench >&2)
cp -f "$top/bazel-bin/bench/compress_bench" "$bin/compress_bench"

corpus="${1:-$("$top/bench/corpus.sh")}"
in_bytes=$(stat -c %s "$corpus")
load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
started=$(date +%s)
report="$out_dir/issue3.md"
rows=()

for level in 6 0; do
  declare -A usec=() rss=()
  for tool in xz parxz 7zz; do  # one warm-up each (page cache, first-run costs)
    compress_cmd "$tool" "$level" "$threads"
    timed "$corpus" "$work/$tool.xz" "${cmd[@]}" >/dev/null
  done
  for ((r = 1; r <= runs; r++)); do
    order="xz parxz 7zz"
    ((r % 2 == 0)) && order="7zz parxz xz"  # alternate who goes first
    for tool in $order; do
      compress_cmd "$tool" "$level" "$threads"
      res=$(timed "$corpus" "$work/$tool.xz" "${cmd[@]}")
      read -r u m <<<"$res"
      usec[$tool]+="$u "
      rss[$tool]+="$m "
      echo "  -$level $tool run $r: $(echo "$u / 1000000" | bc -l | cut -c1-6) s, $((m / 1024)) MiB" >&2
    done
  done
  if cmp -s "$work/parxz.xz" "$work/xz.xz"; then same=identical; else same=DIFFERENT; fi
  xz -d -c "$work/parxz.xz" | cmp -s - "$corpus" || same="$same, ROUND TRIP FAILED"
  if xz -t "$work/7zz.xz" && xz -d -c "$work/7zz.xz" | cmp -s - "$corpus"; then
    same="$same; 7zz's .xz: xz -t and xz -dc ok"
  else
    same="$same; 7zz's FAILED xz -t or xz -dc"
  fi
  p_s=$(tr ' ' '\n' <<<"${usec[parxz]}" | grep . | median)
  x_s=$(tr ' ' '\n' <<<"${usec[xz]}" | grep . | median)
  p_m=$(tr ' ' '\n' <<<"${rss[parxz]}" | grep . | median)
  x_m=$(tr ' ' '\n' <<<"${rss[xz]}" | grep . | median)
  s_s=$(tr ' ' '\n' <<<"${usec[7zz]}" | grep . | median)
  s_m=$(tr ' ' '\n' <<<"${rss[7zz]}" | grep . | median)
  # The ratios: medians of the rounds' own ratios (the three tools of a round
  # run back to back, so a slow spell of the machine weighs on all three).
  read -r ratio ratio_7zz < <(python3 -c '
import statistics, sys
p, x, s = ([float(v) for v in a.split()] for a in sys.argv[1:4])
print(statistics.median(a / b for a, b in zip(p, x)),
      statistics.median(a / b for a, b in zip(p, s)))' \
    "${usec[parxz]}" "${usec[xz]}" "${usec[7zz]}")
  rows+=("$(printf '| -%s -T%s | %.2f | %.2f | %.2f | %.3f | %.3f | %s | %.0f | %.0f | %.0f |' \
    "$level" "$threads" "$(echo "$p_s / 1000000" | bc -l)" \
    "$(echo "$x_s / 1000000" | bc -l)" "$(echo "$s_s / 1000000" | bc -l)" \
    "$ratio" "$ratio_7zz" "$same" \
    "$(echo "$p_m / 1024" | bc -l)" "$(echo "$x_m / 1024" | bc -l)" \
    "$(echo "$s_m / 1024" | bc -l)")")
  unset usec rss
done

# Push API scaling, from compress_bench: $push_runs pairs of one run at 1
# thread and one at $threads, back to back (the order alternating), so that
# a slow spell of the machine slows both sides of a pair; the figure is the
# median of the paired ratios, next to the medians of each column.
push_runs="${PUSH_RUNS:-5}"
push_times=()
for ((r = 1; r <= push_runs; r++)); do
  order="1 $threads"
  ((r % 2 == 0)) && order="$threads 1"
  for n in $order; do
    json="$work/push.$r.$n.json"
    "$bin/compress_bench" --corpus="$corpus" --max_mb=0 \
      --benchmark_filter="BM_Parxz_Push/preset:6/block_MiB:4/threads:$n/" \
      --benchmark_out="$json" --benchmark_out_format=json >&2
    push_times+=("$r $n $(python3 -c 'import json, sys
b = [b for b in json.load(open(sys.argv[1]))["benchmarks"]
     if b.get("run_type") == "iteration"]
print(b[0]["real_time"] / 1000.0)' "$json")")  # ms -> s
  done
done
push_line=$(printf '%s\n' "${push_times[@]}" | python3 -c '
import statistics, sys
many = int(sys.argv[1])
t = {}
for line in sys.stdin:
    r, n, s = line.split()
    t.setdefault(int(r), {})[int(n)] = float(s)
ones = [p[1] for p in t.values()]
manys = [p[many] for p in t.values()]
paired = [p[1] / p[many] for p in t.values()]
print(f"| push API, -6, 4 MiB Blocks, 64 KiB pieces | "
      f"{statistics.median(ones):.2f} s ({len(ones)} runs) | "
      f"{statistics.median(manys):.2f} s ({len(manys)} runs) | "
      f"**{statistics.median(paired):.2f}x** (median of paired ratios "
      f"{min(paired):.2f}-{max(paired):.2f}) |")' "$threads")

# What the machine gives two compressions at once (the ceiling of any
# 2-thread speed-up here): `xz -6 -T1` on the corpus's first 16 MiB alone,
# then two of them side by side as processes, $runs rounds; capacity =
# 2 x alone / pair (medians). Two cores that share caches and memory
# bandwidth give less than 2.
slice="$work/capacity.in"
head -c $((16 << 20)) "$corpus" >"$slice"
alone=() pair=()
for ((r = 1; r <= runs; r++)); do
  t0=$(date +%s.%N)
  xz -6 -T1 -c "$slice" >/dev/null
  t1=$(date +%s.%N)
  xz -6 -T1 -c "$slice" >/dev/null &
  xz -6 -T1 -c "$slice" >/dev/null
  wait
  t2=$(date +%s.%N)
  alone+=("$(echo "$t1 - $t0" | bc)")
  pair+=("$(echo "$t2 - $t1" | bc)")
done
capacity_line=$(printf '%s\n' "${alone[*]}" "${pair[*]}" | python3 -c '
import statistics, sys
alone, pair = ([float(x) for x in line.split()] for line in sys.stdin)
a, p = statistics.median(alone), statistics.median(pair)
print(f"| machine capacity: xz -6 -T1 on 16 MiB alone vs two side by side | {a:.2f} s | {p:.2f} s (pair) | {2 * a / p:.2f}x |")')
rm -f "$slice"

finished=$(date +%s)
{
  echo "## Issue 3 figures"
  echo
  echo "- Command: \`bench/issue3_check.sh${1:+ $1}\`; corpus \`$(basename "$corpus")\`," \
    "$in_bytes bytes; $runs runs per figure (medians), $threads threads"
  machine_info
  echo "- Date: $(date -u '+%Y-%m-%d %H:%M UTC'); took $(((finished - started) / 60)) min;" \
    "load average before: $load_before, after: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo
  echo "| preset | parxz s | xz s | 7zz s | parxz / xz, median of rounds (want <= 1.03) | parxz / 7zz, median of rounds | outputs | parxz peak RSS MiB | xz peak RSS MiB | 7zz peak RSS MiB |"
  echo "|---|---:|---:|---:|---:|---:|---|---:|---:|---:|"
  printf '%s\n' "${rows[@]}"
  echo
  echo "| compress_bench | 1 thread | $threads threads | speed-up (want >= 1.8x) |"
  echo "|---|---:|---:|---:|"
  echo "$push_line"
  echo "$capacity_line"
} >"$report"
cat "$report"
