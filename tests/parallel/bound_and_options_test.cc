// ParallelCompressBound against real outputs (ours and the xz program's) at
// sizes around Block boundaries, and option checking that is core's
// ValidateCompressOptions() for every compressor.
#include <gtest/gtest.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/compressor.h"
#include "parallel/compress/parallel_compressor.h"
#include "tests/parallel/test_util.h"

namespace parxz {
namespace {

constexpr uint64_t kBlock = 64 << 10;

std::string Compress(const std::string& data, const ParallelOptions& o) {
  ParallelCompressor c(o);
  std::string out = c.compress(data);
  out += c.flush();
  return out;
}

TEST(ParallelCompressBound, HoldsAndIsTightAroundBlockBoundaries) {
  const std::vector<uint64_t> sizes = {0,
                                       1,
                                       kBlock - 1,
                                       kBlock,
                                       kBlock + 1,
                                       2 * kBlock - 1,
                                       2 * kBlock,
                                       2 * kBlock + 1,
                                       3 * kBlock + 12345};
  struct Setting {
    Check check;
    const char* xz_check;
    uint32_t preset;
  } settings[] = {{Check::kCrc64, "crc64", 0},
                  {Check::kSha256, "sha256", 6},
                  {Check::kNone, "none", 1}};
  for (const Setting& s : settings) {
    for (uint64_t size : sizes) {
      for (bool random : {true, false}) {
        SCOPED_TRACE(std::to_string(size) + (random ? " random " : " mixed ") +
                     s.xz_check);
        const std::string data = random ? testing::RandomData(size, size + 1)
                                        : testing::MixedData(size, size + 2);
        ParallelOptions o;
        o.preset = s.preset;
        o.check = s.check;
        o.threads = 2;
        o.block_size = kBlock;
        const uint64_t bound = ParallelCompressBound(size, o);
        const std::string ours = Compress(data, o);
        EXPECT_LE(ours.size(), bound);
        // The xz program's output for the same settings fits as well.
        const std::string path = testing::WriteTempFile("bound.bin", data);
        int status = -1;
        const std::string theirs = testing::RunCommand(
            "xz -T2 -c -" + std::to_string(s.preset) +
                " --check=" + s.xz_check +
                " --block-size=" + std::to_string(kBlock) + " < '" + path + "'",
            &status);
        ASSERT_EQ(status, 0);
        EXPECT_LE(theirs.size(), bound);
        if (random) {
          // Incompressible data comes within 100 bytes per Block of it.
          const uint64_t blocks = (size + kBlock - 1) / kBlock;
          EXPECT_LE(bound - ours.size(), 100 * blocks + 4)
              << "bound " << bound << ", output " << ours.size();
        }
      }
    }
  }
}

TEST(ParallelCompressBound, FilterChainsAndDefaults) {
  ParallelOptions o;
  o.filters =
      FilterChain{{.id = FilterId::kDelta, .dist = 4},
                  {.id = FilterId::kLzma2, .preset = 0, .dict_size = 1 << 16}};
  o.block_size = 100000;
  o.threads = 2;
  for (uint64_t size : {99999u, 100000u, 100001u, 250000u}) {
    const std::string data = testing::RandomData(size, 3);
    EXPECT_LE(Compress(data, o).size(), ParallelCompressBound(size, o));
  }
  // Default Block size (1 MiB at -0): one Block's bound for a small input.
  ParallelOptions d;
  d.preset = 0;
  const std::string tiny = testing::RandomData(1000, 4);
  EXPECT_LE(Compress(tiny, d).size(), ParallelCompressBound(1000, d));
  EXPECT_LT(ParallelCompressBound(1000, d), 1200u);
  EXPECT_EQ(ParallelCompressBound(UINT64_MAX, d), UINT64_MAX);
}

// What `f` throws, as "code: message".
std::string Outcome(const std::function<void()>& f) {
  try {
    f();
    return "no error";
  } catch (const Error& e) {
    return std::string(ErrorCodeName(e.code())) + ": " + e.what();
  }
}

// Every parallel entry point rejects bad options with exactly core's
// ValidateCompressOptions() error (code and message) for the same settings,
// which is also what core's Compressor says.
TEST(ParallelOptionsValidation, IsCoresValidateCompressOptions) {
  std::vector<ParallelOptions> cases(9);
  cases[0].preset = 10;
  cases[1].preset = 1;
  cases[1].filters = FilterChain{{}};
  cases[2].extreme = true;
  cases[2].filters = FilterChain{{}};
  cases[3].check = static_cast<Check>(-1);
  cases[4].check = Check::kUnknown;
  cases[5].check = static_cast<Check>(3);  // valid ID, not computable
  cases[6].filters = FilterChain{{.id = FilterId::kLzma1}};
  cases[7].filters =
      FilterChain{{.id = FilterId::kDelta}, {.id = FilterId::kLzma1}};
  cases[8].filters = FilterChain{{.id = FilterId::kLzma2, .lc = 9}};
  for (size_t i = 0; i < cases.size(); ++i) {
    SCOPED_TRACE(i);
    const ParallelOptions& o = cases[i];
    const CompressOptions c = {.format = Format::kXz,
                               .check = o.check,
                               .preset = o.preset,
                               .extreme = o.extreme,
                               .filters = o.filters};
    const std::string expected = Outcome([&] { ValidateCompressOptions(c); });
    EXPECT_NE(expected, "no error");
    EXPECT_EQ(Outcome([&] { Compressor x(c); }), expected);
    const std::vector<std::function<void()>> entries = {
        [&] { ParallelCompressor x(o); }, [&] { ResolveParallelOptions(o); },
        [&] { MemoryUsage(o); },          [&] { ParallelCompressBound(10, o); },
        [&] { CompressFd(-1, -1, o); },
    };
    for (const auto& entry : entries) EXPECT_EQ(Outcome(entry), expected);
  }
  // The messages are CPython's.
  EXPECT_NE(Outcome([&] {
              ParallelCompressor x(cases[1]);
            }).find("Cannot specify both preset and filter chain"),
            std::string::npos);
}

}  // namespace
}  // namespace parxz
