#!/usr/bin/env bash
# Side by side, in one run: parxz's parallel decoder against `xz -d -T N`,
# `pixz -d -p N`, 7-Zip's `7zz e -txz -mmt=N` and the sequential decoder
# (core's Decompressor), on the
# benchmark sample compressed like `xz -6 -T2 --block-size=4MiB`; then reading
# 1 MiB from the middle through the Index against decoding up to it.
#
# Usage: bench/decode_compare.sh [RUNS] [THREADS]      (defaults: 5, 2)
#        CORPUS=FILE bench/decode_compare.sh 1 2        (smoke run on FILE)
#
# Rounds are interleaved (every tool once per round) so that load from other
# processes spreads over all of them. The table gives each tool's median, min
# and max wall time, the median CPU seconds of all its threads (which load
# from other processes barely changes), and the ratios of the medians. Output
# goes to /dev/null; every tool's output is compared with the sample once
# first. Prints the load average before and after: on a shared machine, quote
# it with the numbers.
set -euo pipefail
top="$(cd "$(dirname "$0")/.." && pwd)"
runs="${1:-5}"
threads="${2:-2}"
work="${TMPDIR:-/tmp}/parxz-decode-compare"
mkdir -p "$work"

for tool in xz pixz 7zz python3; do
  command -v "$tool" >/dev/null || { echo "decode_compare: $tool is missing" >&2; exit 1; }
done

corpus="${CORPUS:-$("$top/bench/corpus.sh")}"
xzfile="$work/$(basename "$corpus").6.b4m.xz"
if [[ ! -s "$xzfile" || "$xzfile" -ot "$corpus" ]]; then
  echo "compressing $corpus (xz -6 -T2 --block-size=4MiB) ..." >&2
  xz -6 -T2 --block-size=4MiB -c "$corpus" >"$xzfile.tmp"
  mv "$xzfile.tmp" "$xzfile"
fi

# A private copy of the binary: rebuilds in the workspace cannot change it
# during the run.
(cd "$top" && bazel build -c opt //bench:decode_bench >&2)
cp -f "$top/bazel-bin/bench/decode_bench" "$work/decode_bench.new"
mv -f "$work/decode_bench.new" "$work/decode_bench"
bench="$work/decode_bench"

run_tool() {  # run_tool NAME: FILE -> stdout
  case "$1" in
    parxz) "$bench" --xz="$xzfile" --decompress --threads="$threads" ;;
    sequential) "$bench" --xz="$xzfile" --decompress --sequential ;;
    xz) xz -d -c -T"$threads" "$xzfile" ;;
    pixz) pixz -d -p "$threads" <"$xzfile" ;;
    7zz) 7zz e -an -txz -mmt="$threads" -si -so -bso0 -bsp0 <"$xzfile" ;;
  esac
}
tools=(parxz xz pixz 7zz sequential)

for t in "${tools[@]}"; do
  if ! run_tool "$t" | cmp -s - "$corpus"; then
    echo "decode_compare: $t did not reproduce $corpus" >&2
    exit 1
  fi
done

echo "file: $xzfile ($(stat -c %s "$xzfile") bytes, $(xz --robot -l "$xzfile" | awk '$1 == "file" { print $3 }') Blocks)"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)   cores: $(nproc)"
times="$work/times.tsv"
: >"$times"
export -f run_tool
export bench xzfile threads
for ((r = 1; r <= runs; r++)); do
  for t in "${tools[@]}"; do
    # Wall time in ns; CPU seconds (user + system, all threads) from time(1).
    start=$(date +%s%N)
    /usr/bin/time -f "%U\t%S" -o "$work/cpu.out" bash -c 'run_tool "$0" >/dev/null' "$t"
    end=$(date +%s%N)
    printf '%s\t%s\t%s\n' "$t" "$(((end - start) / 1000))" "$(tail -n 1 "$work/cpu.out")" >>"$times"
  done
done
echo "load average after:  $(cut -d' ' -f1-3 /proc/loadavg)"

python3 - "$times" "$threads" <<'EOF'
import statistics, sys
rows = [l.split("\t") for l in open(sys.argv[1]).read().split("\n") if l]
t, cpu = {}, {}
for name, wall_us, user, system in rows:
    t.setdefault(name, []).append(int(wall_us) / 1e6)
    cpu.setdefault(name, []).append(float(user) + float(system))
threads = sys.argv[2]
med = {k: statistics.median(v) for k, v in t.items()}
print(f"\ndecompression, {threads} threads, {len(t['parxz'])} interleaved runs (seconds):")
print(f"{'tool':<12}{'median':>9}{'min':>9}{'max':>9}{'spread':>9}{'cpu':>9}")
for k in ["parxz", "xz", "pixz", "7zz", "sequential"]:
    v = t[k]
    spread = (max(v) - min(v)) / med[k] * 100
    print(f"{k:<12}{med[k]:9.3f}{min(v):9.3f}{max(v):9.3f}{spread:8.0f}%"
          f"{statistics.median(cpu[k]):9.3f}")
print("(cpu: median CPU seconds of all threads; wall = cpu / cores used)")
print(f"\nparxz vs xz -d -T{threads}: {med['xz'] / med['parxz']:.2f}x"
      f"   vs pixz -d: {med['pixz'] / med['parxz']:.2f}x"
      f"   vs 7zz e: {med['7zz'] / med['parxz']:.2f}x"
      f"   vs sequential: {med['sequential'] / med['parxz']:.2f}x")
EOF

echo
# 1 MiB from the middle: through the Index (no cache, a fresh read each run)
# against decoding sequentially up to its end.
"$bench" --xz="$xzfile" --random_read=middle --runs="$runs" --threads="$threads"
"$bench" --xz="$xzfile" --random_read=middle --runs="$runs" --threads=1
