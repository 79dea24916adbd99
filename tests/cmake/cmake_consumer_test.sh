#!/usr/bin/env bash
# The installed CMake package, used as a CMake project would use it:
#   1. tools/install.sh into a temporary PREFIX;
#   2. tests/cmake configured with -DCMAKE_PREFIX_PATH=PREFIX and built against
#      parxz::parxz (libparxz.so) and parxz::parxz_static (libparxz.a);
#   3. both programs round-trip a file, and `xz -d` reads what they wrote;
#   4. the same after moving PREFIX elsewhere (the package is relocatable).
# It runs Bazel (through tools/install.sh), so it cannot run inside Bazel's
# sandbox: tools/test.sh calls it. Prints 'N passed, N failed'; with
# --junit FILE it also writes the cases as JUnit XML for tools/count_tests.py.
# Usage: tests/cmake/cmake_consumer_test.sh [--junit FILE]
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
source tests/script_cases.sh
cases_init cmake_consumer_test "$@"

# ~2.6 MiB of text and random bytes: three 1 MiB Blocks.
python3 - "$work/input" <<'PY'
import random, sys
rng = random.Random(17)
parts = [rng.randbytes(20000) if i % 3 == 2 else
         b" ".join(rng.choice([b"parallel", b"xz", b"block", b"cmake"])
                   for _ in range(20000)) for i in range(40)]
open(sys.argv[1], "wb").write(b"".join(parts)[:2_700_000])
PY

install() { tools/install.sh "$work/prefix"; }
package_files() {
  local d=$work/prefix/lib/cmake/parxz
  ls "$d/parxzConfig.cmake" "$d/parxzConfigVersion.cmake" \
     "$d/parxzTargets.cmake" &&
  # Relocatable: no path of this installation inside.
  ! grep -n "$work" "$d"/*.cmake
}
# build BUILD_DIR PREFIX: configure and build tests/cmake against PREFIX.
build() {
  cmake -S tests/cmake -B "$1" -DCMAKE_PREFIX_PATH="$2" \
        -DCMAKE_BUILD_TYPE=Release &&
  cmake --build "$1" -j 2
}
# round_trip PROGRAM LIBDIR_EXPECTED|static: runs it, checks with xz.
round_trip() {
  local prog=$1 out libs
  out=$work/$(basename "$1").xz
  # ldd's whole output first: `ldd | grep -q` under pipefail fails when grep
  # stops reading early and ldd dies of SIGPIPE.
  libs=$(ldd "$prog") || return 1
  if [[ $2 == static ]]; then
    if grep libparxz <<< "$libs"; then
      echo "$prog needs libparxz.so"; return 1
    fi
  else
    grep -q "libparxz.so.0 => $2/libparxz.so.0" <<< "$libs" ||
      { echo "$libs"; echo "$prog does not load $2/libparxz.so.0"; return 1; }
  fi
  "$prog" "$work/input" "$out" &&
  xz -t "$out" &&
  xz -dc "$out" | cmp - "$work/input" &&
  [[ $(xz --robot -lv "$out" | grep -c '^block') -eq 3 ]]
}
relocate() { mv "$work/prefix" "$work/moved"; }

case_ install install
case_ cmake_package_files package_files
case_ cmake_configure_and_build build "$work/build" "$work/prefix"
case_ shared_round_trip round_trip "$work/build/round_trip_shared" \
  "$work/prefix/lib"
case_ static_round_trip round_trip "$work/build/round_trip_static" static
case_ relocated_prefix_build relocate
case_ relocated_configure_and_build build "$work/build2" "$work/moved"
case_ relocated_shared_round_trip round_trip \
  "$work/build2/round_trip_shared" "$work/moved/lib"
case_ relocated_static_round_trip round_trip \
  "$work/build2/round_trip_static" static
# find_package(parxz 99.0) must refuse this installation, saying its version.
too_new() {
  local out
  if out=$(cmake -S tests/cmake -B "$work/build3" \
             -DCMAKE_PREFIX_PATH="$work/moved" -DPARXZ_FIND_VERSION=99.0 2>&1)
  then
    echo "find_package(parxz 99.0) accepted it"; return 1
  fi
  grep -q 'version: [0-9]' <<< "$out" || { echo "$out"; return 1; }
}
case_ version_check_refuses_99 too_new

cases_finish
