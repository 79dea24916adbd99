#!/usr/bin/env bash
# The current figures of bench/RESULTS.md and its pictures, measured and
# written by one command:
#
#   bench/results.sh                    # every part, ~45-55 min on 2 quiet cores
#   PARTS="capi_stream small_calls" bench/results.sh    # some parts only (the
#                                       others keep their last figures)
#   QUICK=1 bench/results.sh            # smoke run: 1 round each, small files
#
# The parts, in this order, each the existing script with its figures'
# defaults (every one interleaves or pairs its rounds and prints the load
# average; every peer, 7-Zip's 7zz included, is measured in the same run):
#   one_block    bench/one_block_compare.sh 7 sample zeros stdin  one-Block .xz
#                decoded to /dev/null, a file and a pipe, and one read from
#                a pipe, vs xz and 7zz, RSS
#   decode       bench/decode_compare.sh 9 2   multi-Block decode vs xz -T2,
#                pixz, 7zz and the sequential decoder; random access
#   compress     RUNS=7 bench/issue3_check.sh  -6/-0 -T2 vs xz and 7zz (byte
#                identity with xz), the push API 2 threads vs 1
#   capi_stream  bench/capi_stream.sh 9        C streaming decoder 2 vs 1
#                thread, next to the machine's own two-thread capacity
#   small_calls  bench/small_calls.sh 7        small one-shot and incremental
#                calls, the numcodecs chunk loop under install(threads=2)
#   python_read  bench/python_read.sh --runs 7 lzma.open(threads=2).read()
#                and pandas.read_csv under install() vs the stock module
#   tar          bench/tar_compare.sh 5 2      tar members vs xz | tar, tar tvJf
#   plots        bench/plots.sh                pareto.png and decode.png
#
# Writes each part's output to bench/results/<part>.txt and its section to
# <part>.section.md (OUT_DIR to change; QUICK: ${TMPDIR:-/tmp}/parxz-results-out,
# and RESULTS.md is left alone) and rewrites the part of bench/RESULTS.md
# between the lines
# "<!-- results.sh: begin -->" and "<!-- results.sh: end -->": the commit,
# the machine, when each part ran and its load average before and after, and
# each part's tables (the per-round lines stay in the .txt files). A part
# that fails is marked so and the others still run; the exit status is then
# 1. Nothing else may run meanwhile: quote the load averages with the figures.
set -uo pipefail
top="$(cd "$(dirname "$0")/.." && pwd)"
quick="${QUICK:-}"
if [[ -n "$quick" ]]; then
  out_dir="${OUT_DIR:-${TMPDIR:-/tmp}/parxz-results-out}"
else
  out_dir="${OUT_DIR:-$top/bench/results}"
fi
results_md="${RESULTS_MD:-$top/bench/RESULTS.md}"
all_parts=(one_block decode compress capi_stream small_calls python_read tar plots)
read -r -a parts <<<"${PARTS:-${all_parts[*]}}"
mkdir -p "$out_dir"

command_of() {
  if [[ -n "$quick" ]]; then
    local small="${TMPDIR:-/tmp}/parxz-results-small"
    [[ -s "$small" ]] || head -c $((4 << 20)) "$("$top/bench/corpus.sh")" >"$small"
    case "$1" in
      one_block) echo "SAMPLE=$small ZEROS_BYTES=$((32 << 20)) bench/one_block_compare.sh 1 sample zeros stdin" ;;
      decode) echo "CORPUS=$small bench/decode_compare.sh 1 2" ;;
      compress) echo "RUNS=1 PUSH_RUNS=1 bench/issue3_check.sh $small" ;;
      capi_stream) echo "bench/capi_stream.sh 1 $small" ;;
      small_calls) echo "bench/small_calls.sh 1 $small" ;;
      python_read) echo "bench/python_read.sh --runs 1 --limit 4000000 --csv-mb 2" ;;
      tar) echo "MEMBERS=4 MEMBER_MIB=2 bench/tar_compare.sh 1" ;;
      plots) echo "PARETO_MIB=0 DECODE_ROUNDS=1 FAST_RUNS=1 bench/plots.sh $small" ;;
    esac
    return
  fi
  case "$1" in
    one_block) echo "bench/one_block_compare.sh 7 sample zeros stdin" ;;
    decode) echo "bench/decode_compare.sh 9 2" ;;
    compress) echo "RUNS=7 bench/issue3_check.sh" ;;
    capi_stream) echo "bench/capi_stream.sh 9" ;;
    small_calls) echo "bench/small_calls.sh 7" ;;
    python_read) echo "bench/python_read.sh --runs 7" ;;
    tar) echo "bench/tar_compare.sh 5 2" ;;
    plots) echo "bench/plots.sh" ;;
    *) return 1 ;;
  esac
}

