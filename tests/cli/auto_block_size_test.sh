#!/bin/sh
# Runs the --block-size=auto and memory-limit tests (auto_block_size_test.py)
# with the system Python.
root="$TEST_SRCDIR/${TEST_WORKSPACE:-parxz}"
export PARXZ="$root/tools/parxz"
exec /usr/bin/python3 "$root/tests/cli/auto_block_size_test.py" "$@"
