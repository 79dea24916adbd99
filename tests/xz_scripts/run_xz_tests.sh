#!/usr/bin/env bash
# xz's own test scripts, from the xz-utils 5.4.1 source package of this
# machine's Debian release, run with parxz standing in as `xz`.
#
# The scripts expect an xz build tree: they run ../src/xz/xz, grep
# ../config.h for the features built in and, for test_scripts.sh, put
# ../src/xz on PATH for xzdiff/xzgrep. This script builds such a tree around
# parxz: src/xz/{xz,unxz,xzcat} are links to it (xz-utils dispatches on the
# program name, and so does parxz), config.h declares every filter, check
# and the lzip decoder, src/scripts/{xzdiff,xzgrep} are made from the same
# source the way configure makes them, and tests/create_compress_files (the
# generator of test_compress.sh's inputs) is built from it with cc. xzdec is
# not stood in for (the scripts skip it when it is missing).
#
# Usage: tests/xz_scripts/run_xz_tests.sh PARXZ [--junit FILE]
# Nothing of the source package is kept: it is fetched with
# tools/debian_source.sh into a temporary directory each run. If it cannot be
# had the script says so loudly and fails.
set -uo pipefail

if [[ $# -ne 1 && ! ($# -eq 3 && $2 == --junit) ]]; then
  echo "usage: $0 PARXZ [--junit FILE]" >&2
  exit 2
fi
parxz=$(realpath "$1")
root=$(cd "$(dirname "$0")/../.." && pwd)
source "$root/tests/script_cases.sh"
cases_init xz_scripts "${@:2}"

if [[ ! -x $parxz ]]; then
  case_result setup fail "no parxz binary at $1"
  cases_finish
  exit 1
fi
if ! "$root/tools/debian_source.sh" xz-utils '5.4.1-*' "$work/dl" \
    > "$work/fetch.log" 2>&1; then
  {
    echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"
    echo "!!! xz_scripts: the xz-utils 5.4.1 source package could not be"
    echo "!!! fetched, so xz's own tests did NOT run. tools/debian_source.sh said:"
    sed 's/^/!!!   /' "$work/fetch.log"
    echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"
  } >&2
  case_result fetch fail "xz-utils 5.4.1 source package not available: $(tail -3 "$work/fetch.log")"
  cases_finish
  exit 1
fi
tar -xf "$work"/dl/xz-utils_5.4.1.orig.tar.* -C "$work" || {
  case_result unpack fail "cannot unpack the xz-utils 5.4.1 source"
  cases_finish
  exit 1
}
src=$work/xz-5.4.1
build=$work/build
mkdir -p "$build/src/xz" "$build/src/scripts" "$build/tests"
for name in xz unxz xzcat; do
  ln -s "$parxz" "$build/src/xz/$name"
done

# What configure would have found: everything xz 5.4.1 can build.
{
  printf '#define %s 1\n' HAVE_ENCODERS HAVE_DECODERS HAVE_CHECK_CRC32 \
    HAVE_CHECK_CRC64 HAVE_CHECK_SHA256 HAVE_LZIP_DECODER \
    SIZEOF_SIZE_T HAVE__BOOL HAVE_STDBOOL_H HAVE_STDINT_H HAVE_INTTYPES_H
  for f in LZMA1 LZMA2 DELTA X86 POWERPC IA64 ARM ARMTHUMB ARM64 SPARC; do
    printf '#define HAVE_ENCODER_%s 1\n#define HAVE_DECODER_%s 1\n' "$f" "$f"
  done
} > "$build/config.h"
sed -i 's/^#define SIZEOF_SIZE_T 1$/#define SIZEOF_SIZE_T 8/' "$build/config.h"

for script in xzdiff xzgrep; do
  sed -e 's|@POSIX_SHELL@|/bin/sh|' -e 's|@xz@|xz|' \
      -e 's|@enable_path_for_scripts@||' -e 's|@PACKAGE_NAME@|XZ Utils|' \
      -e 's|@VERSION@|5.4.1|' -e 's|@PACKAGE_BUGREPORT@|xz@tukaani.org|' \
      "$src/src/scripts/$script.in" > "$build/src/scripts/$script"
  chmod +x "$build/src/scripts/$script"
done

if ! cc -std=gnu99 -DHAVE_CONFIG_H -I "$build" -I "$src/src/common" \
    -o "$build/tests/create_compress_files" \
    "$src/tests/create_compress_files.c" > "$work/cc.log" 2>&1; then
  case_result create_compress_files fail "$(cat "$work/cc.log")"
fi

run_script() {  # NAME SCRIPT [ARG]
  local name=$1 log="$work/$1.log" rc=0
  shift
  (cd "$build/tests" && srcdir="$src/tests" /bin/sh "$src/tests/$1" "${@:2}") \
    > "$log" 2>&1 || rc=$?
  case $rc in
    0) case_result "$name" pass "" ;;
    77) case_result "$name" skip "$(tail -5 "$log")" ;;
    *) case_result "$name" fail "exit status $rc: $(tail -20 "$log")" ;;
  esac
}

run_script test_files test_files.sh
for f in compress_prepared_bcj_sparc compress_prepared_bcj_x86 \
         compress_generated_abc compress_generated_random \
         compress_generated_text; do
  run_script "test_$f" test_compress.sh "$f"
done
run_script test_scripts test_scripts.sh

cases_finish
