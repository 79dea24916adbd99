#!/usr/bin/env bash
# Builds parxz's C libraries and installs them for programs built with their
# own build systems:
#   PREFIX/lib/libparxz.so{,.0,.0.1.0}  shared library (exports parxz_* only)
#   PREFIX/lib/libparxz.a               static library (link -llzma -ltbb too)
#   PREFIX/include/parxz.h              the C API (and parxz_reader.h, which
#                                       it includes: random access)
#   PREFIX/lib/pkgconfig/parxz.pc       for pkg-config (Requires.private:
#                                       liblzma tbb)
#   PREFIX/lib/cmake/parxz/             find_package(parxz): parxz::parxz,
#                                       parxz::parxz_static
#   PREFIX/bin/parxz                    the command line (and the links
#                                       unparxz, parxzcat)
#   PREFIX/share/man/man1/parxz.1       its manual page
#   PREFIX/lib/libparxz_mpi.*, include/parxz_mpi.h, lib/pkgconfig/
#     parxz_mpi.pc, bin/parxz-mpi       with Open MPI only (mpi/)
# and, where python/install_python.sh exists, the Python package.
# Usage: tools/install.sh PREFIX
#   then: PKG_CONFIG_PATH=PREFIX/lib/pkgconfig \
#         cc prog.c $(pkg-config --cflags --libs parxz)
set -euo pipefail
if [[ $# -ne 1 ]]; then
  echo "usage: $0 PREFIX" >&2
  exit 2
fi
mkdir -p "$1"
prefix=$(cd "$1" && pwd)
cd "$(dirname "$0")/.."

targets=(//capi:libparxz.so //capi:libparxz_a //tools:parxz)
bazel build "${targets[@]}"
bin=$(bazel info bazel-bin 2>/dev/null)
capi/install_files.sh "$prefix" \
  "$bin/capi/libparxz.so" "$bin/capi/libparxz.a" \
  capi/parxz.h

install -d "$prefix/bin" "$prefix/share/man/man1"
install -m 0755 "$bin/tools/parxz" "$prefix/bin/parxz"
# parxz acts by the name it is called by, as xz-utils' links do: unparxz is
# `parxz -d`, parxzcat `parxz -dc`. To stand in for xz, put links named xz,
# unxz and xzcat to parxz in a directory early on PATH (see parxz(1)).
ln -sf parxz "$prefix/bin/unparxz"
ln -sf parxz "$prefix/bin/parxzcat"
install -m 0644 tools/parxz.1 "$prefix/share/man/man1/parxz.1"

# --- MPI (mpi/, tools/mpi/), only where Open MPI is installed:
# libparxz_mpi.{so,a}, parxz_mpi.h, parxz_mpi.pc and bin/parxz-mpi.
if pkg-config --exists ompi-c 2> /dev/null; then
  bazel build //mpi:libparxz_mpi.so //mpi:libparxz_mpi_a //tools/mpi:parxz-mpi
  mpi/install_files.sh "$prefix" "$bin/mpi/libparxz_mpi.so" \
    "$bin/mpi/libparxz_mpi.a" mpi/parxz_mpi.h "$bin/tools/mpi/parxz-mpi"
fi

if [[ -f python/install_python.sh ]]; then
  bash python/install_python.sh "$prefix"
fi

# --- CMake package (find_package(parxz): parxz::parxz, parxz::parxz_static),
# at the version install_files.sh wrote into parxz.pc.
tools/install_cmake_package.sh "$prefix" \
  "$(sed -n 's/^Version: *//p' "$prefix/lib/pkgconfig/parxz.pc")"
