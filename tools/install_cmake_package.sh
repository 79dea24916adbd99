#!/usr/bin/env bash
# Writes the CMake package of an installed parxz C library into
# PREFIX/lib/cmake/parxz/ (parxzConfig.cmake, parxzConfigVersion.cmake,
# parxzTargets.cmake, from the templates in tools/cmake/), so that CMake
# projects use it with
#   find_package(parxz REQUIRED)      # -DCMAKE_PREFIX_PATH=PREFIX
#   target_link_libraries(app PRIVATE parxz::parxz)   # or parxz::parxz_static
# tools/install.sh runs it after installing the libraries and parxz.h.
# Usage: tools/install_cmake_package.sh PREFIX VERSION    (VERSION: X.Y.Z)
set -euo pipefail
if [[ $# -ne 2 ]]; then
  echo "usage: $0 PREFIX VERSION" >&2
  exit 2
fi
prefix=$1 version=$2
if [[ ! $version =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]]; then
  echo "$0: VERSION must be X.Y.Z, not '$version'" >&2
  exit 2
fi
# The files the targets point at; a mismatch is an error now, not at a
# consumer's configure time.
for f in "lib/libparxz.so.$version" lib/libparxz.a include/parxz.h; do
  if [[ ! -e $prefix/$f ]]; then
    echo "$0: $prefix/$f is missing: install the libraries first" >&2
    exit 1
  fi
done

templates="$(cd "$(dirname "$0")/cmake" && pwd)"
dest="$prefix/lib/cmake/parxz"
mkdir -p "$dest"
for name in parxzConfig parxzConfigVersion parxzTargets; do
  sed -e "s/@PARXZ_VERSION@/$version/g" \
      -e "s/@PARXZ_SOVERSION@/${version%%.*}/g" \
      "$templates/$name.cmake.in" > "$dest/$name.cmake.tmp"
  mv "$dest/$name.cmake.tmp" "$dest/$name.cmake"
  chmod 0644 "$dest/$name.cmake"
done
echo "parxz: installed the CMake package (parxz::parxz, parxz::parxz_static)" \
     "under $dest"
