// The one lzma_code() loop and the Block decoder on their own: any split of
// input and output into pieces gives the whole-Block result; running out of
// input or output is "more", not an error; the pool reuses decoders.
#include "parallel/block_decoder.h"

#include <gtest/gtest.h>
#include <lzma.h>

#include <random>
#include <string>
#include <vector>

#include "tests/parallel_decode/decode_test_util.h"

namespace parxz {
namespace {

struct Fixture {
  std::string data = testing::TestData(200 << 10, 41);
  std::string xz = testing::XzMt(data, 128 << 10, 1);
  std::vector<testing::BlockPos> blocks = testing::Blocks(xz);

  std::span<const uint8_t> Bytes(uint64_t offset, uint64_t n) const {
    return {reinterpret_cast<const uint8_t*>(xz.data()) + offset,
            static_cast<size_t>(n)};
  }
  // Block `i`'s header parsed into `head`; returns the bytes after it.
  std::span<const uint8_t> Head(size_t i, BlockHead* head) const {
    const testing::BlockPos& b = blocks[i];
    EXPECT_EQ(ParseBlockHeader(Bytes(b.offset, 1).data(), LZMA_CHECK_CRC64,
                               UINT64_MAX, head),
              LZMA_OK);
    const uint32_t h = head->block.header_size;
    head->offset = b.offset;
    return Bytes(b.offset + h, b.total_size - h);
  }
};

TEST(BlockDecoder, WholeBlockIntoBufferAndDiscarded) {
  const Fixture f;
  ASSERT_EQ(f.blocks.size(), 2u);
  BlockDecoder d;  // reused for every Block
  for (size_t i = 0; i < f.blocks.size(); ++i) {
    const testing::BlockPos& b = f.blocks[i];
    BlockHead head;
    std::span<const uint8_t> in = f.Head(i, &head);
    std::string out(b.uncompressed_size, '\0');
    BlockResult r = d.Decode(
        &head, in, {reinterpret_cast<uint8_t*>(out.data()), out.size()});
    EXPECT_EQ(r.ret, LZMA_STREAM_END);
    EXPECT_EQ(r.consumed, in.size());
    EXPECT_EQ(r.produced, b.uncompressed_size);
    EXPECT_TRUE(out ==
                f.data.substr(b.uncompressed_offset, b.uncompressed_size));
    // Verification only: no output buffer.
    in = f.Head(i, &head);
    r = d.Decode(&head, in, {});
    EXPECT_EQ(r.ret, LZMA_STREAM_END);
    EXPECT_EQ(r.produced, b.uncompressed_size);
  }
}

TEST(BlockDecoder, ResumesInAnyPieces) {
  const Fixture f;
  const testing::BlockPos& b = f.blocks[0];
  std::mt19937 rng(5);
  for (int round = 0; round < 20; ++round) {
    BlockHead head;
    const std::span<const uint8_t> in = f.Head(0, &head);
    BlockDecoder d;
    ASSERT_EQ(d.Start(&head), LZMA_OK);
    std::string out(b.uncompressed_size, '\0');
    size_t consumed = 0;
    uint64_t produced = 0;
    lzma_ret ret = LZMA_OK;
    while (ret == LZMA_OK) {
      const size_t in_piece =
          std::min<size_t>(in.size() - consumed, 1 + rng() % 5000);
      const size_t out_piece =
          std::min<size_t>(out.size() - produced, rng() % 20000);
      const BlockResult r = d.Code(
          in.subspan(consumed, in_piece),
          {reinterpret_cast<uint8_t*>(out.data()) + produced, out_piece});
      ret = r.ret;
      consumed += r.consumed;
      produced += r.produced;
      ASSERT_LE(r.consumed, in_piece);
      ASSERT_LE(r.produced, out_piece);
    }
    EXPECT_EQ(ret, LZMA_STREAM_END);
    EXPECT_EQ(consumed, in.size());
    EXPECT_TRUE(out == f.data.substr(0, b.uncompressed_size));
  }
}

TEST(BlockDecoder, RunningOutIsMoreAndCorruptionIsAnError) {
  const Fixture f;
  BlockHead head;
  std::span<const uint8_t> in = f.Head(0, &head);
  BlockDecoder d;
  // The input cut short: LZMA_OK with what was done, not LZMA_BUF_ERROR.
  BlockResult r = d.Decode(&head, in.first(in.size() / 2), {});
  EXPECT_EQ(r.ret, LZMA_OK);
  EXPECT_EQ(r.consumed, in.size() / 2);
  // Output space short.
  in = f.Head(0, &head);
  std::vector<uint8_t> small(1000);
  r = d.Decode(&head, in, small);
  EXPECT_EQ(r.ret, LZMA_OK);
  EXPECT_EQ(r.produced, 1000u);
  // A flipped byte in the LZMA2 data.
  std::vector<uint8_t> bad(in.begin(), in.end());
  bad[bad.size() / 3] ^= 0x55;
  in = f.Head(0, &head);
  r = d.Decode(&head, bad, {});
  EXPECT_NE(r.ret, LZMA_OK);
  EXPECT_NE(r.ret, LZMA_STREAM_END);
}

TEST(BlockDecoder, CodeSomeServesAnyDecoder) {
  const Fixture f;
  LzmaStream s;
  ASSERT_EQ(lzma_stream_decoder(s.get(), UINT64_MAX, 0), LZMA_OK);
  std::string out;
  std::vector<uint8_t> buf(4096);
  size_t pos = 0;
  lzma_ret ret = LZMA_OK;
  while (ret == LZMA_OK) {
    const size_t piece = std::min<size_t>(f.xz.size() - pos, 777);
    const BlockResult r =
        CodeSome(s.get(), f.Bytes(pos, piece), buf,
                 pos + piece == f.xz.size() ? LZMA_FINISH : LZMA_RUN);
    pos += r.consumed;
    out.append(reinterpret_cast<const char*>(buf.data()), r.produced);
    ret = r.ret;
    ASSERT_TRUE(r.consumed > 0 || r.produced > 0 || ret != LZMA_OK);
  }
  EXPECT_EQ(ret, LZMA_STREAM_END);
  EXPECT_TRUE(out == f.data);
}

TEST(BlockDecoderPool, ReusesAndTrims) {
  BlockDecoderPool pool;
  std::unique_ptr<BlockDecoder> a = pool.Acquire();
  std::unique_ptr<BlockDecoder> b = pool.Acquire();
  BlockDecoder* const pa = a.get();
  EXPECT_NE(pa, b.get());
  pool.Release(std::move(a));
  pool.Release(std::move(b));
  pool.Trim(1);
  std::unique_ptr<BlockDecoder> c = pool.Acquire();
  std::unique_ptr<BlockDecoder> d = pool.Acquire();  // new: one was freed
  EXPECT_TRUE(c.get() != nullptr && d.get() != nullptr);
  EXPECT_NE(c.get(), d.get());
}

}  // namespace
}  // namespace parxz
