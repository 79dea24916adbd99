#!/usr/bin/env bash
# parxz-mpi against single-node parxz and xz, side by side in one run:
#
#   bench/mpi_compare.sh [CORPUS]        # default: bench/corpus.sh (sil7.tar)
#
#   mpirun -np $NP parxz-mpi -T1 $LEVEL --block-size=$BLOCK   (NP ranks x 1 thread)
#   parxz -T$NP $LEVEL --block-size=$BLOCK                     (1 process x NP threads)
#   xz    -T$NP $LEVEL --block-size=$BLOCK
#
# Defaults: NP=2, LEVEL=-6, BLOCK=4MiB, RUNS=3. The three commands run in
# turn within each round (so load changes hit all three alike); each time is
# wall clock including process (and mpirun) start-up, the median of RUNS is
# reported, with the ratios parxz-mpi/parxz and parxz-mpi/xz. The three
# outputs are compared with cmp (they must be identical) and parxz-mpi -d
# must restore the input. Open MPI as root needs its consent variables,
# which are set here; --oversubscribe lets NP exceed the cores.
set -euo pipefail
top="$(cd "$(dirname "$0")/.." && pwd)"
np="${NP:-2}"
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

now() { date +%s.%N; }
declare -A times
run() {  # NAME COMMAND...: appends the wall time of COMMAND to times[NAME]
  local name=$1 t0 t1
  shift
  t0=$(now)
  "$@"
  t1=$(now)
  times[$name]+="$(echo "$t1 - $t0" | bc -l) "
}

for ((i = 1; i <= runs; i++)); do
  rm -f input.xz
  run parxz-mpi mpirun --oversubscribe --bind-to none -np "$np" \
    "$work/bin/parxz-mpi" -T1 "${opts[@]}" -k input
  run parxz bash -c '"$0" -T"$1" "${@:2}" -c input > parxz.xz' \
    "$work/bin/parxz" "$np" "${opts[@]}"
  run xz bash -c 'xz -T"$0" "$@" -c input > xz.xz' "$np" "${opts[@]}"
  cmp input.xz parxz.xz || { echo "parxz-mpi and parxz differ" >&2; exit 1; }
  cmp input.xz xz.xz || { echo "parxz-mpi and xz differ" >&2; exit 1; }
  echo "round $i: outputs identical" >&2
done
mv input.xz mpi.xz
rm input
mpirun --oversubscribe --bind-to none -np "$np" "$work/bin/parxz-mpi" -d -k mpi.xz
cmp mpi "$corpus" || { echo "parxz-mpi -d did not restore the input" >&2; exit 1; }

median() { tr ' ' '\n' <<<"$1" | grep . | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
m_mpi=$(median "${times[parxz-mpi]}")
m_parxz=$(median "${times[parxz]}")
m_xz=$(median "${times[xz]}")
out_bytes=$(stat -c %s mpi.xz)
printf '%s: %d bytes -> %d bytes, %s --block-size=%s, median of %d\n' \
  "$(basename "$corpus")" "$in_bytes" "$out_bytes" "$level" "$block" "$runs"
printf '%-34s %9s %9s\n' command seconds MB/s
for row in "mpirun -np $np parxz-mpi -T1:$m_mpi" "parxz -T$np:$m_parxz" \
           "xz -T$np:$m_xz"; do
  name=${row%:*} t=${row##*:}
  printf '%-34s %9.2f %9.1f\n' "$name" "$t" "$(echo "$in_bytes / $t / 1000000" | bc -l)"
done
printf 'ratio parxz-mpi / parxz: %.3f\n' "$(echo "$m_mpi / $m_parxz" | bc -l)"
printf 'ratio parxz-mpi / xz:    %.3f\n' "$(echo "$m_mpi / $m_xz" | bc -l)"
printf 'all times (s): parxz-mpi: %s| parxz: %s| xz: %s\n' \
  "${times[parxz-mpi]}" "${times[parxz]}" "${times[xz]}"
