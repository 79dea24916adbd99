#!/usr/bin/env bash
# Builds oneTBB with -fsanitize=thread (once, cached) and prints the folder
# that holds its libtbb.so.
#
# Why: ThreadSanitizer only sees synchronization in instrumented code.
# Debian's libtbb is built without it, so every hand-off between pipeline
# stages (libtbb's own atomics and futexes) looks like a data race. With this
# library the tsan run (tools/sanitize.sh tsan) needs no suppressions.
#
# The source is Debian's own: the .orig tarball of the upstream version
# libtbb-dev has (from the newest Debian revision of it in the archives: the
# installed one may have been superseded, the tarball stays the same),
# fetched through apt's configuration by tools/debian_source.sh (apt checks
# it against the signed Sources index) and checked here once more against
# the SHA-256 below. Headers stay /usr/include's (the same version).
# Debian's patches touch only non-x86 ports and tests, so the tarball is
# built as it is.
#
#   tools/tbb_tsan.sh            # prints e.g. ~/.cache/parxz-tbb-tsan/2021.8.0/lib
#   PARXZ_TBB_TSAN_DIR=DIR tools/tbb_tsan.sh   # builds under DIR/VERSION instead
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

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
echo "tbb_tsan.sh: building oneTBB $version with -fsanitize=thread into $prefix" >&2
source_pkg="$(dpkg-query -W -f='${source:Package}' libtbb-dev)"
debian_version="$(dpkg-query -W -f='${source:Version}' libtbb-dev)"
files="$("$(dirname "$0")/debian_source.sh" "$source_pkg" \
         "${debian_version%-*}-*" "$work/debian")"
tarball="$(grep -F "/${source_pkg}_${version}.orig.tar." <<< "$files" | head -1 || true)"
if [[ -z "$tarball" ]]; then
  echo "tbb_tsan.sh: no .orig tarball among the files of $source_pkg" \
       "$debian_version: $(tr '\n' ' ' <<< "$files")" >&2
  exit 1
fi
echo "${sha256[$version]}  $tarball" | sha256sum -c --quiet -
tar -xf "$tarball" -C "$work"
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
