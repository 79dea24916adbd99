#!/usr/bin/env bash
# parxz-mpi under mpirun with 1 to 4 ranks: its .xz equals `parxz -T2` and
# `xz -T2` byte for byte, -d restores the input, `xz -t` and Python's lzma
# read every output, and failures (missing input, a corrupt Block, an output
# directory that cannot be written) make every rank report the error with
# status 1, leave no output and no temporary file, and keep the input.
# Usage: cli_test.sh PARXZ_MPI PARXZ
set -uo pipefail
pm=$(realpath "$1")
parxz=$(realpath "$2")
source "$(dirname "$0")/mpi_env.sh"
work=$(mktemp -d)
chmod 755 "$work"
trap 'rm -rf "$work"' EXIT
cd "$work"
failures=0
fail() {
  echo "FAIL: $*" >&2
  failures=$((failures + 1))
}
ok() { echo "ok: $*"; }

# ~700 KB of text-like data with some noise, deterministic.
python3 - <<'PY'
import random
r = random.Random(3)
words = [b"alpha ", b"beta ", b"gamma ", b"rank ", b"block ", b"\n", b"xz "]
out = bytearray()
while len(out) < 700000:
    out += r.choice(words) if r.random() < 0.97 else bytes([r.randrange(256)])
open("data", "wb").write(bytes(out[:700000]))
open("empty", "wb").write(b"")
PY

# compare NP NAME OPTIONS...: parxz-mpi's FILE.xz against parxz and xz.
compare() {
  local np=$1 src=$2
  shift 2
  cp "$src" "in$np"
  rm -f "in$np.xz"
  if ! mpi_run "$np" "$pm" "$@" "in$np" 2> err; then
    fail "np=$np $src $*: status $(cat err)"
    return
  fi
  [[ -e in$np ]] && fail "np=$np $src: input not removed without -k"
  local xzopts=("$@")
  # -T is threads per rank for parxz-mpi; the references use -T2.
  xzopts=("${xzopts[@]/-T1/-T2}")
  xz -T2 "${xzopts[@]}" -c "$src" > ref.xz
  "$parxz" -T2 "${xzopts[@]}" -c "$src" > ref2.xz
  cmp -s ref.xz "in$np.xz" || fail "np=$np $src $*: differs from xz -T2"
  cmp -s ref2.xz "in$np.xz" || fail "np=$np $src $*: differs from parxz -T2"
  xz -t "in$np.xz" || fail "np=$np $src $*: xz -t"
  python3 -c 'import lzma, sys
sys.exit(lzma.open(sys.argv[1]).read() != open(sys.argv[2], "rb").read())' \
    "in$np.xz" "$src" || fail "np=$np $src $*: Python lzma"
  mpi_run "$np" "$pm" -t "in$np.xz" || fail "np=$np $src $*: parxz-mpi -t"
  mpi_run "$np" "$pm" -d "in$np.xz" || fail "np=$np $src $*: parxz-mpi -d"
  cmp -s "in$np" "$src" || fail "np=$np $src $*: -d did not restore it"
  [[ -e in$np.xz ]] && fail "np=$np $src $*: -d kept the .xz without -k"
  rm -f "in$np"
  ok "np=$np $src $*"
}

for np in 1 2 3 4; do
  compare "$np" data -6
  compare "$np" data -0 --block-size=64KiB -C sha256 -T1
  compare "$np" data -1e --block-size=100000 -C crc32 -T2
  compare "$np" empty -6
done
compare 3 data -0 --block-size=1MiB -C none  # fewer Blocks than ranks

# Files parxz-mpi did not write: xz -T1's single Block without sizes, several
# Streams and Stream Padding, decoded through the combined Index.
head -c 200000 data > part
xz -T1 -c part > multi.xz
printf '\0\0\0\0' >> multi.xz
xz -T2 -0 --block-size=30000 -C sha256 -c part >> multi.xz
printf '\0\0\0\0\0\0\0\0' >> multi.xz
xz -dc multi.xz > multi.expect
if mpi_run 3 "$pm" -d -k multi.xz && cmp -s multi multi.expect; then
  ok "-d of xz -T1 output, two Streams and padding"
else
  fail "-d of a multi-Stream file"
fi

# -k keeps the input; an existing output is refused without -f.
cp data k && mpi_run 2 "$pm" -k -0 k && [[ -e k && -e k.xz ]] \
  && ok "-k keeps the input" || fail "-k"
mpi_run 2 "$pm" -k -0 k 2> err
[[ $? -eq 1 ]] && grep -q 'k.xz: File exists' err && ok "existing output" \
  || fail "existing output: $(cat err)"
mpi_run 2 "$pm" -k -f -0 k && ok "-f replaces" || fail "-f"

# Missing input: every rank says so, status 1.
mpi_run 3 "$pm" missing 2> err
status=$?
n=$(grep -c 'parxz-mpi: missing: .*No such file or directory' err)
[[ $status -eq 1 && $n -eq 3 ]] && ok "missing input reported by 3 ranks" \
  || fail "missing input: status $status, $n reports: $(cat err)"

