#!/usr/bin/env bash
# Runs the C++ test suites under a sanitizer:
#   tools/sanitize.sh asan|ubsan|tsan [extra bazel test flags]
# Uses its own Bazel output base (sanitizer objects never mix with the normal
# build) and creates no bazel-* symlinks. Python tests (an extension loaded
# into an uninstrumented interpreter) and the install test (plain cc against
# the installed library) are left to the normal run.
set -euo pipefail
cd "$(dirname "$0")/.."
config="${1:?usage: tools/sanitize.sh asan|ubsan|tsan}"
shift
case "$config" in
  asan|ubsan)
    targets=(//tests/core/... //tests/parallel/... //tests/parallel_decode/...
             //tests/faults/... //tests/fuzz/... //tests/capi/... //tests/cli/...
             -//tests/capi:install_test) ;;
  tsan)  # everything that runs more than one thread
    targets=(//tests/parallel/... //tests/parallel_decode/...
             //tests/faults:io_faults_test //tests/fuzz:round_trip_fuzz_test
             //tests/fuzz:parallel_decoder_fuzz_test //tests/capi:capi_threads_test) ;;
  *) echo "unknown sanitizer config: $config" >&2; exit 2 ;;
esac
base="${PARXZ_SANITIZER_OUTPUT_BASE:-$HOME/.cache/parxz-bazel-sanitizers}"
exec bazel --output_base="$base" test --symlink_prefix=/ --config="$config" \
  "$@" -- "${targets[@]}"
