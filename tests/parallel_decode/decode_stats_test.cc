// What DecompressFd reports: the plan a soft memory limit leads to (threads
// and Blocks in flight, as run_planner.h computes them), runs that split
// where Blocks outgrow it, and where a --single-stream decode stops.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <lzma.h>
#include <oneapi/tbb/global_control.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "parallel/decode/parallel_decompressor.h"
#include "tests/parallel_decode/decode_test_util.h"

namespace parxz {
namespace {

using testing::TestData;
using testing::Verdict;
using testing::XzMt;

constexpr uint64_t kKiB = 1024;

DecompressStats FdStats(const std::string& xz, const ParallelDecodeOptions& o) {
  const std::string path = testing::TempPath("stats.xz");
  testing::WriteFile(path, xz);
  const int in = open(path.c_str(), O_RDONLY);
  const int out = open("/dev/null", O_WRONLY);
  struct Closer {
    int in, out;
    ~Closer() {
      close(in);
      close(out);
    }
  } closer{in, out};
  return DecompressFd(in, out, o);
}

uint64_t DecoderMemory(uint32_t preset) {
  lzma_options_lzma opt;
  lzma_lzma_preset(&opt, preset);
  lzma_filter filters[2] = {{LZMA_FILTER_LZMA2, &opt},
                            {LZMA_VLI_UNKNOWN, nullptr}};
  return lzma_raw_decoder_memusage(filters);
}

TEST(ParallelDecode, SoftMemoryLimitLowersThreadsThenGoesSequential) {
  // Four threads, the most any run here plans for.
  tbb::global_control four(tbb::global_control::max_allowed_parallelism, 4);
  const std::string data = TestData(2 << 20, 11);
  const uint64_t block = 256 * kKiB;
  const std::string xz = XzMt(data, block, 1);
  const uint64_t dec = DecoderMemory(1);
  // A file input holds each Block in flight (input and output) in memory;
  // a run plans for input as large as LZMA2 allows (lzma_block_buffer_bound)
  // so that no Block of the same size outgrows it.
  const uint64_t item = block + lzma_block_buffer_bound(block);
  struct Case {
    uint64_t soft;
    unsigned threads;  // most threads used
  };
  // Per plan: threads × decoder + Blocks in flight × (input + output
  // buffer), with at least as many Blocks in flight as threads.
  const std::vector<Case> cases = {
      {uint64_t{64} << 20, 4},     {4 * dec + 4 * item, 4},
      {4 * dec + 4 * item - 1, 3}, {2 * dec + 2 * item, 2},
      {2 * dec + 2 * item - 1, 1}, {1, 1},
  };
  for (const Case& c : cases) {
    const ParallelDecodeOptions o{.threads = 4, .memlimit_soft = c.soft};
    const DecompressStats stats = FdStats(xz, o);
    EXPECT_EQ(stats.threads, c.threads) << c.soft;
    EXPECT_EQ(stats.parallel_blocks, c.threads == 1 ? 0u : 8u) << c.soft;
    EXPECT_LE(stats.memory_planned, c.soft);
    EXPECT_TRUE(ParallelDecompress(xz, o) == data) << c.soft;
  }
  // The soft limit never exceeds the hard one.
  const DecompressStats capped =
      FdStats(xz, {.threads = 4,
                   .memlimit_soft = uint64_t{64} << 20,
                   .memlimit_hard = 2 * dec});
  EXPECT_EQ(capped.threads, 1u);
}

TEST(ParallelDecode, SingleStreamDecodesOnlyTheFirst) {
  // xz --single-stream: the first stream; what follows is not looked at.
  const std::string a = TestData(300 * kKiB, 14), b = TestData(5000, 15);
  const std::string first = XzMt(a, 64 * kKiB, 0);
  for (const std::string& rest : {XzMt(b, 0, 0), std::string("garbage"),
                                  std::string(3, '\0'), std::string()}) {
    const std::string xz = first + rest;
    for (unsigned threads : {1u, 2u}) {
      const ParallelDecodeOptions o{.threads = threads,
                                    .mode = DecodeMode::kSingleStream};
      EXPECT_TRUE(ParallelDecompress(xz, o) == a) << threads;
      const DecompressStats stats = FdStats(xz, o);
      EXPECT_EQ(stats.in_bytes, first.size());
      EXPECT_EQ(stats.streams, 1u);
    }
  }
  // The first stream cut short is still an error.
  const Verdict cut = testing::Capture([&] {
    return ParallelDecompress(first.substr(0, first.size() - 1),
                              {.mode = DecodeMode::kSingleStream});
  });
  EXPECT_FALSE(cut.ok);
  EXPECT_EQ(cut.code, ErrorCode::kTruncated);
}

TEST(ParallelDecode, RunsSplitWhereBlocksOutgrowThePlan) {
  // Small Blocks, then a stream of big ones: a soft limit that fits the
  // small ones in parallel but not the big ones.
  const std::string a = TestData(512 * kKiB, 12), b = TestData(4 << 20, 13);
  const std::string xz = XzMt(a, 32 * kKiB, 0) + XzMt(b, 2 << 20, 0);
  const ParallelDecodeOptions o{
      .threads = 2, .memlimit_soft = 3 << 20, .mode = DecodeMode::kXz};
  const DecompressStats stats = FdStats(xz, o);
  EXPECT_EQ(stats.blocks, 18u);
  EXPECT_EQ(stats.streams, 2u);
  EXPECT_EQ(stats.parallel_blocks, 16u);
  EXPECT_TRUE(ParallelDecompress(xz, o) == a + b);
  // Verification alone needs no output buffers: everything in parallel.
  EXPECT_EQ(ParallelTest(xz, o).parallel_blocks, 18u);
}

}  // namespace
}  // namespace parxz
