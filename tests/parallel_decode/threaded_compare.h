// Drives parxz::ThreadedDecompressor and core's sequential Decompressor with
// the same schedule of (chunk, max_length) calls and checks the contract of
// parallel/decode/threaded_decompressor.h between them. Shared by
// threaded_decompressor_test and the threaded_decoder fuzz target; reports
// failures as text so that either can assert on it.
#ifndef PARXZ_TESTS_PARALLEL_DECODE_THREADED_COMPARE_H_
#define PARXZ_TESTS_PARALLEL_DECODE_THREADED_COMPARE_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "core/options.h"
#include "parallel/decode/threaded_decompressor.h"

namespace parxz::testing {

// One call: feed `chunk` more bytes, ask for at most `max_length` bytes
// (decompress_into with a buffer of that size when `into`).
struct Step {
  size_t chunk = 0;
  int64_t max_length = -1;
  bool into = false;
};

// Chunk sizes and max_length values for a schedule: a fixed value, or
// random ones below the value (kRandom) from `seed`.
enum class Pick { kFixed, kRandom };
std::vector<Step> MakeSchedule(size_t input_size, size_t chunk, Pick chunks,
                               int64_t max_length, Pick lengths,
                               uint64_t seed = 1);

// What one decoder did.
struct DecoderRun {
  std::string out;
  std::optional<ErrorCode> error;
  std::string error_what;
  bool eof = false;
  bool needs_input = false;
  std::string unused;  // unused_data() + input never fed (at eof)
  Check check = Check::kUnknown;
  size_t calls = 0;
  bool capped = false;  // stopped at max_calls: final state not compared
};

struct Comparison {
  std::string failure;  // empty when every invariant held
  DecoderRun sequential;
  DecoderRun threaded;
  // The threaded decoder's output after the flush: when it stopped without
  // eof or error, decompress("", -1) until it raises, reaches eof or asks
  // for input (all complete Blocks returned).
  std::string threaded_flushed;
  // The flush's error, if it threw (input corrupt; the decoder stopped
  // asking for input before the bad Block, for example while a worker
  // still decoded the Block before it and the parser waited for the bytes
  // a damaged header promised).
  std::optional<ErrorCode> flush_error;
  std::string flush_error_what;
  // needs_input() after the flush (truncated input). Read there: before it,
  // a worker finishing the front Block can turn needs_input() from true to
  // false at any moment, so the value Drive() read is not the final state.
  bool needs_input_after_flush = false;
  ThreadedDecodeStats stats;
};

// Runs both decoders over `input` with `schedule` (the sequential one with
// `options.base`), then, all input given, keeps calling decompress("",
// drain) while !needs_input() && !eof() (at most `max_calls` calls in all).
// Checks: every threaded call returns <= max_length; its output so far is a
// prefix of the sequential output; totals; errors stick; the final
// output, eof, unused_data and check equal; the same ErrorCode. One
// exception, for input that is truncated and corrupt, or whose damage
// leaves the parser waiting for bytes that will not come: the threaded
// decoder may stop asking for input (needs_input()) before the Block the
// sequential decoder failed on; then the flush (max_length -1) must fail
// the same way, or leave the decoder asking for input (the failing Block is
// incomplete and never decoded).
Comparison CompareCallByCall(std::string_view input,
                             const std::vector<Step>& schedule,
                             const ThreadedDecompressOptions& options,
                             int64_t drain = 64 << 10,
                             size_t max_calls = 4'000'000);

}  // namespace parxz::testing

#endif  // PARXZ_TESTS_PARALLEL_DECODE_THREADED_COMPARE_H_
