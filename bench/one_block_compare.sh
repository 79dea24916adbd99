#!/usr/bin/env bash
# One-Block .xz files (what `xz -T1` and every xz before 5.4 write): parxz's
# streamed decoding (`parxz -dc -T2`) against `xz -dc` and 7-Zip
# (`7zz e -so -txz`), to /dev/null, to a file and into a pipe (`| cat`), with
# each decoder's peak RSS (issue 23, item 1).
#
# Usage: bench/one_block_compare.sh [RUNS] [MODE...]     (default: 7 sample)
#   sample  the benchmark sample (bench/corpus.sh) as `xz -6 -T1` writes it,
#           decoded to /dev/null, a file and a pipe
#   zeros   3 GiB of zeros in one Block, decoded into a pipe
#   big     a one-Block file of more than 4 GiB (zeros) decoded to /dev/null:
#           peak RSS must not grow with the size
#   stdin   the benchmark sample as `xz -9 -T2` writes it (one Block whose
#           header records its sizes, as from xz -T for any file smaller
#           than a Block) read from a pipe (`cat FILE | decoder`), where no
#           Index says it is the only Block, decoded to /dev/null
# Environment: SAMPLE=FILE uses FILE instead of the benchmark sample;
# ZEROS_BYTES and BIG_BYTES change the sizes of the zeros and big files
# (smoke runs). The compressed files are made once and kept in
# ${TMPDIR:-/tmp}/parxz-one-block.
#
# Rounds are paired: every tool runs once per round and mode, in an order
# that rotates from round to round, so that load from other processes
# spreads over all of them. Per mode and tool the table gives the median,
# min and max wall time and the median peak RSS (/usr/bin/time -v's "Maximum
# resident set size" of the decoder alone, not of `cat`); the ratios are the
# medians of the per-round ratios peer / parxz (> 1: parxz faster). Every
# tool's output is compared with the original once first. The load average
# before and after is printed: quote it with the numbers.
set -euo pipefail
top="$(cd "$(dirname "$0")/.." && pwd)"
runs="${1:-7}"
shift || true
modes=("$@")
((${#modes[@]})) || modes=(sample)
work="${TMPDIR:-/tmp}/parxz-one-block"
bin="$work/bin"
mkdir -p "$work"
# shellcheck source=bench/compare_lib.sh
source "$top/bench/compare_lib.sh"

for tool in xz 7zz python3; do
  command -v "$tool" >/dev/null || {
    echo "one_block_compare: $tool is missing (7zz: Debian's 7zip)" >&2
    exit 1
  }
done
build_parxz "$top"

# one_block NAME SOURCE_CMD [XZ_OPTIONS]: the one-Block file of SOURCE_CMD's
# output as `xz -6 -T1` (or xz with XZ_OPTIONS) writes it, made once.
one_block() {
  local opts="${3:--6 -T1}"
  local tag
  tag="$(tr -d ' ' <<<"$opts" | tr 'A-Z-' 'a-z.')"  # -6 -T1: .6.t1
  local out="$work/$1$tag.xz"
  if [[ ! -s "$out" ]]; then
    echo "making $out ..." >&2
    # shellcheck disable=SC2086 # the options are words
    bash -c "$2" | xz $opts -c >"$out.tmp"
    mv "$out.tmp" "$out"
  fi
  echo "$out"
}

decoder() {  # decoder TOOL FILE: sets the array `cmd`; FILE - is stdin
  case "$1" in
    parxz) cmd=("$bin/parxz" -d -c -T2 "$2") ;;
    xz) cmd=(xz -d -c "$2") ;;
    7zz) cmd=(7zz e -so -txz) && if [[ "$2" == - ]]; then cmd+=(-si); else cmd+=("$2"); fi ;;
  esac
}
tools=(parxz xz 7zz)

# run_once TOOL FILE TARGET: one timed decode; prints "WALL_US RSS_KB".
run_once() {
  local start end
  if [[ "$3" == stdin ]]; then decoder "$1" -; else decoder "$1" "$2"; fi
  start=$(date +%s%N)
  case "$3" in
    null) /usr/bin/time -v -o "$work/time.out" "${cmd[@]}" >/dev/null 2>"$work/err.out" ;;
    file) /usr/bin/time -v -o "$work/time.out" "${cmd[@]}" >"$work/out.bin" 2>"$work/err.out" ;;
    pipe) /usr/bin/time -v -o "$work/time.out" "${cmd[@]}" 2>"$work/err.out" | cat >/dev/null ;;
    stdin)
      cat "$2" | /usr/bin/time -v -o "$work/time.out" "${cmd[@]}" >/dev/null 2>"$work/err.out"
      ;;
  esac
  end=$(date +%s%N)
  echo "$(((end - start) / 1000)) $(awk -F: '/Maximum resident/ {print $2 + 0}' "$work/time.out")"
}

