#!/bin/sh
# parxz --tar-list / --tar-extract against GNU tar and pixz (tar_members_test.py).
root="$TEST_SRCDIR/${TEST_WORKSPACE:-parxz}"
export PARXZ="$root/tools/parxz"
exec /usr/bin/python3 "$root/tests/cli/tar_members_test.py" "$@"
