// What the one Block decode routine gives every driver: ParallelDecompress
// cancelled in the middle of one large Block returns long before the Block
// would have finished; ThreadedDecompressor reports live progress from its
// workers; a bad Block's bytes before its error, and a truncated Block's
// decodable prefix once end_input() says no more input comes, are returned
// before the error, as the sequential decoder returns them.
#include <gtest/gtest.h>
#include <lzma.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>

#include "core/decompressor.h"
#include "parallel/common/live_progress.h"
#include "parallel/decode/parallel_decompressor.h"
#include "parallel/decode/threaded_decompressor.h"
#include "tests/parallel_decode/decode_test_util.h"

namespace parxz::testing {
namespace {

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
constexpr bool kSanitized = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || \
    __has_feature(undefined_behavior_sanitizer)
constexpr bool kSanitized = true;
#else
constexpr bool kSanitized = false;
#endif
#else
constexpr bool kSanitized = false;
#endif

using Clock = std::chrono::steady_clock;

double Seconds(Clock::duration d) {
  return std::chrono::duration<double>(d).count();
}

TEST(Cancel, ParallelDecompressStopsInsideA64MiBBlock) {
  const std::string data = TestData(64 << 20, 77);
  const std::string xz = XzMt(data, 64 << 20, 0);
  ASSERT_EQ(Blocks(xz).size(), 1u);

  // How long the Block takes whole, for comparison.
  const Clock::time_point t0 = Clock::now();
  ASSERT_TRUE(ParallelDecompress(xz, {.threads = 2}) == data);
  const double whole = Seconds(Clock::now() - t0);

  std::atomic<bool> cancel{false};
  LiveProgress live;
  std::atomic<bool> returned{false};
  Clock::time_point end;
  std::thread decoder([&] {
    try {
      ParallelDecompress(xz, {.threads = 2, .live = &live, .cancel = &cancel});
      ADD_FAILURE() << "not cancelled";
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::kCancelled) << e.what();
    }
    end = Clock::now();
    returned = true;
  });
  // Cancel once the Block is well under way (its decoder has reported a
  // few MiB), so the cancel lands in the middle of it.
  while (live.out_bytes.load() < (4u << 20) && !returned.load()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  const uint64_t at_cancel = live.out_bytes.load();
  const Clock::time_point asked = Clock::now();
  cancel = true;
  decoder.join();
  const double after = Seconds(end - asked);
  std::printf(
      "whole Block %.3f s; cancelled at %llu bytes, returned %.3f s "
      "later\n",
      whole, static_cast<unsigned long long>(at_cancel), after);
  EXPECT_LT(at_cancel, data.size());
  EXPECT_LT(live.out_bytes.load(), data.size()) << "the Block ran to its end";
  if (!kSanitized) {
    EXPECT_LT(after, 0.2);
    EXPECT_LT(after, whole / 2);
  }
}

TEST(Cancel, SetBeforeTheCallCancelsAtOnce) {
  const std::string data = TestData(3 << 20, 5);
  const std::string xz = XzMt(data, 1 << 20);
  std::atomic<bool> cancel{true};
  for (const bool keep : {true, false}) {
    try {
      if (keep) {
        ParallelDecompress(xz, {.threads = 2, .cancel = &cancel});
      } else {
        ParallelTest(xz, {.threads = 2, .cancel = &cancel});
      }
      ADD_FAILURE() << "not cancelled";
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::kCancelled);
    }
  }
}

TEST(LiveProgress, ThreadedDecompressorCountsWhatItsWorkersDecode) {
  // As many Blocks as the window takes ahead (2 x threads).
  const std::string data = TestData(4 << 20, 3);
  const std::string xz = XzMt(data, 1 << 20);
  LiveProgress live;
  ThreadedDecompressor d({.threads = 2, .live = &live});
  // Every Block's bytes handed over, nothing asked back: only the workers
  // decode, and the counters show it while the caller waits elsewhere.
  EXPECT_TRUE(d.decompress(xz, 0).empty());
  const Clock::time_point give_up = Clock::now() + std::chrono::seconds(60);
  uint64_t seen_between = 0;
  while (live.out_bytes.load() < data.size() && Clock::now() < give_up) {
    const uint64_t now = live.out_bytes.load();
    if (now > 0 && now < data.size()) seen_between = now;
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
  EXPECT_EQ(live.out_bytes.load(), data.size());
  EXPECT_GT(live.in_bytes.load(), 0u);
  EXPECT_LT(live.in_bytes.load(), xz.size());  // Block data only
  std::printf("seen part-way: %llu of %zu bytes\n",
              static_cast<unsigned long long>(seen_between), data.size());
  EXPECT_TRUE(d.decompress("", -1) == data);
  EXPECT_TRUE(d.eof());
}

// The sequential decoder's output before its error, given all of `xz` in
// one call with max_length -1 (what it returns is what it decoded: here the
// bytes before the error are those a streaming caller would have got).
std::string SequentialBeforeError(const std::string& xz, ErrorCode* code) {
  Decompressor d;
  std::string out;
  *code = ErrorCode::kInternal;
  try {
    for (size_t at = 0; at < xz.size(); at += 4096) {
      out += d.decompress(xz.substr(at, 4096), -1);
    }
  } catch (const Error& e) {
    *code = e.code();
  }
  return out;
}

TEST(ErrorsInOrder, BadBlockBytesComeBeforeItsError) {
  const std::string data = TestData(5 << 20, 8);
  const std::string good = XzMt(data, 1 << 20);
  const std::vector<BlockPos> blocks = Blocks(good);
  ASSERT_GE(blocks.size(), 4u);
  for (const size_t victim : {size_t{0}, size_t{2}}) {
    // A flipped bit in the middle of the Block's data.
    std::string bad = good;
    bad[blocks[victim].offset + blocks[victim].total_size / 2] ^= 0x10;
    ErrorCode want = ErrorCode::kInternal;
    const std::string sequential = SequentialBeforeError(bad, &want);
    ASSERT_NE(want, ErrorCode::kInternal);
    ThreadedDecompressor d({.threads = 2});
    std::string got;
    ErrorCode code = ErrorCode::kInternal;
    try {
      got += d.decompress(bad, -1);  // all of it: output first ...
      EXPECT_FALSE(d.needs_input());
      got += d.decompress("", -1);  // ... the error next
      ADD_FAILURE() << "no error";
    } catch (const Error& e) {
      code = e.code();
    }
    EXPECT_EQ(code, want);
    EXPECT_GE(got.size(), blocks[victim].uncompressed_offset);
    EXPECT_TRUE(got.compare(0, sequential.size(), sequential) == 0 ||
                sequential.compare(0, got.size(), got) == 0);
    EXPECT_GE(got.size(),
              sequential.size() - std::min<size_t>(sequential.size(), 4096))
        << "victim " << victim;
  }
}

TEST(ErrorsInOrder, EndInputReturnsTheTruncatedBlocksPrefix) {
  const std::string data = TestData(3 << 20, 12);
  const std::string good = XzMt(data, 1 << 20);
  const std::vector<BlockPos> blocks = Blocks(good);
  ASSERT_EQ(blocks.size(), 3u);
  // Cut in the middle of the last Block.
  const std::string cut =
      good.substr(0, blocks[2].offset + blocks[2].total_size / 2);
  ErrorCode seq_code = ErrorCode::kInternal;
  const std::string sequential = SequentialBeforeError(cut, &seq_code);
  ASSERT_EQ(seq_code, ErrorCode::kInternal);  // no error: just more wanted
  ASSERT_GT(sequential.size(), blocks[2].uncompressed_offset);

  ThreadedDecompressor d({.threads = 2});
  std::string got = d.decompress(cut, -1);
  EXPECT_EQ(got.size(), blocks[2].uncompressed_offset);  // it waits
  EXPECT_TRUE(d.needs_input());
  d.end_input();
  EXPECT_FALSE(d.eof());
  while (!d.needs_input()) got += d.decompress("", 100000);
  got += d.decompress("", -1);
  EXPECT_TRUE(d.needs_input());
  EXPECT_FALSE(d.eof());
  EXPECT_EQ(got.size(), sequential.size());
  EXPECT_TRUE(got == sequential);
}

}  // namespace
}  // namespace parxz::testing
