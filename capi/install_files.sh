#!/usr/bin/env bash
# Copies prebuilt C libraries and the header under PREFIX and writes
# PREFIX/lib/pkgconfig/parxz.pc (parxz_reader.h, which parxz.h includes, is
# taken from beside PARXZ_H). tools/install.sh builds the files and calls
# this; tests/capi/install_test.sh calls it with Bazel's outputs.
# Usage: install_files.sh PREFIX LIBPARXZ_SO LIBPARXZ_A PARXZ_H
set -euo pipefail
if [[ $# -ne 4 ]]; then
  echo "usage: $0 PREFIX LIBPARXZ_SO LIBPARXZ_A PARXZ_H" >&2
  exit 2
fi
prefix=$1 so=$2 archive=$3 header=$4
mkdir -p "$prefix"
prefix=$(cd "$prefix" && pwd)
version=$(cat "$(dirname "$0")/../VERSION")
mkdir -p "$prefix/lib/pkgconfig" "$prefix/include"

# The soname is libparxz.so.0 (see capi/BUILD.bazel); the linker
# finds libparxz.so, the loader libparxz.so.0.
install -m 0755 "$so" "$prefix/lib/libparxz.so.$version"
ln -sf "libparxz.so.$version" "$prefix/lib/libparxz.so.0"
ln -sf "libparxz.so.0" "$prefix/lib/libparxz.so"
install -m 0644 "$archive" "$prefix/lib/libparxz.a"
install -m 0644 "$header" "$prefix/include/parxz.h"
# parxz.h includes the random-access half, which lies beside it.
install -m 0644 "$(dirname "$header")/parxz_reader.h" \
  "$prefix/include/parxz_reader.h"

# -rpath: prefixes outside the loader's path (the usual HPC case) work
# without LD_LIBRARY_PATH. A static link (pkg-config --static) needs
# liblzma and oneTBB (their own .pc files: Requires.private) and the C++
# runtime (Libs.private).
cat > "$prefix/lib/pkgconfig/parxz.pc" <<PC
prefix=$prefix
libdir=\${prefix}/lib
includedir=\${prefix}/include

Name: parxz
Description: Parallel .xz compression (C API)
Version: $version
Cflags: -I\${includedir}
Libs: -L\${libdir} -Wl,-rpath,\${libdir} -lparxz
Requires.private: liblzma tbb
Libs.private: -lstdc++ -lm -lpthread
PC
echo "parxz: installed libparxz.so, libparxz.a, parxz.h, parxz_reader.h and parxz.pc under $prefix"
