#!/usr/bin/env bash
# The Python package as pip users install it, offline:
#   1. a venv of Debian's /usr/bin/python3, `pip install --no-index ./python`
#      (the in-tree build backend drives Bazel; no package index is reached);
#   2. in that venv: a round trip with threads whose output xz reads, and
#      CPython's own test_lzma.py with parxz swapped in
#      (tests/python/run_cpython_test_lzma.py);
#   3. the same for another CPython 3.11 on the machine (pyenv's, where
#      present; skipped with the reason otherwise).
# It runs Bazel (through pip), so tools/test.sh calls it outside Bazel.
# Prints 'N passed, N failed, N skipped'; --junit FILE writes JUnit XML for
# tools/count_tests.py.
# Usage: tests/pip/pip_install_test.sh [--junit FILE]
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
source tests/script_cases.sh
cases_init pip_install_test "$@"

# venv NAME PYTHON: a fresh virtual environment.
venv() { "$2" -m venv "$work/$1"; }
install() { "$work/$1/bin/pip" install --no-index --no-cache-dir ./python; }
# The package must come from the venv, not from this tree.
round_trip() {
  local py=$work/$1/bin/python
  (cd "$work" && "$py" - "$work/$1.xz") <<'PY'
import os, pathlib, sys
import parxz.lzma as lzma
assert pathlib.Path(lzma.__file__).is_relative_to(sys.prefix), lzma.__file__
data = os.urandom(300_000) + b"parxz " * 400_000
xz = lzma.compress(data, threads=2, block_size=1 << 20)
assert lzma.decompress(xz, threads=2) == data
assert lzma.decompress(xz) == data
open(sys.argv[1], "wb").write(xz)
print("ok", len(data), "->", len(xz))
PY
  xz -t "$work/$1.xz" &&
  [[ $(xz --robot -lv "$work/$1.xz" | grep -c '^block') -ge 3 ]]
}
cpython_tests() {
  (cd "$work" && "$work/$1/bin/python" \
     "$OLDPWD/tests/python/run_cpython_test_lzma.py")
}

for py in debian:/usr/bin/python3 \
          other:"$(ls -d /root/.pyenv/versions/3.11*/bin/python3 \
                     2>/dev/null | head -1)"; do
  name=${py%%:*} exe=${py#*:}
  if [[ -z $exe || ! -x $exe ]]; then
    case_skip "$name"_python "no other CPython 3.11 on this machine"
    continue
  fi
  case_ "$name"_venv venv "$name" "$exe"
  case_ "$name"_pip_install_no_index install "$name"
  case_ "$name"_round_trip_threads round_trip "$name"
  case_ "$name"_cpython_test_lzma cpython_tests "$name"
done
cases_finish
