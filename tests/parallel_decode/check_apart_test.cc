// ThreadedDecompressor's Blocks decoded on the calling thread compute their
// CRC32/CRC64 outside liblzma (parallel/decode/block_check.h): on the check
// thread in large calls, on the caller in small ones. Judged against core's
// Decompressor, where liblzma's Block decoder verifies the Check itself: the
// same output, the same error for a Check that differs (after all of the
// Block's data), whatever the mix of call sizes.
#include <gtest/gtest.h>
#include <lzma.h>

#include <optional>
#include <string>
#include <vector>

#include "core/decompressor.h"
#include "core/error.h"
#include "parallel/common/threads.h"
#include "parallel/decode/threaded_decompressor.h"
#include "tests/parallel_decode/decode_test_util.h"

namespace parxz::testing {
namespace {

// The last byte of every Block's Check flipped (the Blocks from the Index).
std::string FlipChecks(std::string xz) {
  const auto* bytes = reinterpret_cast<const uint8_t*>(xz.data());
  lzma_stream_flags footer;
  EXPECT_EQ(lzma_stream_footer_decode(
                &footer, bytes + xz.size() - LZMA_STREAM_HEADER_SIZE),
            LZMA_OK);
  lzma_index* index = nullptr;
  uint64_t memlimit = UINT64_MAX;
  size_t pos = xz.size() - LZMA_STREAM_HEADER_SIZE - footer.backward_size;
  EXPECT_EQ(lzma_index_buffer_decode(&index, &memlimit, nullptr, bytes, &pos,
                                     xz.size() - LZMA_STREAM_HEADER_SIZE),
            LZMA_OK);
  if (index == nullptr) return xz;
  lzma_index_iter it;
  lzma_index_iter_init(&it, index);
  while (!lzma_index_iter_next(&it, LZMA_INDEX_ITER_BLOCK)) {
    xz[it.block.compressed_file_offset + it.block.unpadded_size - 1] ^= 0x21;
  }
  lzma_index_end(index, nullptr);
  return xz;
}

// Output and error of a decoder called with max_length `sizes` in turn
// (the whole input given to the first call), until eof, an error, or a
// call that returns nothing while it asks for input.
struct Outcome {
  std::string out;
  std::optional<ErrorCode> error;
};
template <typename D>
Outcome Drive(D& d, const std::string& xz, const std::vector<int64_t>& sizes) {
  Outcome r;
  std::string_view in = xz;
  for (size_t i = 0; !d.eof(); ++i) {
    try {
      const std::string got = d.decompress(in, sizes[i % sizes.size()]);
      in = {};
      r.out += got;
      if (got.empty() && d.needs_input()) break;
    } catch (const Error& e) {
      r.error = e.code();
      break;
    }
  }
  return r;
}

bool TwoThreads() { return PlanThreads(2).threads >= 2; }

struct Case {
  const char* name;
  std::string xz;
  uint64_t blocks;
};

std::vector<Case> Cases(const std::string& data) {
  std::vector<Case> cases;
  for (lzma_check check : {LZMA_CHECK_CRC32, LZMA_CHECK_CRC64}) {
    const char* crc = check == LZMA_CHECK_CRC32 ? "crc32" : "crc64";
    // xz -T1: one Block without sizes; xz -T1 --block-size: three of them;
    // a one-Block stream with sizes (the stream's last Block, decoded
    // inline).
    cases.push_back({crc, XzSeq(data, 0, 1, check), 1});
    cases.push_back({crc, XzSeq(data, data.size() / 3 + 1, 1, check), 3});
    cases.push_back({crc, XzMt(data, data.size() + 1, 1, check), 1});
  }
  return cases;
}

TEST(CheckApart, LargeCallsCheckOnTheCheckThread) {
  // Blocks of 2 MiB: the first MiB of each is checked on the caller, the
  // rest on the check thread.
  const std::string data = TestData(6 << 20, 41);
  for (const Case& c : Cases(data)) {
    SCOPED_TRACE(std::string(c.name) + ", " + std::to_string(c.blocks) +
                 " Blocks");
    ThreadedDecompressor d({.threads = 2});
    const Outcome r = Drive(d, c.xz, {-1});
    EXPECT_FALSE(r.error);
    EXPECT_TRUE(d.eof());
    EXPECT_TRUE(r.out == data);
    EXPECT_EQ(d.stats().blocks_checked_apart, TwoThreads() ? c.blocks : 0);
    // Small calls compute it on the caller.
    ThreadedDecompressor small({.threads = 2});
    const Outcome s = Drive(small, c.xz, {64 << 10});
    EXPECT_FALSE(s.error);
    EXPECT_TRUE(s.out == data);
    EXPECT_EQ(small.stats().blocks_checked_apart, 0u);
  }
}

// Output under 1 MiB per call never starts the thread, whatever the room.
TEST(CheckApart, SmallOutputStaysOnTheCaller) {
  const std::string data = TestData(1000 << 10, 44);
  for (const Case& c : Cases(data)) {
    ThreadedDecompressor d({.threads = 2});
    const Outcome r = Drive(d, c.xz, {-1});
    EXPECT_FALSE(r.error);
    EXPECT_TRUE(r.out == data);
    EXPECT_EQ(d.stats().blocks_checked_apart, 0u);
  }
}

TEST(CheckApart, DamagedCheckFailsAsLiblzmaDoes) {
  const std::string data = TestData(3 << 20, 42);
  const std::vector<std::vector<int64_t>> schedules = {
      {-1}, {64 << 10}, {2 << 20, 1000}, {1000, 3 << 20}, {1 << 20}};
  for (const Case& c : Cases(data)) {
    const std::string bad = FlipChecks(c.xz);
    Decompressor seq;
    const Outcome want = Drive(seq, bad, {-1});
    ASSERT_TRUE(want.error);
    // The first Block's data, all of which comes before its Check.
    const uint64_t first_block = Blocks(c.xz).at(0).uncompressed_size;
    for (const std::vector<int64_t>& schedule : schedules) {
      SCOPED_TRACE(std::string(c.name) + ", " + std::to_string(c.blocks) +
                   " Blocks, first call " + std::to_string(schedule[0]));
      ThreadedDecompressor d({.threads = 2});
      const Outcome got = Drive(d, bad, schedule);
      ASSERT_TRUE(got.error);
      EXPECT_EQ(*got.error, *want.error);
      // Every byte of the Block whose Check differs comes before the error,
      // as from liblzma's decoder (the sequential one drops the output of
      // its failing call, so this is more).
      EXPECT_EQ(got.out.size(), first_block);
      EXPECT_TRUE(data.compare(0, got.out.size(), got.out) == 0);
    }
    // With ignore_check nothing is verified, here or in liblzma.
    ThreadedDecompressor ignoring(
        {.base = {.ignore_check = true}, .threads = 2});
    const Outcome ignored = Drive(ignoring, bad, {-1});
    EXPECT_FALSE(ignored.error);
    EXPECT_TRUE(ignored.out == data);
    EXPECT_EQ(ignoring.stats().blocks_checked_apart, 0u);
  }
}

TEST(CheckApart, Sha256StaysInLiblzma) {
  const std::string data = TestData(2 << 20, 43);
  const std::string xz = XzSeq(data, 0, 1, LZMA_CHECK_SHA256);
  ThreadedDecompressor d({.threads = 2});
  const Outcome r = Drive(d, xz, {-1});
  EXPECT_FALSE(r.error);
  EXPECT_TRUE(r.out == data);
  EXPECT_EQ(d.stats().blocks_checked_apart, 0u);
  ThreadedDecompressor b({.threads = 2});
  const Outcome bad = Drive(b, FlipChecks(xz), {-1});
  ASSERT_TRUE(bad.error);
  EXPECT_EQ(*bad.error, ErrorCode::kCorruptData);
}

}  // namespace
}  // namespace parxz::testing
