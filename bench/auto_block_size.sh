#!/usr/bin/env bash
# --block-size=auto where xz stalls (issue 16), side by side in one run on one
# corpus (default: bench/corpus.sh's sil7.tar, 81.9 MB) with 2 threads:
#
#   parxz -9 --block-size=auto -T2   (40 MiB Blocks, 48 MiB dictionary)
#   xz -9 -T2                        (one 192 MiB Block: one core works)
#   parxz -9 -T2                     (xz's bytes, for reference)
#
# Each: wall time, output size and peak RSS (/usr/bin/time), medians of
# $RUNS (3) runs, the tools interleaved and their order rotated from run to
# run; the ratios against xz (want: auto >= 1.6x faster, output at most 0.5%
# larger); every output decoded by `xz -dc` and compared with the input, and
# parxz's default output compared with xz's byte for byte.
#
#   bench/auto_block_size.sh [CORPUS]        # ~12 min on 2 cores, sil7.tar
#   MAX_MB=4 RUNS=1 bench/auto_block_size.sh # smoke run on the first 4 MB
#
# Other knobs: LEVEL (9), THREADS (2), OUT_DIR (bench/results), WORK.
# Writes $OUT_DIR/auto_block_size.md and prints it.
set -euo pipefail
top="$(cd "$(dirname "$0")/.." && pwd)"
source "$top/bench/compare_lib.sh"

work="${WORK:-${TMPDIR:-/tmp}/parxz-auto-block}"
bin="$work/bin"
runs="${RUNS:-3}"
level="${LEVEL:-9}"
threads="${THREADS:-2}"
max_mb="${MAX_MB:-0}"
out_dir="${OUT_DIR:-$top/bench/results}"
mkdir -p "$work" "$out_dir"

install_missing xz:xz-utils /usr/bin/time:time cmp:diffutils bc:bc
build_parxz "$top"

source_corpus="${1:-$("$top/bench/corpus.sh")}"
corpus="$work/corpus"
if [[ "$max_mb" -gt 0 ]]; then
  head -c "$((max_mb << 20))" "$source_corpus" >"$corpus"
else
  cp -f "$source_corpus" "$corpus"
fi
in_bytes=$(stat -c %s "$corpus")
load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
started=$(date +%s)

# The three commands; the input is a regular file on stdin, so parxz knows
# its size (as for a named file).
names=(auto xz default)
declare -A label=(
  [auto]="parxz -$level --block-size=auto -T$threads"
  [xz]="xz -$level -T$threads"
  [default]="parxz -$level -T$threads"
)
command_of() {
  case "$1" in
    auto) cmd=("$bin/parxz" -c -"$level" --block-size=auto -T"$threads") ;;
    xz) cmd=(xz -c -"$level" -T"$threads") ;;
    default) cmd=("$bin/parxz" -c -"$level" -T"$threads") ;;
  esac
}

cat "$corpus" >/dev/null  # page cache warm for every tool alike
declare -A usec=() rss=()
for ((r = 0; r < runs; r++)); do
  for ((i = 0; i < ${#names[@]}; i++)); do
    name="${names[$(((i + r) % ${#names[@]}))]}"  # rotate who goes first
    command_of "$name"
    res=$(timed "$corpus" "$work/$name.xz" "${cmd[@]}")
    read -r u m <<<"$res"
    usec[$name]+="$u "
    rss[$name]+="$m "
    echo "  ${label[$name]} run $((r + 1)): $(echo "$u / 1000000" | bc -l | cut -c1-6) s," \
      "$((m / 1024)) MiB" >&2
  done
done

med() { tr ' ' '\n' <<<"$1" | grep . | median; }
declare -A secs=() size=() peak=() check=()
for name in "${names[@]}"; do
  secs[$name]=$(echo "$(med "${usec[$name]}") / 1000000" | bc -l)
  peak[$name]=$(echo "$(med "${rss[$name]}") / 1024" | bc -l)
  size[$name]=$(stat -c %s "$work/$name.xz")
  if xz -d -c "$work/$name.xz" | cmp -s - "$corpus"; then
    check[$name]="round trip ok"
  else
    check[$name]="ROUND TRIP FAILED"
  fi
done
if cmp -s "$work/default.xz" "$work/xz.xz"; then
  check[default]+=", identical to xz"
else
  check[default]+=", DIFFERENT from xz"
fi
blocks=$(xz --robot -lv "$work/auto.xz" | awk -F'\t' '$1 == "block"' | wc -l)
check[auto]+=", $blocks Blocks"

finished=$(date +%s)
report="$out_dir/auto_block_size.md"
{
  echo "## --block-size=auto against xz (issue 16)"
  echo
  echo "- Command: \`bench/auto_block_size.sh${1:+ $1}\`; corpus \`$(basename "$source_corpus")\`," \
    "$in_bytes bytes$([[ "$max_mb" -gt 0 ]] && echo " (first $max_mb MiB)"); $runs runs each" \
    "(medians), interleaved"
  machine_info
  echo "- Date: $(date -u '+%Y-%m-%d %H:%M UTC'); took $(((finished - started) / 60)) min;" \
    "load average before: $load_before, after: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo
  echo "| command | wall s | speed vs xz (want auto >= 1.6x) | output bytes | size vs xz (want auto <= +0.5%) | peak RSS MiB | checks |"
  echo "|---|---:|---:|---:|---:|---:|---|"
  for name in "${names[@]}"; do
    printf '| `%s` | %.2f | %.2fx | %s | %+.2f%% | %.0f | %s |\n' "${label[$name]}" \
      "${secs[$name]}" "$(echo "${secs[xz]} / ${secs[$name]}" | bc -l)" \
      "${size[$name]}" "$(echo "(${size[$name]} / ${size[xz]} - 1) * 100" | bc -l)" \
      "${peak[$name]}" "${check[$name]}"
  done
} >"$report"
cat "$report"
