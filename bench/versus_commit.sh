#!/usr/bin/env bash
# This checkout's parxz against an earlier commit's, with the peers beside
# both in the same rounds: did a change leave a figure unchanged?
#
#   bench/versus_commit.sh REV [ROUNDS] [CORPUS]     # ROUNDS default 7
#
# REV's parxz is built in a git worktree with its own Bazel output base
# (${TMPDIR:-/tmp}/parxz-rev-REV, kept for the next run). Three jobs, every
# command once per round, the order rotating from round to round:
#   decode  `-dc -T2` of the `xz -6 -T2 --block-size=4MiB` file (the one
#           bench/decode_compare.sh makes) to /dev/null: old, new, xz -T2,
#           pixz -p 2, 7zz -mmt=2
#   -0      `-0 -T2` compression of CORPUS into a file: old, new, xz, 7zz
#   -6      the same at -6, ROUNDS/2 rounds (at least 3): ~20 s a command
# Prints each command's median wall time and the medians of the rounds'
# paired ratios new/old and new/peer, old/peer (below 1: the first is
# faster). Outputs are checked: old's and new's equal xz's at -0 and -6,
# every decode reproduces CORPUS. Load average before and after: figures
# from a loaded machine do not count.
set -euo pipefail
top="$(cd "$(dirname "$0")/.." && pwd)"
rev="${1:?usage: bench/versus_commit.sh REV [ROUNDS] [CORPUS]}"
rounds="${2:-7}"
corpus="${3:-$("$top/bench/corpus.sh")}"
work="${TMPDIR:-/tmp}/parxz-versus"
bin="$work/bin"
mkdir -p "$work" "$bin"
# shellcheck source=compare_lib.sh
source "$top/bench/compare_lib.sh"
install_missing xz:xz-utils pixz:pixz 7zz:7zip /usr/bin/time:time

short="$(git -C "$top" rev-parse --short "$rev")"
tree="${TMPDIR:-/tmp}/parxz-rev-$short"
if [[ ! -d "$tree" ]]; then
  git -C "$top" worktree add -f --detach "$tree" "$short" >&2
fi
(cd "$tree" && bazel --output_base="$tree.bazel" build -c opt //tools:parxz >&2)
cp -f "$tree/bazel-bin/tools/parxz" "$bin/old"
build_parxz "$top"
mv -f "$bin/parxz" "$bin/new"
echo "new: $parxz_rev   old: $short   corpus: $corpus ($(stat -c %s "$corpus") bytes)"

xzfile="$work/$(basename "$corpus").6.b4m.xz"
if [[ ! -s "$xzfile" || "$xzfile" -ot "$corpus" ]]; then
  xz -6 -T2 --block-size=4MiB -c "$corpus" >"$xzfile.tmp"
  mv "$xzfile.tmp" "$xzfile"
fi

run() {  # run JOB TOOL: the command, its output to stdout
  local job="$1" tool="$2"
  case "$job:$tool" in
    decode:old | decode:new) "$bin/$tool" -dc -T2 "$xzfile" ;;
    decode:xz) xz -dc -T2 "$xzfile" ;;
    decode:pixz) pixz -d -p 2 <"$xzfile" ;;
    decode:7zz) 7zz e -an -txz -mmt=2 -si -so -bso0 -bsp0 <"$xzfile" ;;
    *:old | *:new) "$bin/$tool" -c -"$job" -T2 "$corpus" ;;
    *:xz) xz -c -"$job" -T2 "$corpus" ;;
    *:7zz) 7zz a -an -txz -mx="$job" -mmt=2 -si -so -bso0 -bsp0 <"$corpus" ;;
  esac
}

times="$work/times.tsv"
: >"$times"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)   cores: $(nproc)"
for job in decode 0 6; do
  tools=(old new xz 7zz)
  [[ $job == decode ]] && tools+=(pixz)
  n=$rounds
  [[ $job == 6 ]] && n=$((rounds / 2 > 3 ? rounds / 2 : 3))
  # Checked once, untimed (also the warm-up).
  for t in "${tools[@]}"; do
    if [[ $job == decode ]]; then
      run "$job" "$t" | cmp -s - "$corpus" || { echo "$t: decode differs" >&2; exit 1; }
    else
      run "$job" "$t" >"$work/$t.xz"
    fi
  done
  if [[ $job != decode ]]; then
    same_bytes "$work/old.xz" "$work/xz.xz"
    same_bytes "$work/new.xz" "$work/xz.xz"
  fi
  for ((r = 0; r < n; r++)); do
    k=${#tools[@]}
    for ((i = 0; i < k; i++)); do
      t=${tools[$(((i + r) % k))]}
      out=/dev/null
      [[ $job != decode ]] && out="$work/out.xz"
      start=$(date +%s%N)
      run "$job" "$t" >"$out"
      end=$(date +%s%N)
      printf '%s\t%s\t%s\t%s\n' "$job" "$r" "$t" "$(((end - start) / 1000))" >>"$times"
    done
  done
done
echo "load average after:  $(cut -d' ' -f1-3 /proc/loadavg)"

python3 - "$times" <<'EOF'
import statistics, sys
t = {}
for line in open(sys.argv[1]):
    job, r, tool, us = line.split()
    t.setdefault(job, {}).setdefault(tool, {})[int(r)] = int(us) / 1e6
names = {"decode": "-dc -T2 of the 4 MiB-Block file", "0": "-0 -T2", "6": "-6 -T2"}
for job, by_tool in t.items():
    rounds = sorted(by_tool["new"])
    print(f"\n{names[job]}, {len(rounds)} rounds: median seconds")
    print("  " + "   ".join(f"{k} {statistics.median(v.values()):.3f}"
                            for k, v in by_tool.items()))
    def ratio(a, b):
        return statistics.median(by_tool[a][r] / by_tool[b][r] for r in rounds)
    print(f"  new/old {ratio('new', 'old'):.3f}")
    for peer in by_tool:
        if peer in ("old", "new"):
            continue
        print(f"  vs {peer}: new/{peer} {ratio('new', peer):.3f}   "
              f"old/{peer} {ratio('old', peer):.3f}")
EOF
