// The container parser on its own: a Stream made by liblzma walked through
// header, Block Headers, Index and Footer; each check fails where
// lzma_stream_decoder's does.
#include "parallel/decode/xz_parser.h"

#include <gtest/gtest.h>
#include <lzma.h>

#include <string>
#include <vector>

#include "tests/parallel_decode/decode_test_util.h"

namespace parxz {
namespace {

const uint8_t* At(const std::string& s, uint64_t offset) {
  return reinterpret_cast<const uint8_t*>(s.data()) + offset;
}

// Walks `xz` (one Stream) as the decoder does, adding every Block of the
// Index; returns the first verdict that is not LZMA_OK (LZMA_STREAM_END for
// a Stream whose footer checked out).
lzma_ret Walk(const std::string& xz, uint64_t memlimit = UINT64_MAX,
              size_t skip_blocks = 0) {
  StreamChecker stream;
  lzma_ret ret = stream.ParseHeader(At(xz, 0));
  if (ret != LZMA_OK) return ret;
  const std::vector<testing::BlockPos> blocks = testing::Blocks(xz);
  uint64_t end = LZMA_STREAM_HEADER_SIZE;
  for (size_t i = 0; i < blocks.size(); ++i) {
    BlockHead head;
    ret = ParseBlockHeader(At(xz, blocks[i].offset), stream.check(), memlimit,
                           &head);
    if (ret != LZMA_OK) return ret;
    // Decoding the Block fills in its sizes, as the decoder's Block
    // decoder does before the Index hash gets them.
    std::string out(blocks[i].uncompressed_size, '\0');
    size_t in_pos = blocks[i].offset + head.block.header_size, out_pos = 0;
    ret = lzma_block_buffer_decode(&head.block, nullptr, At(xz, 0), &in_pos,
                                   blocks[i].offset + blocks[i].total_size,
                                   reinterpret_cast<uint8_t*>(out.data()),
                                   &out_pos, out.size());
    if (ret != LZMA_OK) return ret;
    const lzma_block& b = head.block;
    if (i >= skip_blocks) {
      ret = stream.AddBlock(b);
      if (ret != LZMA_OK) return ret;
    }
    end = blocks[i].offset + blocks[i].total_size;
  }
  size_t pos = 0;
  const size_t index_size = xz.size() - LZMA_STREAM_HEADER_SIZE - end;
  // The Index in pieces of 3 bytes.
  ret = LZMA_OK;
  while (ret == LZMA_OK && pos < index_size) {
    ret = stream.DecodeIndex(At(xz, end), &pos, std::min(index_size, pos + 3));
  }
  if (ret != LZMA_STREAM_END) return ret == LZMA_OK ? LZMA_BUF_ERROR : ret;
  ret = stream.CheckFooter(At(xz, xz.size() - LZMA_STREAM_HEADER_SIZE));
  return ret == LZMA_OK ? LZMA_STREAM_END : ret;
}

TEST(XzParser, WalksStreamsMadeByLiblzma) {
  const std::string data = testing::TestData(300 << 10, 31);
  for (const std::string& xz :
       {testing::XzMt(data, 64 << 10, 1), testing::XzSeq(data, 100 << 10, 1),
        testing::XzMt(data, 0, 1, LZMA_CHECK_SHA256), testing::XzMt("", 0, 1),
        testing::XzSeq(data, 0, 0, LZMA_CHECK_NONE)}) {
    EXPECT_EQ(Walk(xz), LZMA_STREAM_END);
  }
}

TEST(XzParser, EachCheckFailsLikeTheStreamDecoder) {
  const std::string xz =
      testing::XzMt(testing::TestData(200 << 10, 32), 64 << 10, 1);
  const std::vector<testing::BlockPos> blocks = testing::Blocks(xz);
  ASSERT_EQ(blocks.size(), 4u);

  std::string bad = xz;
  bad[0] = 'X';  // magic
  EXPECT_EQ(Walk(bad), LZMA_FORMAT_ERROR);
  bad = xz;
  bad[7] ^= 1;  // Stream Flags: CRC32 of the header fails
  EXPECT_EQ(Walk(bad), LZMA_DATA_ERROR);
  bad = xz;
  bad[blocks[1].offset + 2] ^= 0x40;  // a Block Header's CRC32
  EXPECT_EQ(Walk(bad), LZMA_DATA_ERROR);
  // A Block the Index records but the Stream did not have.
  EXPECT_EQ(Walk(xz, UINT64_MAX, 1), LZMA_DATA_ERROR);
  // Footer: its magic, and flags that differ from the header's.
  bad = xz;
  bad[xz.size() - 1] = 'X';
  EXPECT_EQ(Walk(bad), LZMA_DATA_ERROR);
  bad = xz;
  bad[xz.size() - 3] ^= 1;  // footer flags, CRC32 no longer matches
  EXPECT_EQ(Walk(bad), LZMA_DATA_ERROR);
}

TEST(XzParser, BlockHeaderMemoryLimitAndDetails) {
  const std::string xz =
      testing::XzMt(testing::TestData(100 << 10, 33), 64 << 10, 6);
  const std::vector<testing::BlockPos> blocks = testing::Blocks(xz);
  StreamChecker stream;
  ASSERT_EQ(stream.ParseHeader(At(xz, 0)), LZMA_OK);
  EXPECT_EQ(stream.check(), LZMA_CHECK_CRC64);
  BlockHead head;
  ASSERT_EQ(ParseBlockHeader(At(xz, blocks[0].offset), stream.check(),
                             UINT64_MAX, &head),
            LZMA_OK);
  EXPECT_GT(head.memusage, 8u << 20);  // -6: an 8 MiB dictionary
  EXPECT_EQ(head.total_size(), blocks[0].total_size);  // xz -T records sizes
  EXPECT_EQ(ParseBlockHeader(At(xz, blocks[0].offset), stream.check(),
                             head.memusage - 1, &head),
            LZMA_MEMLIMIT_ERROR);
  head.offset = 4200;
  head.stream = 1;
  head.number = 3;
  EXPECT_EQ(DescribeBlock(head),
            "Block 3 of Stream 1 (Block Header at compressed byte 4200)");
  const Error e = DecodeError(LZMA_DATA_ERROR, DescribeBlock(head), 4300);
  EXPECT_EQ(e.code(), ErrorCode::kCorruptData);
  EXPECT_EQ(e.offset(), 4300u);
}

}  // namespace
}  // namespace parxz
