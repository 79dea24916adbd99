#!/usr/bin/env bash
# Runs the C++ test suites under sanitizers, in one build:
#   tools/sanitize.sh asan ubsan [-- extra bazel test flags]
#   tools/sanitize.sh tsan [-- extra bazel test flags]
# (CI, through tools/test.sh, runs both.) Each set of configs has its own Bazel
# output base (sanitizer objects never mix with the normal build or with each
# other) and creates no bazel-* symlinks; `tools/sanitize.sh --testlogs tsan`
# prints where its test logs are. Python tests (an extension loaded into an
# uninstrumented interpreter) and the install test (plain cc against the
# installed library) are left to the normal run.
#
# ThreadSanitizer sees only synchronization in instrumented code, so tsan
# links a oneTBB built with -fsanitize=thread (tools/tbb_tsan.sh builds it
# once from Debian's source) instead of Debian's libtbb: no suppressions.
set -euo pipefail
cd "$(dirname "$0")/.."
print_logs=""
if [[ "${1:-}" == "--testlogs" ]]; then print_logs=1; shift; fi
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
    tsan)
      if [[ -z "$print_logs" ]]; then
        tbb="$(tools/tbb_tsan.sh)"
        flags+=("--linkopt=-L$tbb" "--linkopt=-Wl,-rpath,$tbb")
      fi ;;
    *) echo "unknown sanitizer config: $c" >&2; exit 2 ;;
  esac
  flags+=("--config=$c")
done
# One output base per checkout and set of configs: Bazel ties an output base
# to one workspace, and objects built with other flags would be rebuilt.
root="${PARXZ_SANITIZER_OUTPUT_ROOT:-$HOME/.cache/parxz-bazel-sanitizers}"
base="$root/$(pwd | md5sum | cut -c1-12)-$(IFS=-; echo "${configs[*]}")"
if [[ -n "$print_logs" ]]; then
  exec bazel --output_base="$base" info "${flags[@]}" bazel-testlogs 2>/dev/null
fi
# Sanitized code runs several times slower (the CLI tests take 160 s under
# TSan against 40 s plain): longer timeouts per test size than Bazel's
# 60/300/900/3600 s, so that a loaded machine does not time them out.
exec bazel --output_base="$base" test --symlink_prefix=/ "${flags[@]}" \
  --test_timeout=300,900,1800,3600 "$@" -- "${targets[@]}"
