#!/usr/bin/env bash
# Runs the C++ test suites under sanitizers, in one build:
#   tools/sanitize.sh asan ubsan [-- extra bazel test flags]   (what CI runs)
#   tools/sanitize.sh tsan
# Uses its own Bazel output base (sanitizer objects never mix with the normal
# build) and creates no bazel-* symlinks. Python tests (an extension loaded
# into an uninstrumented interpreter) and the install test (plain cc against
# the installed library) are left to the normal run.
#
# ThreadSanitizer: Debian's libtbb is not built with -fsanitize=thread, so TSan
# cannot see the ordering oneTBB gives between pipeline stages and reports
# races in TBB's own header templates; a clean tsan run needs a TSan-built
# oneTBB. The tsan config is kept for that and for threads outside TBB.
set -euo pipefail
cd "$(dirname "$0")/.."
configs=()
while (($#)) && [[ "$1" != "--" ]]; do configs+=("$1"); shift; done
(($#)) && shift
((${#configs[@]})) || { echo "usage: tools/sanitize.sh asan|ubsan|tsan... [-- flags]" >&2; exit 2; }
targets=(//tests/core/... //tests/parallel/... //tests/parallel_decode/...
         //tests/faults/... //tests/fuzz/... //tests/capi/... //tests/cli/...
         -//tests/capi:install_test)
flags=()
for c in "${configs[@]}"; do
  case "$c" in
    asan|ubsan) ;;
    tsan)  # only what runs more than one thread
      targets=(//tests/parallel/... //tests/parallel_decode/...
               //tests/faults:io_faults_test //tests/fuzz:round_trip_fuzz_test
               //tests/fuzz:parallel_decoder_fuzz_test //tests/capi:capi_threads_test) ;;
    *) echo "unknown sanitizer config: $c" >&2; exit 2 ;;
  esac
  flags+=("--config=$c")
done
# One output base per checkout: Bazel ties an output base to one workspace.
base="${PARXZ_SANITIZER_OUTPUT_BASE:-$HOME/.cache/parxz-bazel-sanitizers/$(pwd | md5sum | cut -c1-12)}"
exec bazel --output_base="$base" test --symlink_prefix=/ "${flags[@]}" \
  "$@" -- "${targets[@]}"
