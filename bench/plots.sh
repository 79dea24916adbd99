#!/usr/bin/env bash
# The benchmark pictures, measured and drawn by one command:
#
#   bench/plots.sh [CORPUS]     # ~13-15 min on 2 quiet cores with sil7.tar
#   bench/plots.sh --redraw     # tables and PNGs again from the committed CSVs
#
# (a) pareto.png: compression ratio against compression speed for presets
#     0-9 of parxz -T2, xz -T2, pixz -p 2 and 7-Zip's 7zz -txz -mmt=2, on a
#     sample of the corpus: its even-numbered 4 MiB pieces (0, 2, 4, ...),
#     at most $PARETO_MIB (40) MiB -- for sil7.tar all ten of them, 40 MiB,
#     every member in proportion, large enough that -6 makes two Blocks.
#     Each cell runs once; a preset whose slowest tool took under $FAST_S (5)
#     seconds runs $FAST_RUNS (3) times (interleaved, medians). Every output
#     must pass `xz -t` and `xz -dc | cmp`.
# (b) decode.png: decompression speed by file shape, on the whole corpus
#     compressed at -6: one Block (xz -T1), xz -T2's Blocks, pixz's, 7zz's
#     and parxz -T2's (merged with xz -T2's when byte-identical), each read
#     by every tool (parxz -dc, xz -dc, pixz -d, 7zz e) with 1 and 2 threads,
#     $DECODE_ROUNDS (7) interleaved rounds, medians, output to /dev/null.
#     Every (shape, tool, threads) is first checked once against the corpus
#     (cmp), which also warms the page cache.
#
# Writes to $OUT_DIR (bench/results/): pareto.csv and decode.csv (every run),
# plots.md (the tables, from bench/plots_report.py, for bench/RESULTS.md to
# quote), pareto.png and decode.png (gnuplot, Debian's gnuplot-nox; checked
# first, before anything is measured). Prints the load average before and
# after each part. Knobs: PARETO_MIB (0 = whole corpus), PARETO_PIECE_KIB
# (4096), PARETO_THREADS (2), FAST_S, FAST_RUNS, DECODE_ROUNDS, THREADS
# (decode; "1 2"), TOOLS ("parxz xz pixz 7zz"), OUT_DIR, WORK.
# Smoke run: CORPUS=small file, e.g.
#   OUT_DIR=/tmp/p PARETO_MIB=0 DECODE_ROUNDS=1 FAST_RUNS=1 bench/plots.sh /tmp/small
set -euo pipefail
top="$(cd "$(dirname "$0")/.." && pwd)"
source "$top/bench/compare_lib.sh"

out_dir="${OUT_DIR:-$top/bench/results}"
work="${WORK:-${TMPDIR:-/tmp}/parxz-plots}"
bin="$work/bin"
mkdir -p "$work" "$out_dir"

draw() {  # tables and PNGs from the CSVs in $out_dir
  if ! command -v gnuplot >/dev/null 2>&1; then
    echo "plots.sh: gnuplot is missing: install Debian's gnuplot-nox" \
      "(tools/setup.sh lists it), e.g. apt-get install gnuplot-nox" >&2
    exit 1
  fi
  python3 "$top/bench/plots_report.py" "$out_dir" "$work"
  gnuplot "$work/pareto.gp"
  gnuplot "$work/decode.gp"
  echo "wrote $out_dir/plots.md, pareto.png, decode.png" >&2
}

if [[ "${1:-}" == --redraw ]]; then
  draw
  exit 0
fi
command -v gnuplot >/dev/null 2>&1 || draw  # fails with the message, now

pareto_mib="${PARETO_MIB:-40}"
piece_kib="${PARETO_PIECE_KIB:-4096}"
pareto_threads="${PARETO_THREADS:-2}"
fast_s="${FAST_S:-5}"
fast_runs="${FAST_RUNS:-3}"
rounds="${DECODE_ROUNDS:-7}"
threads_list="${THREADS:-1 2}"
read -r -a tools <<<"${TOOLS:-parxz xz pixz 7zz}"