load() { cut -d' ' -f1-3 /proc/loadavg; }
commit=$(cd "$top" && git rev-parse --short HEAD)
dirty=$(cd "$top" && git status --porcelain -- . ':!bench/results' ':!bench/RESULTS.md' | head -1)
failed=0
started=$(date -u '+%Y-%m-%d %H:%M UTC')
for part in "${parts[@]}"; do
  cmd=$(command_of "$part") || { echo "results: no part '$part'" >&2; exit 2; }
  txt="$out_dir/$part.txt"
  before=$(load)
  t0=$(date +%s)
  echo "== $part: $cmd (load average $before)" >&2
  # The scripts that write files (issue3.md, the plots) write them into
  # out_dir too: a quick run leaves the committed ones alone.
  (cd "$top" && OUT_DIR="$out_dir" bash -c "$cmd") >"$txt" 2>"$txt.err"
  status=$?
  t1=$(date +%s)
  after=$(load)
  # Each part's section is kept in $part.section.md, so that a run of some parts
  # leaves the others' last figures (with their own date and commit).
  {
    echo "### $part: \`$cmd\`"
    echo
    printf -- '- %s, commit %s%s, %d s, load average before %s, after %s%s\n' \
      "$(date -u -d "@$t0" '+%Y-%m-%d %H:%M UTC')" "$commit" \
      "${dirty:+ with uncommitted changes}" $((t1 - t0)) "$before" "$after" \
      "$( ((status == 0)) || echo "; **FAILED (exit $status)**: see bench/results/$part.txt.err")"
    echo
    if [[ "$part" == compress || "$part" == tar ]]; then
      # Markdown already: the report that follows the benchmark's own lines.
      sed -n '/^## /,$p' "$txt"
    elif [[ "$part" == plots ]]; then
      echo "Pictures: bench/results/pareto.png, bench/results/decode.png;"
      echo "tables: bench/results/plots.md."
    else
      echo '```'
      # The tables: per-round lines and Google Benchmark's banner dropped.
      grep -Ev '^(round [0-9]|BM_.*_(mean|stddev|cv) |Running |Run on |CPU Caches|  L[123] |Load Average|-{10,}|\*\*\*)' "$txt"
      echo '```'
    fi
    echo
  } >"$out_dir/$part.section.md"
  ((status == 0)) || failed=1
done

{
  echo "<!-- results.sh: begin -->"
  echo "## Current figures (bench/results.sh)"
  echo
  echo "Written by \`bench/results.sh\`; its last run (parts: ${parts[*]}${quick:+; QUICK smoke run}) from $started, on"
  echo "commit $commit${dirty:+ with uncommitted changes}; $(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')),"
  echo "$(awk '/MemTotal/ {printf "%.1f GiB RAM", $2 / 1048576}' /proc/meminfo). A part not in that run shows its own last run (its date and"
  echo "commit under its heading). Ratios are medians of paired or interleaved rounds within one part;"
  echo "compare figures across parts or days only as ratios."
  echo
  for part in "${all_parts[@]}"; do
    [[ -s "$out_dir/$part.section.md" ]] && cat "$out_dir/$part.section.md"
  done
  echo "<!-- results.sh: end -->"
} >"$out_dir/current.md"

if [[ -z "$quick" ]]; then
  python3 - "$results_md" "$out_dir/current.md" <<'EOF'
import sys
path, new = sys.argv[1], open(sys.argv[2]).read()
text = open(path).read()
begin, end = "<!-- results.sh: begin -->", "<!-- results.sh: end -->"
if begin in text and end in text:
    head, rest = text.split(begin, 1)
    tail = rest.split(end, 1)[1]
    text = head + new.rstrip("\n") + tail
else:  # first time: after the title and its paragraph
    title, sep, rest = text.partition("\n\n")
    text = title + sep + new + "\n" + rest
open(path, "w").write(text)
EOF
  echo "bench/RESULTS.md: current figures rewritten ($out_dir/current.md)" >&2
else
  echo "QUICK: bench/RESULTS.md left alone; the section is in $out_dir/current.md" >&2
fi
exit "$failed"