# A corrupt Block in the middle: every rank fails, no output, input kept.
"$parxz" -T2 -0 --block-size=64KiB -c data > bad.xz
python3 - <<'PY'
data = bytearray(open("bad.xz", "rb").read())
data[len(data) // 2] ^= 0x55
open("bad.xz", "wb").write(bytes(data))
PY
cp bad.xz bad.copy
mpi_run 4 "$pm" -d bad.xz 2> err
status=$?
n=$(grep -c 'parxz-mpi: bad.xz: ' err)
if [[ $status -eq 1 && $n -eq 4 && ! -e bad ]] && cmp -s bad.xz bad.copy; then
  ok "corrupt Block: 4 ranks report, no output, input kept"
else
  fail "corrupt Block: status $status, $n reports, $(ls) $(cat err)"
fi
mpi_run 2 "$pm" -t bad.xz 2> /dev/null && fail "-t accepted a corrupt file" \
  || ok "-t fails on a corrupt Block"
# Every rank names the compressed byte, as parxz names it for this file.
want=$("$parxz" -t bad.xz 2>&1 | grep -o '(at compressed byte [0-9]*)')
mpi_run 2 "$pm" -t bad.xz 2> err
n=$(grep -cF -- "$want" err)
[[ -n $want && $n -eq 2 ]] && ok "corrupt Block: the offset reaches every rank" \
  || fail "corrupt Block offset: parxz says '$want', parxz-mpi: $(cat err)"

# An output directory that cannot be written: a read-only directory, as a
# user without rights there (root ignores permissions: run as nobody).
# Everything the other user touches lives under /tmp (Bazel's test
# directories are inside root's home, which others cannot enter).
as_user=()
if [[ $(id -u) -eq 0 ]] && command -v setpriv > /dev/null; then
  as_user=(setpriv --reuid=65534 --regid=65534 --clear-groups)
fi
if [[ $(id -u) -ne 0 || ${#as_user[@]} -gt 0 ]]; then
  outside=$(mktemp -d -p /tmp parxz-mpi-ro.XXXXXX)
  chmod 755 "$outside"
  mkdir "$outside/ro" "$outside/tmp"
  chmod 1777 "$outside/tmp"
  cp data "$outside/ro/data" && chmod 644 "$outside/ro/data"
  chmod 555 "$outside/ro"
  # The user must be able to run it: a copy outside Bazel's root-only cache.
  cp "$pm" "$outside/parxz-mpi" && chmod 755 "$outside/parxz-mpi"
  (cd "$outside" && "${as_user[@]}" env TMPDIR="$outside/tmp" \
    timeout --kill-after=10 120 mpirun --oversubscribe --bind-to none -np 2 \
    ./parxz-mpi -0 ro/data) 2> err
  status=$?
  n=$(grep -c 'Permission denied' err)
  left=$(ls -A "$outside/ro")
  if [[ $status -eq 1 && $n -eq 2 && $left == data ]] &&
      cmp -s "$outside/ro/data" data; then
    ok "unwritable directory: 2 ranks report, nothing left, input kept"
  else
    fail "unwritable directory: status $status, $n reports, left: $left; $(cat err)"
  fi
  chmod 755 "$outside/ro"
  rm -rf "$outside"
else
  echo "SKIP: unwritable directory (root without setpriv)"
fi

# Threads per rank against the CPUs of the rank. Open MPI's default binding
# (no --bind-to) puts one rank on one core: -T2 warns once, naming the
# mpirun options that give the rank its cores, and -T0 uses 1 thread; with
# --map-by slot:PE=2 or --bind-to none there is no warning.
mpi_bound() {
  timeout --kill-after=10 "${PARXZ_MPI_TIMEOUT:-120}" mpirun "$@"
}
if (($(nproc) >= 2)); then
  "$parxz" -T2 -6 -c data > threads.ref
  check_threads() {  # NAME WARNINGS EXPECTED-LINE MPIRUN-ARGS...
    local name=$1 warnings=$2 line=$3
    shift 3
    rm -f tdata.xz
    cp data tdata
    if ! mpi_bound --report-bindings "$@" tdata 2> err; then
      fail "$name: status $(cat err)"
      return
    fi
    local n
    n=$(grep -c -- 'mpirun --map-by slot:PE=2`, or leave threads unbound with `mpirun --bind-to none`' err)
    [[ $n -eq $warnings ]] || fail "$name: $n warnings, not $warnings: $(cat err)"
    grep -qF -- "$line" err || fail "$name: no '$line' in: $(cat err)"
    grep -q TBB err && fail "$name: oneTBB complains: $(cat err)"
    cmp -s tdata.xz threads.ref || fail "$name: differs from parxz -T2"
    ok "$name"
  }
  check_threads "default binding, -T2: one warning" 1 \
    "Using 2 threads per rank on 1 ranks; the fewest CPUs a rank may run on: 1 CPU (rank 0)" \
    -np 1 "$pm" -T2 -6 -v
  # The binding itself, as mpirun reports it, so that the case means what
  # it says.
  grep -q 'rank 0 bound to.*core' err || fail "default binding: not bound: $(cat err)"
  check_threads "default binding, -T0: 1 thread, no warning" 0 \
    "Using 1 threads per rank (-T0: rank 0's CPUs)" -np 1 "$pm" -T0 -6 -v
  check_threads "--map-by slot:PE=2 -T2: no warning" 0 \
    "the fewest CPUs a rank may run on: 2 CPUs" \
    -np 1 --map-by slot:PE=2 "$pm" -T2 -6 -v
  check_threads "--bind-to none -T2: no warning" 0 \
    "Using 2 threads per rank" -np 1 --bind-to none "$pm" -T2 -6 -v
  check_threads "2 ranks bound, -T2: one warning from rank 0" 1 \
    "the fewest CPUs a rank may run on: 1 CPU" -np 2 "$pm" -T2 -6 -v
  check_threads "-q: no warning" 0 "" -np 1 "$pm" -T2 -6 -q
else
  echo "SKIP: threads against the binding (one CPU)"
fi

leftover=$(find . -name '.*parxz-*' | head -1)
[[ -z $leftover ]] || fail "temporary file left: $leftover"

if ((failures)); then
  echo "$failures failure(s)" >&2
  exit 1
fi
echo "all parxz-mpi cases passed"
