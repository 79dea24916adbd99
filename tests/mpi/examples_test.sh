#!/usr/bin/env bash
# The C example (built by Bazel against the C API) and the Fortran program
# (built here with mpif90 against libparxz_mpi.so) each write one .xz from 4
# ranks and read their slabs back (each checks its own). Here: the file must
# decode, with xz and with Python's lzma, to the data both programs define.
# Usage: examples_test.sh C_EXAMPLE LIBPARXZ_MPI_SO PARXZ_MPI_H EXAMPLE_F90
set -uo pipefail
c_example=$(realpath "$1")
lib=$(realpath "$2")
header=$(realpath "$3")
f90=$(realpath "$4")
source "$(dirname "$0")/mpi_env.sh"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
failures=0
fail() {
  echo "FAIL: $*" >&2
  failures=$((failures + 1))
}

# What the 4 ranks' slabs concatenate to.
python3 - <<'PY'
total = sum(100000 + 37777 * r for r in range(4))
open("expected", "wb").write(bytes((7 * i + i // 13) % 251 for i in range(total)))
PY

verify() {
  xz -t "$1" || fail "$1: xz -t"
  xz -dc "$1" | cmp -s - expected || fail "$1: xz -dc differs"
  python3 -c 'import lzma, sys
sys.exit(lzma.open(sys.argv[1]).read() != open("expected", "rb").read())' "$1" \
    || fail "$1: Python lzma"
  # The same bytes as single-node xz for the concatenation.
  xz -T2 -6 --check=sha256 --block-size=65536 -c < expected | cmp -s - "$1" \
    || fail "$1: differs from xz -T2"
}

mpi_run 4 "$c_example" c.xz || fail "C example"
verify c.xz

# Fortran: mpif90 against the shared library, as a user would build it.
mkdir lib && cp "$lib" lib/libparxz_mpi.so.0 && ln -s libparxz_mpi.so.0 lib/libparxz_mpi.so
if mpif90 -o example_f90 "$f90" -Llib -lparxz_mpi -Wl,-rpath,"$work/lib"; then
  mpi_run 4 ./example_f90 f.xz || fail "Fortran example"
  verify f.xz
else
  fail "mpif90 could not build the Fortran example"
fi
# And the C example built with mpicc against the installed-style header.
mkdir inc && cp "$header" inc/
mpicc -std=c99 -Wall -Werror -Iinc -o example_c "$(dirname "$f90")/example.c" \
    -Llib -lparxz_mpi -Wl,-rpath,"$work/lib" || fail "mpicc example.c"
mpi_run 3 ./example_c c3.xz || fail "C example (mpicc, 3 ranks)"

if ((failures)); then
  echo "$failures failure(s)" >&2
  exit 1
fi
echo "C and Fortran examples passed"
