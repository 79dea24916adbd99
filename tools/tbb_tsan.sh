#!/usr/bin/env bash
# Builds oneTBB with -fsanitize=thread (once, cached) and prints the folder
# that holds its libtbb.so.
#
# Why: ThreadSanitizer only sees synchronization in instrumented code.
# Debian's libtbb is built without it, so every hand-off between pipeline
# stages (libtbb's own atomics and futexes) looks like a data race. With this
# library the tsan run (tools/sanitize.sh tsan) needs no suppressions.
#
# The source is Debian's own: the .orig tarball of the onetbb source package
# whose version libtbb-dev has, from the Debian mirror apt uses, checked
# against the SHA-256 that Debian's Sources index gives for it. Headers stay
# /usr/include's (the same version). Debian's patches touch only non-x86
# ports and tests, so the tarball is built as it is.
#
#   tools/tbb_tsan.sh            # prints e.g. ~/.cache/parxz-tbb-tsan/2021.8.0/lib
#   PARXZ_DEBIAN_MIRROR=http://... tools/tbb_tsan.sh
set -euo pipefail

version="$(dpkg-query -W -f='${source:Upstream-Version}' libtbb-dev)"
declare -A sha256=(
  [2021.8.0]=7e9111b8bb59c8800bf6d0b06afe7b0891937443d2dae1ee1101c8e2ede6a7ef
)
if [[ -z "${sha256[$version]:-}" ]]; then
  echo "tbb_tsan.sh: no known checksum for oneTBB $version (libtbb-dev);" \
       "add the .orig.tar.xz SHA-256 from Debian's Sources index" >&2
  exit 1
fi

prefix="${PARXZ_TBB_TSAN_DIR:-$HOME/.cache/parxz-tbb-tsan}/$version"
if [[ -f "$prefix/lib/libtbb.so" && -f "$prefix/.complete" ]]; then
  echo "$prefix/lib"
  exit 0
fi

mirror="${PARXZ_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
tarball="onetbb_${version}.orig.tar.xz"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
echo "tbb_tsan.sh: building oneTBB $version with -fsanitize=thread into $prefix" >&2
curl -fsS --retry 3 -o "$work/$tarball" "$mirror/pool/main/o/onetbb/$tarball"
echo "${sha256[$version]}  $work/$tarball" | sha256sum -c --quiet -
tar -xJf "$work/$tarball" -C "$work"
src="$(find "$work" -mindepth 1 -maxdepth 1 -type d -iname 'onetbb*' | head -1)"
# The compiler must be the one Bazel uses (gcc): one TSan runtime per process.
cmake -S "$src" -B "$work/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_C_COMPILER=gcc -DCMAKE_CXX_COMPILER=g++ \
  -DTBB_SANITIZE=thread -DTBB_TEST=OFF -DTBB_EXAMPLES=OFF -DTBB_STRICT=OFF \
  -DTBBMALLOC_BUILD=OFF -DCMAKE_INSTALL_PREFIX="$prefix" \
  -DCMAKE_INSTALL_LIBDIR=lib >"$work/cmake.log" 2>&1 \
  || { tail -20 "$work/cmake.log" >&2; exit 1; }
cmake --build "$work/build" -j "$(nproc)" >"$work/build.log" 2>&1 \
  || { tail -40 "$work/build.log" >&2; exit 1; }
rm -rf "$prefix"
cmake --install "$work/build" >/dev/null
# (grep without -q: it reads all of nm's output, so pipefail sees no SIGPIPE.)
if ! nm -D "$prefix/lib/libtbb.so" | grep __tsan_ >/dev/null; then
  echo "tbb_tsan.sh: $prefix/lib/libtbb.so is not instrumented" >&2
  exit 1
fi
touch "$prefix/.complete"
echo "$prefix/lib"
