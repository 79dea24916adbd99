#!/usr/bin/env bash
# Installs what is missing, builds everything and runs every test: the whole
# suite, then the C++ suites again under AddressSanitizer + UBSan and under
# ThreadSanitizer (with a TSan-built oneTBB, see tools/tbb_tsan.sh).
# Usage: tools/test.sh [extra bazel test flags]
#        PARXZ_SKIP_SANITIZERS=1 tools/test.sh   # the quick loop
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
logs=("$(bazel info bazel-testlogs 2>/dev/null)")

if [[ -z "${PARXZ_SKIP_SANITIZERS:-}" ]]; then
  tools/sanitize.sh asan ubsan -- "$@" || status=$?
  logs+=("$(tools/sanitize.sh --testlogs asan ubsan)")
  tools/sanitize.sh tsan -- "$@" || status=$?
  logs+=("$(tools/sanitize.sh --testlogs tsan)")
fi

# --- Installing as users do: the CMake package as a CMake project uses it
# (tests/cmake) and `pip install --no-index ./python` into venvs (tests/pip).
# These scripts run Bazel themselves, so they run here rather than under
# `bazel test`; their cases go into JUnit files that the count below reads.
script_logs="$(mktemp -d)"
trap 'rm -rf "$script_logs"' EXIT
for t in tests/cmake/cmake_consumer_test.sh tests/pip/pip_install_test.sh; do
  name=$(basename "$t" .sh)
  "$t" --junit "$script_logs/$name/test.xml" || status=$?
done
logs+=("$script_logs")

# --- xz's own test scripts (xz-utils 5.4.1: test_files.sh, test_compress.sh,
# test_scripts.sh) with the built parxz standing in as xz, unxz and xzcat
# (tests/xz_scripts). The source package is fetched at test time through
# tools/debian_source.sh; if it cannot be had the script says so loudly and
# fails. Its cases go into a JUnit file that the count below reads.
# `bazel test //...` above built parxz.
tests/xz_scripts/run_xz_tests.sh "$(bazel info bazel-bin)/tools/parxz" \
  --junit "$script_logs/xz_scripts/test.xml" || status=$?

# One plain closing line counted over every test case of every target.
python3 tools/count_tests.py "${logs[@]}"
exit $status
