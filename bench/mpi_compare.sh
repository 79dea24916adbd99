#!/usr/bin/env bash
# parxz-mpi's placements of P threads against single-node parxz, side by
# side on the same mpirun, in one run:
#
#   bench/mpi_compare.sh [CORPUS]        # default: bench/corpus.sh (sil7.tar)
#
#   ranks     mpirun -np P parxz-mpi -T1                  (P ranks x 1 thread)
#   placed    mpirun -np 1 --map-by slot:PE=P parxz-mpi -TP  (1 rank, P cores)
#   bound     mpirun -np 1 parxz-mpi -TP                  (1 rank, default
#             binding: its P threads on 1 core; parxz-mpi warns)
#   parxz     parxz -TP                                   (1 process x P threads)
#   xz        xz -TP
# all with $LEVEL --block-size=$BLOCK.
#
# Defaults: P=2, LEVEL=-6, BLOCK=4MiB, RUNS=3. The commands run in turn
# within each round (so load changes hit all alike). Each is timed with
# /usr/bin/time (wall clock including process and mpirun start-up, and the
# CPU time of it and its children: the ranks); reported per command: the
# median wall time, the median CPU seconds per wall second (P threads that
# really run in parallel give about P; the bound case about 1), and the
# median of the per-round ratios to parxz -TP (paired). The outputs are
# compared with cmp (they must be identical) and parxz-mpi -d must restore
# the input. Open MPI as root needs its consent variables, set here. The
# ranks case needs P cores (no --oversubscribe: it would change the binding).
set -euo pipefail
top="$(cd "$(dirname "$0")/.." && pwd)"
p="${P:-2}"
level="${LEVEL:--6}"
block="${BLOCK:-4MiB}"
runs="${RUNS:-3}"
work="${WORK:-${TMPDIR:-/tmp}/parxz-mpi-compare}"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_btl=self,vader

corpus="${1:-$("$top/bench/corpus.sh")}"
(cd "$top" && bazel build -c opt //tools:parxz //tools/mpi:parxz-mpi >&2)
mkdir -p "$work/bin"
rm -rf "$work/run" && mkdir -p "$work/run"
cp -f "$top/bazel-bin/tools/parxz" "$top/bazel-bin/tools/mpi/parxz-mpi" "$work/bin/"
cp -f "$corpus" "$work/run/input"
cd "$work/run"
in_bytes=$(stat -c %s input)
opts=("$level" "--block-size=$block")
pm="$work/bin/parxz-mpi"

names=(ranks placed bound parxz xz)
declare -A label=(
  [ranks]="mpirun -np $p parxz-mpi -T1"
  [placed]="mpirun -np 1 --map-by slot:PE=$p parxz-mpi -T$p"
  [bound]="mpirun -np 1 parxz-mpi -T$p (bound)"
  [parxz]="parxz -T$p"
  [xz]="xz -T$p")
declare -A wall cpu ratio
# run NAME OUTPUT COMMAND...: times COMMAND, which writes OUTPUT.
run() {
  local name=$1 out=$2
  shift 2
  rm -f "$out"
  /usr/bin/time -f '%e %U %S' -o time.txt "$@" 2> "$name.err" ||
    { cat "$name.err" >&2; exit 1; }
  cmp -s "$out" ref.xz || { echo "$name: output differs from parxz" >&2; exit 1; }
  read -r e u s < time.txt
  wall[$name]+="$e "
  cpu[$name]+="$(echo "($u + $s) / $e" | bc -l) "
  last[$name]=$e
}
declare -A last
"$work/bin/parxz" -T"$p" "${opts[@]}" -c input > ref.xz
for ((i = 1; i <= runs; i++)); do
  run ranks input.xz mpirun -np "$p" "$pm" -T1 "${opts[@]}" -k -f input
  run placed input.xz mpirun -np 1 --map-by slot:PE="$p" "$pm" -T"$p" \
    "${opts[@]}" -k -f input
  run bound input.xz mpirun -np 1 "$pm" -T"$p" "${opts[@]}" -k -f input
  run parxz parxz.xz bash -c '"$0" -T"$1" "${@:2}" -c input > parxz.xz' \
    "$work/bin/parxz" "$p" "${opts[@]}"
  run xz xz.xz bash -c 'xz -T"$0" "$@" -c input > xz.xz' "$p" "${opts[@]}"
  for n in "${names[@]}"; do
    ratio[$n]+="$(echo "${last[$n]} / ${last[parxz]}" | bc -l) "
  done
  echo "round $i: outputs identical" >&2
done
grep -q 'map-by slot:PE' bound.err ||
  { echo "the bound case did not warn: $(cat bound.err)" >&2; exit 1; }
grep -q 'map-by slot:PE' placed.err ranks.err &&
  { echo "a placed case warned" >&2; exit 1; }
mv input.xz mpi.xz
rm input
mpirun -np "$p" "$pm" -d -k mpi.xz
cmp mpi "$corpus" || { echo "parxz-mpi -d did not restore the input" >&2; exit 1; }

median() { tr ' ' '\n' <<<"$1" | grep . | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
out_bytes=$(stat -c %s mpi.xz)
printf '%s: %d bytes -> %d bytes, %s --block-size=%s, median of %d\n' \
  "$(basename "$corpus")" "$in_bytes" "$out_bytes" "$level" "$block" "$runs"
printf '%-50s %8s %8s %9s %10s\n' command seconds MB/s cpu/wall "/parxz"
for n in "${names[@]}"; do
  t=$(median "${wall[$n]}")
  printf '%-50s %8.2f %8.1f %9.2f %10.3f\n' "${label[$n]}" "$t" \
    "$(echo "$in_bytes / $t / 1000000" | bc -l)" "$(median "${cpu[$n]}")" \
    "$(median "${ratio[$n]}")"
done
echo "the bound case's warning: $(grep -h 'map-by' bound.err | head -1)"
for n in "${names[@]}"; do echo "all times (s) ${label[$n]}: ${wall[$n]}"; done
