// The Index of a whole file on its own: every Stream's Blocks, at the
// offsets the file has them, within the memory a file of its size can need.
#include "parallel/access/file_index.h"

#include <gtest/gtest.h>
#include <lzma.h>

#include <optional>
#include <string>
#include <vector>

#include "core/error.h"
#include "tests/parallel_decode/decode_test_util.h"

namespace parxz {
namespace {

std::span<const uint8_t> Bytes(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

// The error reading the Index gives; nullopt when it reads.
std::optional<ErrorCode> CodeOf(const ByteSource& file, uint64_t memlimit) {
  try {
    DecodeFileIndex(file, 0, memlimit);
  } catch (const Error& e) {
    return e.code();
  }
  return std::nullopt;
}

TEST(FileIndex, BlocksOfEveryStreamAtTheirOffsets) {
  const std::string a = testing::TestData(200 << 10, 61);
  const std::string one = testing::XzMt(a, 64 << 10, 0);
  const std::string two = testing::XzSeq(a, 50 << 10, 0);
  const std::string prefix = "not part of it";
  const std::string file = prefix + one + std::string(8, '\0') + two;
  const ByteSource source(Bytes(file));
  const LzmaIndexPtr index = DecodeFileIndex(source, prefix.size(), UINT64_MAX);
  EXPECT_EQ(lzma_index_stream_count(index.get()), 2u);
  EXPECT_EQ(lzma_index_uncompressed_size(index.get()), 2 * a.size());

  const std::vector<IndexedBlock> blocks =
      IndexedBlocks(index.get(), prefix.size());
  std::vector<testing::BlockPos> want = testing::Blocks(one);
  const uint64_t second = prefix.size() + one.size() + 8;
  for (const testing::BlockPos& b : testing::Blocks(two)) {
    want.push_back({second + b.offset, b.total_size, 0, b.uncompressed_size});
  }
  for (size_t i = 0; i < testing::Blocks(one).size(); ++i) {
    want[i].offset += prefix.size();
  }
  ASSERT_EQ(blocks.size(), want.size());
  for (size_t i = 0; i < blocks.size(); ++i) {
    EXPECT_EQ(blocks[i].offset, want[i].offset) << i;
    EXPECT_EQ(blocks[i].total_size, want[i].total_size) << i;
    EXPECT_EQ(blocks[i].uncompressed_size, want[i].uncompressed_size) << i;
    EXPECT_EQ(FindIndexedBlock(blocks, want[i].offset), &blocks[i]);
    EXPECT_EQ(FindIndexedBlock(blocks, want[i].offset + 1), nullptr);
  }
}

// Each Stream's Index is a Record group of its own: many tiny Streams need
// more Index memory per byte of file than one big one (the bound once
// missed that, and `parxz -l` refused `cat a.xz a.xz a.xz`).
TEST(FileIndex, ManySmallStreams) {
  const std::string tiny = testing::XzMt("a", 0, 0);
  for (int n : {2, 3, 10, 1000}) {
    std::string file;
    for (int i = 0; i < n; ++i) file += tiny;
    const LzmaIndexPtr index =
        DecodeFileIndex(ByteSource(Bytes(file)), 0, UINT64_MAX);
    EXPECT_EQ(lzma_index_stream_count(index.get()), static_cast<uint64_t>(n));
    EXPECT_EQ(lzma_index_block_count(index.get()), static_cast<uint64_t>(n));
  }
}

TEST(FileIndex, LimitsAndDamage) {
  const std::string xz =
      testing::XzMt(testing::TestData(100 << 10, 62), 16 << 10, 0);
  const ByteSource source(Bytes(xz));
  EXPECT_EQ(CodeOf(source, UINT64_MAX), std::nullopt);
  EXPECT_EQ(CodeOf(source, 1), ErrorCode::kMemLimit);
  const std::string cut = xz.substr(0, xz.size() - 1);
  EXPECT_NE(CodeOf(ByteSource(Bytes(cut)), UINT64_MAX), std::nullopt);
  const std::string junk = xz + "junk";
  EXPECT_NE(CodeOf(ByteSource(Bytes(junk)), UINT64_MAX), std::nullopt);
}

}  // namespace
}  // namespace parxz