install_missing xz:xz-utils pixz:pixz 7zz:7zip /usr/bin/time:time \
  python3:python3 cmp:diffutils
build_parxz "$top"

corpus="${1:-$("$top/bench/corpus.sh")}"
in_bytes=$(stat -c %s "$corpus")
load() { cut -d' ' -f1-3 /proc/loadavg; }
loads=("start $(load)")
started=$(date +%s)
echo "load average before: $(load)   cores: $(nproc)"

# rotate N WORDS...: the words starting at index N mod count (who goes first
# changes from run to run).
rotate() {
  local n="$1"
  shift
  local a=("$@") i
  for ((i = 0; i < ${#a[@]}; i++)); do
    printf '%s ' "${a[(i + n) % ${#a[@]}]}"
  done
}

# --- (a) the Pareto sweep ---------------------------------------------------
sample="$work/sample"
if [[ "$pareto_mib" -gt 0 ]]; then
  : >"$sample"
  pieces=$(((in_bytes + piece_kib * 1024 - 1) / (piece_kib * 1024)))
  for ((i = 0; i < pieces; i += 2)); do
    (($(stat -c %s "$sample") < pareto_mib << 20)) || break
    dd if="$corpus" bs="${piece_kib}K" skip="$i" count=1 status=none >>"$sample"
  done
  sample_desc="even-numbered ${piece_kib} KiB pieces of $(basename "$corpus"), at most $pareto_mib MiB"
else
  cp -f "$corpus" "$sample"
  sample_desc="the whole $(basename "$corpus")"
fi
sample_bytes=$(stat -c %s "$sample")
echo "Pareto sample: $sample_desc: $sample_bytes bytes" >&2
pcsv="$out_dir/pareto.csv"
echo "tool,preset,threads,run,seconds,rss_kb,in_bytes,out_bytes" >"$pcsv"

pareto_run() {  # pareto_run TOOL PRESET RUN: one timed compression, to CSV
  local tool="$1" preset="$2" r="$3" out="$work/p-$1-$2.xz" usec rss res
  compress_cmd "$tool" "$preset" "$pareto_threads"
  res=$(timed "$sample" "$out" "${cmd[@]}")
  read -r usec rss <<<"$res"
  if ((r == 1)); then  # xz must read it, and it must give the sample back
    if ! xz -t "$out" || ! xz -dc "$out" | cmp -s - "$sample"; then
      echo "plots.sh: $tool -$preset: xz -t or xz -dc | cmp failed" >&2
      exit 1
    fi
  fi
  printf '%s,%s,%s,%d,%.6f,%d,%d,%d\n' "$tool" "$preset" "$pareto_threads" \
    "$r" "$(echo "$usec / 1000000" | bc -l)" "$rss" "$sample_bytes" \
    "$(stat -c %s "$out")" >>"$pcsv"
  printf '  compress %-5s -%s T%s run %d: %.2f s\n' "$tool" "$preset" \
    "$pareto_threads" "$r" "$(echo "$usec / 1000000" | bc -l)" >&2
  echo "$usec"
}

for preset in 0 1 2 3 4 5 6 7 8 9; do
  slowest=0
  for tool in $(rotate "$preset" "${tools[@]}"); do
    usec=$(pareto_run "$tool" "$preset" 1)
    ((usec > slowest)) && slowest=$usec
  done
  n=1
  ((slowest < fast_s * 1000000)) && n="$fast_runs"
  for ((r = 2; r <= n; r++)); do
    for tool in $(rotate "$((preset + r))" "${tools[@]}"); do
      pareto_run "$tool" "$preset" "$r" >/dev/null
    done
  done
  rm -f "$work"/p-*-"$preset".xz
done
loads+=("after the Pareto sweep $(load)")
echo "load average after the Pareto sweep: $(load)"

# --- (b) decoding by file shape ---------------------------------------------
# make_shape NAME CMD...: the corpus compressed by CMD into $shape_dir/NAME.xz
# (kept for the next run on the same corpus unless parxz was rebuilt).
shape_dir="$work/shapes-$(basename "$corpus")-$in_bytes"
mkdir -p "$shape_dir"
make_shape() {
  local name="$1" f="$shape_dir/$1.xz"
  shift
  if [[ ! -s "$f" || "$f" -ot "$corpus" || "$f" -ot "$bin/parxz" ]]; then
    echo "making shape $name: $*" >&2
    "$@" <"$corpus" >"$f.tmp"
    mv "$f.tmp" "$f"
  fi
  xz -t "$f"
}
shapes=()
labels=()
add_shape() {  # add_shape NAME LABEL CMD...
  local name="$1" label="$2"
  shift 2
  make_shape "$name" "$@"
  local blocks
  blocks=$(xz --robot -l "$shape_dir/$name.xz" | awk '$1 == "totals" { print $3 }')
  shapes+=("$name")
  labels+=("$label, $blocks Block$([[ $blocks == 1 ]] || echo s)")
}
add_shape xzT1 "xz -6 -T1" xz -c -6 -T1
add_shape xzT2 "xz -6 -T2" xz -c -6 -T2
add_shape pixz "pixz -6 -p 2" pixz -t -6 -p 2
add_shape 7zz "7zz -mx=6 -mmt=2" 7zz a -an -txz -mx=6 -mmt=2 -si -so -bso0 -bsp0
make_shape parxz "$bin/parxz" -c -6 -T2
if cmp -s "$shape_dir/parxz.xz" "$shape_dir/xzT2.xz"; then
  labels[1]="${labels[1]/xz -6 -T2/xz -6 -T2 = parxz -6 -T2}"
else
  add_shape parxz "parxz -6 -T2" "$bin/parxz" -c -6 -T2
fi

dcsv="$out_dir/decode.csv"
echo "shape,label,tool,threads,run,seconds,rss_kb,out_bytes,xz_bytes" >"$dcsv"
for s in "${shapes[@]}"; do  # correctness first (and a warm page cache)
  for threads in $threads_list; do
    for tool in "${tools[@]}"; do
      decompress_cmd "$tool" "$threads"
      if ! "${cmd[@]}" <"$shape_dir/$s.xz" | cmp -s - "$corpus"; then
        echo "plots.sh: $tool -T$threads did not decode shape $s to the corpus" >&2
        exit 1
      fi
    done
  done
done
for ((r = 1; r <= rounds; r++)); do
  for i in "${!shapes[@]}"; do
    s="${shapes[i]}"
    for threads in $threads_list; do
      for tool in $(rotate "$((r + i))" "${tools[@]}"); do
        decompress_cmd "$tool" "$threads"
        res=$(timed "$shape_dir/$s.xz" /dev/null "${cmd[@]}")
        read -r usec rss <<<"$res"
        printf '%s,"%s",%s,%s,%d,%.6f,%d,%d,%d\n' "$s" "${labels[i]}" "$tool" \
          "$threads" "$r" "$(echo "$usec / 1000000" | bc -l)" "$rss" \
          "$in_bytes" "$(stat -c %s "$shape_dir/$s.xz")" >>"$dcsv"
      done
    done
  done
  echo "  decode round $r of $rounds done" >&2
done
finished=$(date +%s)
loads+=("end $(load)")
echo "load average after: $(load)"

{
  echo "- Command: \`bench/plots.sh${1:+ $1}\`"
  echo "- Corpus: \`$(basename "$corpus")\`, $in_bytes bytes" \
    "($(sha256sum "$corpus" | cut -c1-16)...); Pareto sample: $sample_desc," \
    "$sample_bytes bytes"
  machine_info
  echo "- Date: $(date -u '+%Y-%m-%d %H:%M UTC'); wall time" \
    "$(((finished - started) / 60)) min $(((finished - started) % 60)) s;" \
    "load average (1/5/15 min): $(printf '%s; ' "${loads[@]}" | sed 's/; $//')"
} >"$out_dir/plots_meta.md"
draw
cat "$out_dir/plots.md"
