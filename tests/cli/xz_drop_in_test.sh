#!/bin/sh
# Runs the xz drop-in comparisons, part 2 (xz_drop_in_test.py) with the system Python.
root="$TEST_SRCDIR/${TEST_WORKSPACE:-parxz}"
export PARXZ="$root/tools/parxz"
exec /usr/bin/python3 "$root/tests/cli/xz_drop_in_test.py" "$@"
