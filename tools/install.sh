#!/usr/bin/env bash
# Builds parxz's C libraries and installs them for programs built with their
# own build systems:
#   PREFIX/lib/libparxz.so{,.0,.0.1.0}  shared library (exports parxz_* only)
#   PREFIX/lib/libparxz.a               static library (link -llzma -ltbb too)
#   PREFIX/include/parxz.h              the C API
#   PREFIX/lib/pkgconfig/parxz.pc       for pkg-config
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

targets=(//parallel/capi:libparxz.so //parallel/capi:libparxz_a)
bazel build "${targets[@]}"
bin=$(bazel info bazel-bin 2>/dev/null)
parallel/capi/install_files.sh "$prefix" \
  "$bin/parallel/capi/libparxz.so" "$bin/parallel/capi/libparxz.a" \
  parallel/capi/parxz.h

if [[ -f python/install_python.sh ]]; then
  bash python/install_python.sh "$prefix"
fi

# --- CMake package (find_package(parxz): parxz::parxz, parxz::parxz_static),
# at the version install_files.sh wrote into parxz.pc.
tools/install_cmake_package.sh "$prefix" \
  "$(sed -n 's/^Version: *//p' "$prefix/lib/pkgconfig/parxz.pc")"
