// Fuzz target: ThreadedDecompressor (parallel/decode/threaded_decompressor.h)
// against core's sequential Decompressor, call by call on random schedules
// of (chunk, max_length), with the checks of
// tests/parallel_decode/threaded_compare.h: each call <= max_length, the
// output so far a prefix of what liblzma decodes, errors stick, and the final
// output, eof, unused_data, check and ErrorCode those of the sequential
// decoder; never a crash, hang, leak or data race.
//
// Input layout: byte 0 picks the format, threads, the soft and hard memory
// limits and ignore_check; byte 1 seeds the schedule; byte 2 picks how the
// payload is used: as a file (the seeds are multi-Block .xz from xz -T and
// xz --block-size, so mutations hit Block Headers, Index and Footer), or as
// plain data that parxz's compressor turns into a multi-Block .xz, which is
// then cut, flipped or followed by junk.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "parallel/compress/parallel_compressor.h"
#include "parallel/decode/threaded_decompressor.h"
#include "tests/fuzz/fuzz_util.h"
#include "tests/parallel_decode/threaded_compare.h"

namespace parxz::fuzz {
namespace {

ThreadedDecompressOptions PickOptions(uint8_t b) {
  ThreadedDecompressOptions o;
  o.base.format = (b & 1) ? Format::kXz : Format::kAuto;
  o.threads = 2 + ((b >> 1) & 3);
  switch ((b >> 3) & 3) {
    case 0:
      break;  // RAM/4
    case 1:
      o.memlimit_soft = 1;  // every Block inline
      break;
    case 2:
      o.memlimit_soft = 300 << 10;  // a few small Blocks at once
      break;
    default:
      o.memlimit_soft = 3 << 20;
      break;
  }
  // Bounded: a header may ask for a 4 GiB dictionary (see decompressor_fuzz).
  o.base.memlimit = (b >> 5) & 1 ? (uint64_t{1} << 20) : (uint64_t{128} << 20);
  o.base.ignore_check = ((b >> 6) & 1) != 0;
  return o;
}

std::vector<testing::Step> PickSchedule(size_t size, Rng& rng) {
  std::vector<testing::Step> steps;
  const uint64_t chunk_scale = rng.Below(4) == 0 ? 16 : 5000;
  size_t left = size;
  do {
    testing::Step s;
    s.chunk = static_cast<size_t>(std::min<uint64_t>(
        left, rng.Below(3) == 0 ? left : 1 + rng.Below(chunk_scale)));
    switch (rng.Below(6)) {
      case 0:
        s.max_length = -1;
        break;
      case 1:
        s.max_length = 0;
        break;
      case 2:
        s.max_length = 1 + static_cast<int64_t>(rng.Below(16));
        break;
      default:
        s.max_length = static_cast<int64_t>(rng.Below(1 << 16));
        break;
    }
    s.into = s.max_length >= 0 && rng.Below(2) == 0;
    left -= s.chunk;
    steps.push_back(s);
  } while (left > 0 && steps.size() < 5000);
  // The rest in one piece (the schedule is capped).
  if (left > 0) steps.push_back({left, -1, false});
  return steps;
}

// Plain data -> a multi-Block .xz with sizes in the headers, then damaged
// as `how` says.
std::string MakeXz(std::string_view plain, uint8_t how, Rng& rng) {
  ParallelCompressor c({.preset = 0,
                        .threads = 1,
                        .block_size = 1 + rng.Below(plain.size() / 3 + 64)});
  std::string xz = c.compress(plain);
  xz += c.flush();
  switch (how & 3) {
    case 0:
      break;
    case 1:
      xz.resize(static_cast<size_t>(rng.Below(xz.size())));
      break;
    case 2: {
      const size_t at = static_cast<size_t>(rng.Below(xz.size()));
      xz[at] = static_cast<char>(xz[at] ^ (1 << rng.Below(8)));
      break;
    }
    default:
      xz += std::string(static_cast<size_t>(rng.Below(20)), '\0') + "junk";
      break;
  }
  return xz;
}

}  // namespace
}  // namespace parxz::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace parxz;
  using namespace parxz::fuzz;
  FuzzInput input(data, size);
  const ThreadedDecompressOptions options = PickOptions(input.Byte());
  Rng rng(input.Byte());
  const uint8_t how = input.Byte();
  std::string payload(input.Rest());
  if (how & 0x80) payload = MakeXz(payload, how, rng);
  const std::vector<testing::Step> schedule = PickSchedule(payload.size(), rng);
  const int64_t drain = rng.Below(4) == 0 ? 1 + rng.Below(100) : 1 << 16;
  const testing::Comparison c =
      testing::CompareCallByCall(payload, schedule, options, drain, 300000);
  FUZZ_CHECK(c.failure.empty(), "%s", c.failure.c_str());
  FUZZ_CHECK(c.stats.max_blocks_in_flight <= c.stats.block_limit ||
             c.stats.block_limit == 0);
  return 0;
}
