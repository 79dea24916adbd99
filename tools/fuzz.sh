#!/usr/bin/env bash
# Builds one fuzz target of tests/fuzz/ with clang-14 and libFuzzer under
# ASan+UBSan (no Bazel) and runs a campaign.
#
# Usage: tools/fuzz.sh TARGET SECONDS [extra libFuzzer flags]
#   TARGET: decompressor | round_trip | parallel_decoder | args
# The seed corpus tests/fuzz/corpus/TARGET is copied to a scratch corpus
# ($FUZZ_WORK, default /tmp/parxz-fuzz/TARGET) that grows there; crash inputs
# land in $FUZZ_WORK/artifacts/. To keep one as a regression seed, copy it
# into tests/fuzz/corpus/TARGET/ (bazel test then replays it).
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ $# -lt 2 ]]; then
  sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'
  exit 2
fi
target=$1
seconds=$2
shift 2

# Every source of the layers a target links (as the layers' BUILD files do),
# so that a new file needs no change here.
core_srcs=(core/*.cc)
parallel_srcs=(parallel/*.cc)
case "$target" in
  decompressor) srcs=("${core_srcs[@]}") ;;
  round_trip|parallel_decoder) srcs=("${core_srcs[@]}" "${parallel_srcs[@]}") ;;
  args) srcs=("${core_srcs[@]}" tools/args.cc) ;;
  *) echo "fuzz.sh: unknown target '$target'" >&2; exit 2 ;;
esac

work=${FUZZ_WORK:-/tmp/parxz-fuzz/$target}
mkdir -p "$work/corpus" "$work/artifacts" "$work/obj"
bin="$work/${target}_fuzz"

CXX=${CXX:-clang++-14}
flags=(-std=c++20 -g -O1 -fno-omit-frame-pointer -I.
       -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined)

# Rebuild only what changed (one object per source).
objs=()
for src in "${srcs[@]}" "tests/fuzz/${target}_fuzz.cc"; do
  obj="$work/obj/$(echo "$src" | tr / _).o"
  if [[ ! -e $obj || $src -nt $obj || tests/fuzz/fuzz_util.h -nt $obj ]]; then
    echo "compiling $src" >&2
    # -fsanitize=fuzzer only at link time for the library sources, so that
    # they carry coverage instrumentation but no second main().
    "$CXX" "${flags[@]/-fsanitize=fuzzer,/-fsanitize=fuzzer-no-link,}" \
      -c "$src" -o "$obj"
  fi
  objs+=("$obj")
done
"$CXX" "${flags[@]}" "${objs[@]}" -o "$bin" -llzma -ltbb -lpthread

# A header may legitimately ask liblzma for a 4 GiB dictionary when no memory
# limit is set (it is allocated, never touched): allow such a malloc.
cp -n tests/fuzz/corpus/"$target"/* "$work/corpus/" 2>/dev/null || true
echo "fuzzing $target for ${seconds}s; corpus $work/corpus" >&2
ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=1} \
UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
  "$bin" "$work/corpus" -max_total_time="$seconds" -timeout=30 \
  -rss_limit_mb=3072 -malloc_limit_mb=8192 -print_final_stats=1 \
  -artifact_prefix="$work/artifacts/" "$@"
