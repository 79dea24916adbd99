// Fuzz target: ParallelCompressor (parallel/compress/parallel_compressor.h) and back
// through the sequential Decompressor.
//
// Input layout: 5 control bytes (threads and check; preset or filter chain;
// Block size; Blocks in flight; schedule seed), then the data to compress.
//
// Checked:
//   - with 1..3 threads and any split into compress() calls, the stream is
//     byte-identical to the 1-thread, single-call stream (the documented
//     promise) and decodes to the input;
//   - with end_block() at random points the stream still decodes to the
//     input, in chunks and with random max_length;
//   - total_in()/total_out() count what went in and came out.
#include <cstdint>
#include <string>
#include <string_view>

#include "core/decompressor.h"
#include "core/error.h"
#include "core/options.h"
#include "parallel/compress/parallel_compressor.h"
#include "tests/fuzz/fuzz_util.h"

namespace parxz::fuzz {
namespace {

ParallelOptions PickOptions(FuzzInput& input) {
  ParallelOptions o;
  const uint8_t b0 = input.Byte();
  o.threads = 1 + b0 % 3;
  static constexpr Check kChecks[] = {Check::kNone, Check::kCrc32,
                                      Check::kCrc64, Check::kSha256};
  o.check = kChecks[(b0 >> 2) & 3];
  const uint8_t b1 = input.Byte();
  // Small dictionaries only: every compressor builds fresh encoders.
  constexpr uint32_t kDict = 1 << 16;
  switch (b1 & 7) {
    case 0:
      o.preset = 0;
      break;
    case 1:
      o.preset = 1;
      break;
    case 2:
      o.filters = FilterChain{{.id = FilterId::kLzma2, .dict_size = 4096}};
      break;
    case 3:
      o.filters = FilterChain{
          {.id = FilterId::kDelta, .dist = 1u + ((b1 >> 3) & 7)},
          {.id = FilterId::kLzma2, .preset = 0, .dict_size = kDict}};
      break;
    case 4:
      o.filters = FilterChain{
          {.id = FilterId::kX86},
          {.id = FilterId::kLzma2, .preset = 1, .dict_size = kDict}};
      break;
    case 5:
      o.filters = FilterChain{{.id = FilterId::kLzma2,
                               .preset = 0,
                               .dict_size = kDict,
                               .lc = 0u + ((b1 >> 3) & 3),
                               .lp = 0u + ((b1 >> 5) & 1),
                               .pb = 0u + ((b1 >> 6) & 3),
                               .mode = Mode::kNormal,
                               .nice_len = 8,
                               .mf = MatchFinder::kBt2}};
      break;
    case 6:
      o.filters = FilterChain{{.id = FilterId::kArm64},
                              {.id = FilterId::kLzma2,
                               .preset = 0,
                               .dict_size = kDict,
                               .mf = MatchFinder::kHc3}};
      break;
    default:
      o.preset = 0;
      o.extreme = true;
      break;
  }
  o.block_size = 1 + uint64_t{input.Byte()} * 97;
  o.max_blocks_in_flight = input.Byte() % 5;
  return o;
}

std::string Compress(const ParallelOptions& options, std::string_view data,
                     Rng* rng, bool end_blocks) {
  ParallelCompressor c(options);
  std::string out;
  size_t pos = 0;
  while (pos < data.size()) {
    const size_t n =
        rng == nullptr ? data.size() : rng->Size(data.size() - pos);
    out += c.compress(data.substr(pos, n));
    pos += n;
    if (end_blocks && rng->Below(4) == 0) out += c.end_block();
  }
  out += c.flush();
  FUZZ_CHECK(c.total_in() == data.size());
  FUZZ_CHECK(c.total_out() == out.size());
  try {
    c.compress("x");
    FUZZ_CHECK(false, "compress() after flush() did not throw");
  } catch (const Error& e) {
    FUZZ_CHECK(e.code() == ErrorCode::kMisuse, "%s", e.what());
  }
  return out;
}

std::string DecodeChunked(std::string_view xz, Rng& rng) {
  Decompressor d({.format = Format::kXz});
  std::string out;
  size_t pos = 0;
  while (!d.eof()) {
    size_t n = 0;
    if (d.needs_input()) {
      FUZZ_CHECK(pos < xz.size(), "the stream ended early");
      n = 1 + rng.Below(xz.size() - pos);
    }
    const int64_t max_length =
        rng.Below(3) == 0 ? -1 : static_cast<int64_t>(1 + rng.Below(5000));
    const std::string got = d.decompress(xz.substr(pos, n), max_length);
    FUZZ_CHECK(max_length < 0 || got.size() <= uint64_t(max_length));
    out += got;
    pos += n;
  }
  FUZZ_CHECK(pos == xz.size() && d.unused_data().empty(),
             "bytes after the stream");
  return out;
}

}  // namespace
}  // namespace parxz::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace parxz;
  using namespace parxz::fuzz;
  if (size > (64 << 10)) return 0;
  FuzzInput input(data, size);
  const ParallelOptions options = PickOptions(input);
  Rng rng(input.Byte());
  const std::string_view plain = input.Rest();

  const std::string chunked = Compress(options, plain, &rng, false);
  ParallelOptions one_thread = options;
  one_thread.threads = 1;
  const std::string reference = Compress(one_thread, plain, nullptr, false);
  FUZZ_CHECK(chunked == reference,
             "%u threads and chunking changed the stream (%zu vs %zu bytes)",
             options.threads, chunked.size(), reference.size());
  FUZZ_CHECK(Decompress(reference) == plain, "round trip failed");

  const std::string flushed = Compress(options, plain, &rng, true);
  FUZZ_CHECK(DecodeChunked(flushed, rng) == plain,
             "round trip with end_block() failed");
  return 0;
}