# verify TOOL FILE ORIGINAL_CMD: the tool's output is the original's.
verify() {
  decoder "$1" "$2"
  if ! cmp -s <("${cmd[@]}" 2>/dev/null) <(bash -c "$3"); then
    echo "one_block_compare: $1 did not reproduce the input of $2" >&2
    exit 1
  fi
}

times="$work/times.tsv"
: >"$times"
# measure LABEL FILE ORIGINAL_CMD TARGET...
measure() {
  local label="$1" file="$2" orig="$3" r i k t target
  shift 3
  for t in "${tools[@]}"; do verify "$t" "$file" "$orig"; done
  echo "$label: $file ($(stat -c %s "$file") bytes," \
    "$(xz --robot -l "$file" | awk '$1 == "totals" {print $5}') bytes out," \
    "$(xz --robot -l "$file" | awk '$1 == "totals" {print $3}') Block)"
  for ((r = 0; r < runs; r++)); do
    for target in "$@"; do
      for ((i = 0; i < ${#tools[@]}; i++)); do
        k=$(((i + r) % ${#tools[@]}))
        t="${tools[$k]}"
        printf '%s\t%s\t%s\t%s\n' "$label $target" "$r" "$t" \
          "$(run_once "$t" "$file" "$target" | tr ' ' '\t')" >>"$times"
      done
    done
  done
}

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)   cores: $(nproc)"
machine_info
echo "- 7zz: $(7zz 2>/dev/null | sed -n 's/^7-Zip[^0-9]*\([0-9.]*\).*/\1/p' | head -n 1)"
for mode in "${modes[@]}"; do
  case "$mode" in
    sample)
      sample="${SAMPLE:-$("$top/bench/corpus.sh")}"
      f="$(one_block "$(basename "$sample")" "cat '$sample'")"
      measure sample "$f" "cat '$sample'" null file pipe
      ;;
    zeros)
      n="${ZEROS_BYTES:-$((3 << 30))}"
      f="$(one_block "zeros$n" "head -c $n /dev/zero")"
      measure "zeros $n" "$f" "head -c $n /dev/zero" pipe
      ;;
    stdin)
      sample="${SAMPLE:-$("$top/bench/corpus.sh")}"
      f="$(one_block "$(basename "$sample")" "cat '$sample'" "-9 -T2")"
      measure "sized -9 -T2, from" "$f" "cat '$sample'" stdin
      ;;
    big)
      n="${BIG_BYTES:-$((9 << 29))}"  # 4.5 GiB
      f="$(one_block "zeros$n" "head -c $n /dev/zero")"
      measure "big $n" "$f" "head -c $n /dev/zero" null
      ;;
    *)
      echo "one_block_compare: unknown mode $mode" >&2
      exit 1
      ;;
  esac
done
echo "load average after:  $(cut -d' ' -f1-3 /proc/loadavg)"

python3 - "$times" <<'EOF'
import statistics, sys
rows = [l.split("\t") for l in open(sys.argv[1]).read().split("\n") if l]
wall, rss = {}, {}
for case, rnd, tool, us, kb in rows:
    wall.setdefault(case, {}).setdefault(tool, {})[rnd] = int(us) / 1e6
    rss.setdefault(case, {}).setdefault(tool, []).append(int(kb) / 1024)
for case, by_tool in wall.items():
    n = len(by_tool["parxz"])
    print(f"\n{case}: {n} paired rounds (seconds; peak RSS MiB)")
    print(f"{'tool':<8}{'median':>9}{'min':>9}{'max':>9}{'RSS':>9}{'peer/parxz':>12}")
    p = by_tool["parxz"]
    for tool, t in by_tool.items():
        v = list(t.values())
        ratio = statistics.median(t[r] / p[r] for r in t if r in p)
        print(f"{tool:<8}{statistics.median(v):9.3f}{min(v):9.3f}{max(v):9.3f}"
              f"{statistics.median(rss[case][tool]):9.1f}{ratio:12.3f}")
    xz_rss = statistics.median(rss[case]["xz"])
    pr = statistics.median(rss[case]["parxz"])
    print(f"parxz RSS - xz RSS: {pr - xz_rss:+.1f} MiB (goal: <= +16)")
EOF
