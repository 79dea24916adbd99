// parallel/common/live_progress.h: the encoders and decoders count every byte they
// code, piece by piece, whichever thread codes the Block.
#include "parallel/common/live_progress.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <string>

#include "parallel/compress/parallel_compressor.h"
#include "parallel/decode/parallel_decompressor.h"
#include "tests/parallel/test_util.h"

namespace parxz {
namespace {

TEST(LiveProgressTest, CompressorCountsItsInput) {
  const std::string data = testing::MixedData(5 << 20, 3);
  LiveProgress live;
  ParallelCompressor c(
      {.preset = 1, .threads = 2, .block_size = 1 << 20, .live = &live});
  std::string xz = c.compress(data);
  xz += c.flush();
  EXPECT_EQ(live.in_bytes.load(), data.size());
  // Block data only: the Stream Header, Block Headers and Index are not
  // counted.
  EXPECT_GT(live.out_bytes.load(), 0u);
  EXPECT_LT(live.out_bytes.load(), xz.size());
}

TEST(LiveProgressTest, CompressFdOnAFile) {
  const std::string data = testing::MixedData(3 << 20, 4);
  const std::string path = testing::WriteTempFile("live_in", data);
  const int in = open(path.c_str(), O_RDONLY);
  const int out = open("/dev/null", O_WRONLY);
  ASSERT_GE(in, 0);
  LiveProgress live;
  const CompressStats s = CompressFd(
      in, out, {.preset = 0, .threads = 2, .block_size = 1 << 20,
                .live = &live});
  close(in);
  close(out);
  EXPECT_EQ(live.in_bytes.load(), s.in_bytes);
}

TEST(LiveProgressTest, DecoderCountsItsOutput) {
  const std::string data = testing::MixedData(6 << 20, 5);
  const std::string xz = [&] {
    ParallelCompressor c({.preset = 1, .block_size = 3 << 20});
    std::string x = c.compress(data);
    return x + c.flush();
  }();
  for (unsigned threads : {1u, 2u}) {
    LiveProgress live;
    EXPECT_EQ(ParallelDecompress(xz, {.threads = threads, .live = &live}),
              data);
    if (threads > 1) {
      // Blocks with sizes on the pipeline's decoders, 1 MiB at a time.
      EXPECT_EQ(live.out_bytes.load(), data.size());
      EXPECT_GT(live.in_bytes.load(), 0u);
    }
  }
}

}  // namespace
}  // namespace parxz
