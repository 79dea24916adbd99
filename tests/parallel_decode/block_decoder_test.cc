// The one lzma_code() loop and the Block decode routine on their own: any
// split of input and output into pieces gives the whole-Block result; every
// output policy; running out of input is "more", stopping short of the
// promise with all input is corruption (BlockVerdict); cancel requests and
// live counters; the pool reuses decoders.
#include "parallel/decode/block_decoder.h"

#include <gtest/gtest.h>
#include <lzma.h>

#include <atomic>
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

TEST(BlockDecoder, WholeBlockIntoBufferGrownAndDiscarded) {
  const Fixture f;
  ASSERT_EQ(f.blocks.size(), 2u);
  BlockDecoder d;  // reused for every Block
  for (size_t i = 0; i < f.blocks.size(); ++i) {
    const testing::BlockPos& b = f.blocks[i];
    const std::string want =
        f.data.substr(b.uncompressed_offset, b.uncompressed_size);
    BlockHead head;
    std::span<const uint8_t> in = f.Head(i, &head);
    std::string out(b.uncompressed_size, '\0');
    BlockResult r = d.Decode(
        &head, {.in = in,
                .promise = BlockPromise::FromHeader(head),
                .out = BlockOutput::Into(
                    {reinterpret_cast<uint8_t*>(out.data()), out.size()})});
    EXPECT_EQ(r.ret, LZMA_STREAM_END);
    EXPECT_EQ(r.consumed, in.size());
    EXPECT_EQ(r.produced, b.uncompressed_size);
    EXPECT_TRUE(out == want);
    // Grown as it decodes.
    in = f.Head(i, &head);
    ByteBuffer grown;
    r = d.Decode(&head, {.in = in,
                         .promise = BlockPromise::FromHeader(head),
                         .out = BlockOutput::Grow(&grown)});
    EXPECT_EQ(r.ret, LZMA_STREAM_END);
    EXPECT_TRUE(std::string(reinterpret_cast<const char*>(grown.data()), grown.size()) == want);
    // Verification only: no output buffer.
    in = f.Head(i, &head);
    r = d.Decode(&head, {.in = in, .promise = BlockPromise::FromHeader(head)});
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
  const BlockPromise promise = BlockPromise::FromHeader(head);
  ASSERT_EQ(promise.in, in.size());
  BlockDecoder d;
  // The input cut short: LZMA_OK with what was done, not an error.
  BlockResult r =
      d.Decode(&head, {.in = in.first(in.size() / 2), .promise = promise});
  EXPECT_EQ(r.ret, LZMA_OK);
  EXPECT_EQ(r.consumed, in.size() / 2);
  EXPECT_FALSE(r.cancelled);
  // Output space short with all the input there: the Block cannot end
  // where it promised, which is corruption.
  in = f.Head(0, &head);
  std::vector<uint8_t> small(1000);
  r = d.Decode(&head,
               {.in = in, .promise = promise, .out = BlockOutput::Into(small)});
  EXPECT_EQ(r.ret, LZMA_DATA_ERROR);
  EXPECT_EQ(r.produced, 1000u);
  // A flipped byte in the LZMA2 data; the grown output keeps what was
  // decoded before the error, a prefix of the Block.
  std::vector<uint8_t> bad(in.begin(), in.end());
  bad[bad.size() / 3] ^= 0x55;
  in = f.Head(0, &head);
  ByteBuffer part;
  r = d.Decode(
      &head, {.in = bad, .promise = promise, .out = BlockOutput::Grow(&part)});
  EXPECT_NE(r.ret, LZMA_OK);
  EXPECT_NE(r.ret, LZMA_STREAM_END);
  EXPECT_EQ(part.size(), r.produced);
  // The same bytes as a decoder given 4 KiB of output space a call (as xz
  // -dc's) emits before the error: the kept part does not depend on how
  // much room a worker had.
  in = f.Head(0, &head);
  ASSERT_EQ(d.Start(&head), LZMA_OK);
  std::string small_steps;
  size_t consumed = 0;
  for (;;) {
    uint8_t buf[4096];
    const BlockResult p = d.Code(std::span(bad).subspan(consumed), buf);
    consumed += p.consumed;
    small_steps.append(reinterpret_cast<const char*>(buf), p.produced);
    if (p.ret != LZMA_OK || (p.consumed == 0 && p.produced == 0)) {
      EXPECT_EQ(p.ret, r.ret);
      break;
    }
  }
  EXPECT_TRUE(std::string(reinterpret_cast<const char*>(part.data()), part.size()) == small_steps)
      << part.size() << " vs " << small_steps.size();
}

TEST(BlockVerdict, OneRuleForWhatABlockPromised) {
  const BlockPromise p{.in = 100, .out = 400};
  const BlockPromise none;
  struct Case {
    lzma_ret ret;
    size_t consumed;
    uint64_t produced;
    bool cancelled;
    BlockPromise promise;
    bool complete;
    lzma_ret want;
  } cases[] = {
      {LZMA_STREAM_END, 100, 400, false, p, true, LZMA_STREAM_END},
      {LZMA_STREAM_END, 96, 400, false, p, true, LZMA_DATA_ERROR},
      {LZMA_STREAM_END, 100, 399, false, p, true, LZMA_DATA_ERROR},
      {LZMA_STREAM_END, 7, 9, false, none, false, LZMA_STREAM_END},
      {LZMA_OK, 50, 200, false, p, false, LZMA_OK},          // more input
      {LZMA_OK, 100, 200, false, p, true, LZMA_DATA_ERROR},  // stopped short
      {LZMA_OK, 50, 200, true, p, true, LZMA_OK},            // cancelled
      {LZMA_DATA_ERROR, 50, 0, false, p, true, LZMA_DATA_ERROR},
      {LZMA_MEMLIMIT_ERROR, 0, 0, false, p, true, LZMA_MEMLIMIT_ERROR},
  };
  for (const Case& c : cases) {
    BlockResult r{.ret = c.ret,
                  .consumed = c.consumed,
                  .produced = c.produced,
                  .cancelled = c.cancelled};
    EXPECT_EQ(BlockVerdict(r, c.promise, c.complete), c.want)
        << c.ret << " " << c.consumed << " " << c.produced;
  }
}

TEST(BlockDecoder, CancelStopsBetweenPiecesAndLiveCountsThem) {
  // Several pieces of output: a 3.5 MiB Block.
  const std::string data = testing::TestData((7 << 20) / 2, 9);
  const std::string xz = testing::XzMt(data, 8 << 20, 1);
  const std::vector<testing::BlockPos> blocks = testing::Blocks(xz);
  ASSERT_EQ(blocks.size(), 1u);
  auto head_of = [&](BlockHead* head) {
    const uint8_t* p = reinterpret_cast<const uint8_t*>(xz.data());
    EXPECT_EQ(ParseBlockHeader(p + blocks[0].offset, LZMA_CHECK_CRC64,
                               UINT64_MAX, head),
              LZMA_OK);
    const uint32_t h = head->block.header_size;
    return std::span<const uint8_t>(p + blocks[0].offset + h,
                                    blocks[0].total_size - h);
  };
  BlockDecoder d;
  BlockHead head;
  std::span<const uint8_t> in = head_of(&head);
  std::atomic<bool> cancel{true};
  BlockResult r = d.Decode(
      &head,
      {.in = in, .promise = BlockPromise::FromHeader(head), .cancel = &cancel});
  EXPECT_TRUE(r.cancelled);
  EXPECT_EQ(r.ret, LZMA_OK);
  EXPECT_EQ(r.consumed, 0u);
  // Live counters see every piece; the totals are the Block's.
  in = head_of(&head);
  LiveProgress live;
  r = d.Decode(
      &head,
      {.in = in, .promise = BlockPromise::FromHeader(head), .live = &live});
  EXPECT_EQ(r.ret, LZMA_STREAM_END);
  EXPECT_EQ(live.in_bytes.load(), in.size());
  EXPECT_EQ(live.out_bytes.load(), data.size());
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
