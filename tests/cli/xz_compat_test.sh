#!/bin/sh
# Runs the xz drop-in comparisons (xz_compat_test.py) with the system Python.
root="$TEST_SRCDIR/${TEST_WORKSPACE:-parxz}"
export PARXZ="$root/tools/parxz"
exec /usr/bin/python3 "$root/tests/cli/xz_compat_test.py" "$@"
