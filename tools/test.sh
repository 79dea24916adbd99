#!/usr/bin/env bash
# Installs what is missing, builds everything and runs every test.
# Usage: tools/test.sh [extra bazel test flags, e.g. --config=asan]
set -euo pipefail
cd "$(dirname "$0")/.."
tools/setup.sh

# Tests that compare with the shared conformance files and corpus find them
# here; without ../shared they skip and say so.
if [[ -d ../shared ]]; then
  export PARXZ_SHARED="$(cd ../shared && pwd)"
fi

status=0
bazel test //... "$@" || status=$?

# One plain closing line counted over every test case of every target.
python3 tools/count_tests.py bazel-testlogs
exit $status
