#!/usr/bin/env bash
# Side-by-side comparison of parxz with xz, pixz, 7-Zip (7zz), plzip and zstd:
# one command.
#
#   bench/compare.sh [CORPUS]          # full run (82 MB sil7.tar: < 55 min on 2 cores)
#   QUICK=1 bench/compare.sh [CORPUS]  # first 16 MiB, 1 run per cell (~4 min)
#
# Installs what is missing (xz-utils, pixz, 7zip, plzip, zstd, time, python3)
# from Debian's packages, builds //tools:parxz optimized, then times
# compression at -0, -6 and -9 (zstd: -3 and -19; 7zz: `a -txz -mx=N
# -mmt=T`) with 1 thread and with all hardware threads, and decompression of
# each tool's -6 (zstd: -3 and -19) output (7zz: `e -txz -mmt=T`). Every
# output goes through a round trip (decompress with the tool itself, cmp), every
# .xz (parxz, xz, pixz, 7zz) must pass `xz -t`, and parxz's .xz is compared
# byte for byte with `xz -T`'s. Writes to bench/results/ (QUICK:
# $WORK/results/): compare.md (the table) and raw.tsv (every run). The plots
# come from bench/plots.sh.
#
# Each cell: a warm-up run that is discarded when it took < $WARMUP_MAX_S
# (10) seconds, then $RUNS (3; QUICK 1) timed runs, median reported. The
# slowest cells -- levels in $SLOW_LEVELS (9) -- run only with all threads and
# $SLOW_RUNS (1) times, so that the full run ends in under an hour on 2 cores;
# and once the run has taken $BUDGET_S (2100) seconds, every later cell runs
# once, without warm-up (the table's "runs" column says so). Measured before
# 7zz joined: 45.5 min with BUDGET_S=2400 under a load average of ~5 from other
# jobs; 7zz adds about a fifth. Other knobs: MAX_MB (0 = whole corpus; QUICK
# 16), THREADS (list; default "1 $(nproc)"), TOOLS, OUT_DIR, WORK.
set -euo pipefail
top="$(cd "$(dirname "$0")/.." && pwd)"
source "$top/bench/compare_lib.sh"

quick="${QUICK:-0}"
work="${WORK:-${TMPDIR:-/tmp}/parxz-compare}"
bin="$work/bin"
nproc_all="$(nproc)"
if [[ "$quick" == 1 ]]; then
  max_mb="${MAX_MB:-16}"
  runs="${RUNS:-1}"
  out_dir="${OUT_DIR:-$work/results}"
else
  max_mb="${MAX_MB:-0}"
  runs="${RUNS:-3}"
  out_dir="${OUT_DIR:-$top/bench/results}"
fi
slow_runs="${SLOW_RUNS:-1}"
slow_levels=" ${SLOW_LEVELS:-9} "
warmup_max_s="${WARMUP_MAX_S:-10}"
budget_s="${BUDGET_S:-2100}"
threads_list="${THREADS:-1 $nproc_all}"
tools="${TOOLS:-parxz xz pixz 7zz plzip zstd}"
mkdir -p "$work/out" "$out_dir"

install_missing xz:xz-utils pixz:pixz 7zz:7zip plzip:plzip zstd:zstd \
  /usr/bin/time:time python3:python3 cmp:diffutils
build_parxz "$top"

source_corpus="${1:-$("$top/bench/corpus.sh")}"
corpus="$work/corpus"
if [[ "$max_mb" -gt 0 ]]; then
  head -c "$((max_mb << 20))" "$source_corpus" >"$corpus"
else
  cp -f "$source_corpus" "$corpus"
fi
in_bytes=$(stat -c %s "$corpus")
raw="$out_dir/raw.tsv"
printf 'op\ttool\tlevel\tthreads\trun\tusec\trss_kb\tin_bytes\tout_bytes\n' >"$raw"
load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
started=$(date +%s)
echo "corpus $source_corpus ($in_bytes bytes), runs $runs, threads $threads_list" >&2

levels_of() { [[ "$1" == zstd ]] && echo "3 19" || echo "0 6 9"; }
dec_levels_of() { [[ "$1" == zstd ]] && echo "3 19" || echo "6"; }

