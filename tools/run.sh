#!/usr/bin/env bash
# Installs what is missing, builds parxz optimized and runs it.
#   tools/run.sh [ARGS]   runs `parxz ARGS` (paths relative to where you are)
#   tools/run.sh          the demo: compresses the benchmark sample with all
#                         cores, checks the round trip with parxz and xz, and
#                         prints sizes, ratio and MB/s.
set -euo pipefail
here="$PWD"
top="$(cd "$(dirname "$0")/.." && pwd)"
cd "$top"
tools/setup.sh
if ! log="$(bazel build //tools:parxz 2>&1)"; then
  echo "$log" >&2
  exit 1
fi
parxz="$top/bazel-bin/tools/parxz"
cd "$here"

if (($#)); then
  exec "$parxz" "$@"
fi

sample="$("$top/bench/corpus.sh")"
work="$(mktemp -d "${TMPDIR:-/tmp}/parxz-run.XXXXXX")"
trap 'rm -rf "$work"' EXIT
cp "$sample" "$work/sample"
name="$(basename "$sample")"

now() { date +%s.%N; }
mbps() { awk -v b="$1" -v s="$2" 'BEGIN { printf "%.1f", b / 1e6 / (s > 0 ? s : 1e-9) }'; }

echo "parxz: sample $sample ($(nproc) cores)"
t0=$(now)
"$parxz" -T0 -k "$work/sample"
t1=$(now)
"$parxz" -dc "$work/sample.xz" > "$work/by-parxz"
t2=$(now)
xz -dc "$work/sample.xz" > "$work/by-xz"
cmp "$work/sample" "$work/by-parxz"
cmp "$work/sample" "$work/by-xz"

in_size=$(stat -c %s "$work/sample")
out_size=$(stat -c %s "$work/sample.xz")
ctime=$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')
dtime=$(awk -v a="$t1" -v b="$t2" 'BEGIN { print b - a }')
printf '%-28s %s\n' "input ($name):" "$in_size bytes"
printf '%-28s %s\n' "compressed (.xz):" "$out_size bytes"
printf '%-28s %s\n' "ratio (compressed/input):" \
  "$(awk -v o="$out_size" -v i="$in_size" 'BEGIN { printf "%.4f", o / i }')"
printf '%-28s %s MB/s (%.2f s)\n' "compression, parxz -T0:" \
  "$(mbps "$in_size" "$ctime")" "$ctime"
printf '%-28s %s MB/s (%.2f s)\n' "decompression, parxz -d:" \
  "$(mbps "$in_size" "$dtime")" "$dtime"
echo "round trip: OK (parxz -d and xz -d both give back the input)"
