#!/usr/bin/env bash
# Installs libparxz_mpi into a temporary prefix with mpi/install_files.sh
# (what tools/install.sh runs where Open MPI is installed), then builds
# tests/mpi/example.c with plain `cc` and `pkg-config parxz_mpi` (whose
# Requires: ompi-c brings MPI's flags), shared and static, and runs both on
# 2 ranks. The shared library must export exactly parxz_mpi.h's functions.
# Usage: install_test.sh LIBPARXZ_MPI_SO LIBPARXZ_MPI_A PARXZ_MPI_H EXAMPLE_C
set -euo pipefail
fail() { echo "FAIL: $*" >&2; exit 1; }
so=$(realpath "$1") archive=$(realpath "$2") header=$(realpath "$3")
example=$(realpath "$4")
source "$(dirname "$0")/mpi_env.sh"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
prefix=$work/prefix
mpi/install_files.sh "$prefix" "$so" "$archive" "$header"
for f in lib/libparxz_mpi.so lib/libparxz_mpi.so.0 lib/libparxz_mpi.a \
         include/parxz_mpi.h lib/pkgconfig/parxz_mpi.pc; do
  [[ -e $prefix/$f ]] || fail "$f not installed"
done
# parxz_mpi.pc requires parxz.pc, which capi/install_files.sh installs with
# libparxz; a stand-in here keeps this test to the MPI library.
printf 'Name: parxz\nDescription: stand-in\nVersion: 0\nCflags:\nLibs:\n' \
  > "$prefix/lib/pkgconfig/parxz.pc"

export PKG_CONFIG_PATH=$prefix/lib/pkgconfig
cc -std=c99 -Wall -Wextra -Werror "$example" \
  $(pkg-config --cflags --libs parxz_mpi) -o "$work/example"
deps=$(ldd "$work/example")
grep -q "libparxz_mpi.so.0 => $prefix/lib/" <<<"$deps" ||
  fail "example is not linked against the installed libparxz_mpi.so"
cc -std=c99 "$example" $(pkg-config --cflags parxz_mpi) \
  "$prefix/lib/libparxz_mpi.a" \
  $(pkg-config --static --libs parxz_mpi | sed 's/-lparxz_mpi//') \
  -o "$work/example_static"
deps=$(ldd "$work/example_static")
! grep -q libparxz <<<"$deps" || fail "the static example needs libparxz_mpi.so"

mpi_run 2 "$work/example" "$work/a.xz" || fail "shared example"
mpi_run 2 "$work/example_static" "$work/b.xz" || fail "static example"
cmp "$work/a.xz" "$work/b.xz" || fail "shared and static outputs differ"
xz -t "$work/a.xz" || fail "xz -t"

exported=$(nm -D --defined-only "$prefix/lib/libparxz_mpi.so" |
  awk '{print $3}' | sort)
declared=$(grep -o 'parxz_mpi_[a-z_]*(' "$header" | tr -d '(' | sort -u)
[[ $exported == "$declared" ]] ||
  fail "exports differ from the header: $exported vs $declared"
echo "install test passed"
