#!/bin/sh
# Runs the parxz command-line suite with the system Python (see cli_test.py).
root="$TEST_SRCDIR/${TEST_WORKSPACE:-parxz}"
export PARXZ="$root/tools/parxz"
exec /usr/bin/python3 "$root/tests/cli/cli_test.py" "$@"
