// parallel/compress/block_batch_encoder: the Blocks it hands back, in order,
// are ParallelCompressor's byte for byte (for every thread count and way of
// splitting the run into Encode() calls), and a failing Block's error is the
// first in stream order and sticks.
#include "parallel/compress/block_batch_encoder.h"

#include <gtest/gtest.h>

#include <span>
#include <string>
#include <vector>

#include "core/error.h"
#include "parallel/compress/parallel_compressor.h"
#include "parallel/compress/stream_assembler.h"
#include "tests/parallel/test_util.h"

namespace parxz {
namespace {

std::span<const uint8_t> Bytes(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

// The stream a BlockBatchEncoder's Blocks make with a StreamAssembler.
std::string Stream(const ParallelOptions& options, const std::string& data,
                   size_t calls) {
  BlockBatchEncoder enc(ResolveCompression(options));
  StreamAssembler assembler(enc.check());
  std::string out = assembler.Header();
  const uint64_t bs = enc.options().block_size;
  std::vector<std::span<const uint8_t>> blocks;
  for (uint64_t at = 0; at < data.size(); at += bs) {
    blocks.push_back(
        Bytes(data).subspan(at, std::min<uint64_t>(bs, data.size() - at)));
  }
  uint64_t total = 0;
  const size_t per_call = (blocks.size() + calls - 1) / calls;
  for (size_t first = 0; first < blocks.size(); first += per_call) {
    const size_t n = std::min(per_call, blocks.size() - first);
    enc.Encode(std::span(blocks).subspan(first, n), first,
               [&](std::span<const uint8_t> b, const BlockRecord& r) {
                 out.append(reinterpret_cast<const char*>(b.data()), b.size());
                 EXPECT_EQ(b.size(), r.total_size());
                 total += r.total_size();
                 assembler.AddBlock(r);
               });
  }
  EXPECT_EQ(out.size(), 12 + total);
  return out + assembler.Trailer();
}

TEST(BlockBatchEncoder, BlocksAreTheCompressorsForAnyThreadsAndCalls) {
  const std::string data = testing::MixedData(9 * 65536 + 1234, 7);
  for (unsigned threads : {1u, 2u, 4u}) {
    ParallelOptions o{.preset = 1,
                      .check = Check::kCrc32,
                      .threads = threads,
                      .block_size = 65536};
    ParallelCompressor c(o);
    std::string want = c.compress(data);
    want += c.flush();
    for (size_t calls : {size_t{1}, size_t{3}, size_t{10}}) {
      EXPECT_EQ(Stream(o, data, calls), want)
          << threads << " threads, " << calls << " calls";
    }
  }
}

TEST(BlockBatchEncoder, FirstErrorInOrderSticks) {
  const std::string data = testing::MixedData(8 * 4096, 3);
  std::vector<std::span<const uint8_t>> blocks;
  for (size_t at = 0; at < data.size(); at += 4096) {
    blocks.push_back(Bytes(data).subspan(at, 4096));
  }
  BlockBatchEncoder enc(
      ResolveCompression({.preset = 0, .threads = 4, .block_size = 4096}),
      [](uint64_t block) {
        if (block == 6) throw Error(ErrorCode::kIo, "test", "six");
        if (block == 3) throw Error(ErrorCode::kCorruptData, "test", "three");
      });
  size_t taken = 0;
  auto take = [&](std::span<const uint8_t>, const BlockRecord&) { ++taken; };
  try {
    enc.Encode(blocks, 0, take);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kCorruptData);
  }
  EXPECT_EQ(taken, 3u);  // Blocks 0..2, in order, before the failure
  try {
    enc.Encode(std::span(blocks).subspan(0, 1), 0, take);
    FAIL() << "the error did not stick";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kCorruptData);
  }
  EXPECT_EQ(taken, 3u);
}

}  // namespace
}  // namespace parxz
