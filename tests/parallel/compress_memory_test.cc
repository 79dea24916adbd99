// parallel/compress/compress_memory.h: xz's figure for the threaded encoder, and
// Blocks in flight that keep parxz's own allocation at or below it.
#include "parallel/compress/compress_memory.h"

#include <gtest/gtest.h>

#include "core/compressor.h"
#include "parallel/compress/parallel_compressor.h"

namespace parxz {
namespace {

constexpr uint64_t kMiB = 1 << 20;
uint64_t RoundUpMiB(uint64_t n) { return (n + kMiB - 1) / kMiB; }

// The figures `xz -vv -T<n> -<preset>` prints ("N MiB of memory is
// required") with xz 5.4.1.
TEST(CompressMemoryTest, XzFiguresAsXzPrintsThem) {
  EXPECT_EQ(RoundUpMiB(XzThreadedMemoryUsage({.preset = 6, .threads = 2})),
            331u);
  EXPECT_EQ(RoundUpMiB(XzThreadedMemoryUsage({.preset = 6, .threads = 4})),
            661u);
  EXPECT_EQ(RoundUpMiB(XzThreadedMemoryUsage({.preset = 2, .threads = 2})),
            69u);
  EXPECT_EQ(RoundUpMiB(XzThreadedMemoryUsage({.preset = 0, .threads = 2})),
            12u);
  // xz -T1: the single-threaded encoder, core's figure.
  EXPECT_EQ(RoundUpMiB(CompressMemoryUsage({.preset = 2})), 17u);
  EXPECT_EQ(RoundUpMiB(CompressMemoryUsage({.preset = 6})), 94u);
}

TEST(CompressMemoryTest, OursStaysWithinXzs) {
  for (uint32_t preset : {0u, 2u, 6u, 9u}) {
    for (unsigned threads : {1u, 2u, 3u, 8u}) {
      for (bool file_input : {false, true}) {
        const ParallelOptions o{.preset = preset, .threads = threads};
        const ParallelOptions fit = WithinXzMemory(o, file_input);
        SCOPED_TRACE(testing::Message() << "-" << preset << " -T" << threads
                                        << " file " << file_input);
        EXPECT_GE(fit.max_blocks_in_flight, 1u);
        EXPECT_LE(fit.max_blocks_in_flight, 2 * fit.threads + 1);
        EXPECT_LE(MemoryUsage(fit, file_input), XzThreadedMemoryUsage(o));
      }
    }
  }
  // Reading a file needs no input buffers: the default stays at -6 -T2.
  EXPECT_EQ(WithinXzMemory({.preset = 6, .threads = 2}, true)
                .max_blocks_in_flight,
            5u);
  // An explicit value is kept.
  EXPECT_EQ(WithinXzMemory({.preset = 6, .threads = 2,
                            .max_blocks_in_flight = 7},
                           false)
                .max_blocks_in_flight,
            7u);
}

}  // namespace
}  // namespace parxz
