#!/usr/bin/env bash
# Runs a Python test script with Debian's /usr/bin/python3 and the parxz
# package from Bazel's runfiles (python/parxz: sources and built .so).
# Usage (from sh_test args): run_python.sh SCRIPT [ARGS...]
set -euo pipefail
runfiles="${TEST_SRCDIR:-$0.runfiles}/parxz"
export PYTHONPATH="$runfiles/python${PYTHONPATH:+:$PYTHONPATH}"
export PYTHONDONTWRITEBYTECODE=1
script="$runfiles/$1"
shift
cd "${TEST_TMPDIR:-$(mktemp -d)}"
exec /usr/bin/python3 "$script" "$@"
