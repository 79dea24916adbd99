#!/usr/bin/env bash
# Copies the prebuilt libparxz_mpi and parxz-mpi under PREFIX and writes
# PREFIX/lib/pkgconfig/parxz_mpi.pc. tools/install.sh builds the files and
# calls this when Open MPI is installed; tests/mpi/install_test.sh calls it
# with Bazel's outputs.
# Usage: install_files.sh PREFIX LIBPARXZ_MPI_SO LIBPARXZ_MPI_A PARXZ_MPI_H [PARXZ_MPI]
set -euo pipefail
if [[ $# -lt 4 || $# -gt 5 ]]; then
  echo "usage: $0 PREFIX LIBPARXZ_MPI_SO LIBPARXZ_MPI_A PARXZ_MPI_H [PARXZ_MPI]" >&2
  exit 2
fi
prefix=$1 so=$2 archive=$3 header=$4 cli=${5:-}
mkdir -p "$prefix"
prefix=$(cd "$prefix" && pwd)
version=$(cat "$(dirname "$0")/../VERSION")
mkdir -p "$prefix/lib/pkgconfig" "$prefix/include"

install -m 0755 "$so" "$prefix/lib/libparxz_mpi.so.$version"
ln -sf "libparxz_mpi.so.$version" "$prefix/lib/libparxz_mpi.so.0"
ln -sf "libparxz_mpi.so.0" "$prefix/lib/libparxz_mpi.so"
install -m 0644 "$archive" "$prefix/lib/libparxz_mpi.a"
install -m 0644 "$header" "$prefix/include/parxz_mpi.h"
if [[ -n $cli ]]; then
  install -d "$prefix/bin"
  install -m 0755 "$cli" "$prefix/bin/parxz-mpi"
fi

# parxz_mpi.h includes <mpi.h>: Open MPI's pkg-config file (ompi-c) gives
# its flags. libparxz_mpi carries its own copy of parxz's engine, so parxz
# (for parxz.h's users) is a companion, not a link dependency of it; a
# static link needs liblzma, oneTBB and the C++ runtime.
cat > "$prefix/lib/pkgconfig/parxz_mpi.pc" <<PC
prefix=$prefix
libdir=\${prefix}/lib
includedir=\${prefix}/include

Name: parxz_mpi
Description: Many MPI ranks write and read one .xz file (C API, MPI-IO)
Version: $version
Requires: parxz ompi-c
Cflags: -I\${includedir}
Libs: -L\${libdir} -Wl,-rpath,\${libdir} -lparxz_mpi
Requires.private: liblzma tbb
Libs.private: -lstdc++ -lm -lpthread
PC
echo "parxz: installed libparxz_mpi.so, libparxz_mpi.a, parxz_mpi.h and parxz_mpi.pc under $prefix"