# measure OP TOOL LEVEL THREADS IN OUT: the warm-up and the timed runs of one
# cell, appended to raw.tsv; `cmd` holds the command.
measure() {
  local op="$1" tool="$2" level="$3" threads="$4" in="$5" out="$6"
  local n="$runs" r first usec rss res
  local over_budget=0
  (($(date +%s) - started > budget_s)) && over_budget=1 && n=1
  [[ "$slow_levels" == *" $level "* && "$tool" != zstd ]] && n="$slow_runs"
  res=$(timed "$in" "$out" "${cmd[@]}")
  read -r usec rss <<<"$res"
  first="$res"
  if ((usec < warmup_max_s * 1000000 && !over_budget)) && [[ "$quick" != 1 ]]; then
    first=""  # quick enough: that was the warm-up
  fi
  for ((r = 1; r <= n; r++)); do
    if [[ -n "$first" ]]; then
      read -r usec rss <<<"$first"
      first=""
    else
      res=$(timed "$in" "$out" "${cmd[@]}")
      read -r usec rss <<<"$res"
    fi
    if [[ "$op" == decompress ]]; then same_bytes "$out" "$corpus"; fi
    printf '%s\t%s\t%s\t%s\t%d\t%d\t%d\t%d\t%d\n' "$op" "$tool" "$level" \
      "$threads" "$r" "$usec" "$rss" "$in_bytes" "$(stat -c %s "$out")" >>"$raw"
    printf '  %-10s %-5s -%-2s T%-3s run %d: %6.2f s, %d MiB\n' "$op" "$tool" \
      "$level" "$threads" "$r" "$(echo "$usec / 1000000" | bc -l)" \
      "$((rss / 1024))" >&2
  done
}

# Compression, cell by cell; all tools in turn so that background load hits
# them alike.
# Most threads first: if the budget runs out, the 1-thread cells get fewer runs.
threads_desc="$(tr ' ' '\n' <<<"$threads_list" | grep . | sort -rn | tr '\n' ' ')"
for threads in $threads_desc; do
  for level in 0 6 9 3 19; do
    if [[ "$slow_levels" == *" $level "* && "$threads" != "$nproc_all" ]]; then
      continue
    fi
    for tool in $tools; do
      [[ " $(levels_of "$tool") " == *" $level "* ]] || continue
      out="$work/out/$tool-$level-T$threads"
      compress_cmd "$tool" "$level" "$threads"
      measure compress "$tool" "$level" "$threads" "$corpus" "$out"
      # Round trip with the tool's own decoder.
      decompress_cmd "$tool" "$nproc_all"
      "${cmd[@]}" <"$out" >"$work/roundtrip"
      same_bytes "$work/roundtrip" "$corpus"
      # And every .xz must be one that xz itself reads.
      case "$tool" in
        parxz | xz | pixz | 7zz) xz -t "$out" || {
          echo "xz -t rejects $tool's output $out" >&2
          exit 1
        } ;;
      esac
    done
  done
done

# parxz's output must equal xz's for the same level and thread count: with
# -T1 both write one Block without sizes, with -T >= 2 the same Blocks.
identity_lines=()
if [[ " $tools " == *" parxz "* && " $tools " == *" xz "* ]]; then
  for level in 0 6 9; do
    for threads in $threads_list; do
      p="$work/out/parxz-$level-T$threads"
      x="$work/out/xz-$level-T$threads"
      [[ -f "$p" && -f "$x" ]] || continue
      if cmp -s "$p" "$x"; then verdict=identical; else verdict=DIFFERENT; fi
      identity_lines+=("parxz -$level -T$threads vs xz -$level -T$threads: $verdict")
    done
  done
fi

# Decompression of the all-threads outputs (multi-Block where the tool splits).
for threads in $threads_list; do
  for tool in $tools; do
    for level in $(dec_levels_of "$tool"); do
      src="$work/out/$tool-$level-T$nproc_all"
      [[ -f "$src" ]] || continue
      decompress_cmd "$tool" "$threads"
      measure decompress "$tool" "$level" "$threads" "$src" "$work/decoded"
    done
  done
done

finished=$(date +%s)
load_after="$(cut -d' ' -f1-3 /proc/loadavg)"
mode="full ($runs timed runs per cell; levels ${SLOW_LEVELS:-9}: all threads only, $slow_runs run)"
[[ "$quick" == 1 ]] && mode="QUICK (first $max_mb MiB, $runs run per cell)"
{
  echo "- Command: \`${QUICK:+QUICK=$QUICK }bench/compare.sh${1:+ $1}\`, mode $mode"
  echo "- Corpus: \`$(basename "$source_corpus")\`, $in_bytes bytes" \
    "($(sha256sum "$corpus" | cut -c1-16)...)"
  machine_info
  echo "- Date: $(date -u '+%Y-%m-%d %H:%M UTC'); wall time of the run" \
    "$(((finished - started) / 60)) min $(((finished - started) % 60)) s;" \
    "load average (1/5/15 min) before: $load_before, after: $load_after"
  for line in "${identity_lines[@]}"; do echo "- Byte identity: $line"; done
} >"$out_dir/meta.md"

python3 "$top/bench/compare_report.py" "$raw" "$out_dir/meta.md" \
  "$out_dir/compare.md"
rm -f "$out_dir/meta.md"
cat "$out_dir/compare.md"
echo "wrote $out_dir/compare.md and $out_dir/raw.tsv" >&2
