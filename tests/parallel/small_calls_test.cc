// Small calls stay cheap without changing a byte or a verdict (issue 23
// item 2): inputs below two Blocks are compressed and decoded on the calling
// thread (parallel/compress/compress_front.h, parallel/decode/decode_front.h,
// threaded_decompressor.h), and that path must give what `xz -T2` writes and
// what the threaded path gives, start no thread, and not grow with reuse.
// Timing is not tested here (bench/small_calls.sh measures it).
#include <dirent.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include "core/compressor.h"
#include "core/error.h"
#include "core/lzma_stream.h"
#include "parallel/compress/block_encoder.h"
#include "parallel/compress/compress_front.h"
#include "parallel/compress/parallel_compressor.h"
#include "parallel/decode/decode_front.h"
#include "parallel/decode/parallel_decompressor.h"
#include "parallel/decode/threaded_decompressor.h"
#include "tests/parallel/test_util.h"

// Sanitizers keep freed memory (ASan's quarantine) and shadow what is
// touched (TSan): resident memory says nothing about growth there.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define PARXZ_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define PARXZ_SANITIZED 1
#endif
#endif

namespace parxz {
namespace {

using testing::MixedData;
using testing::RunCommand;
using testing::WriteTempFile;

int ThreadCount() {
  int n = 0;
  DIR* d = opendir("/proc/self/task");
  if (d == nullptr) return -1;
  while (const dirent* e = readdir(d)) n += e->d_name[0] != '.';
  closedir(d);
  return n;
}

uint64_t RssKiB() {
  std::ifstream status("/proc/self/status");
  std::string key;
  uint64_t value = 0;
  while (status >> key) {
    if (key == "VmRSS:") {
      status >> value;
      return value;
    }
  }
  return 0;
}

// What `xz -T2` writes for `data` read from a pipe.
std::string XzT2(const std::string& data, uint32_t preset,
                 uint64_t block_size) {
  const std::string path = WriteTempFile("xz_in", data);
  std::string cmd = "cat '" + path + "' | xz -T2 -c -" + std::to_string(preset);
  if (block_size != 0) cmd += " --block-size=" + std::to_string(block_size);
  int status = 0;
  std::string out = RunCommand(cmd, &status);
  EXPECT_EQ(status, 0) << cmd;
  return out;
}

std::string CompressOneShot(const std::string& data, const CompressPlan& plan) {
  std::string out(CompressBound(data.size(), plan), '\0');
  out.resize(CompressInto(
      data, {reinterpret_cast<uint8_t*>(out.data()), out.size()}, plan));
  return out;
}

std::string CompressPushed(const std::string& data, const CompressPlan& plan,
                           size_t piece) {
  PushCompressor c(plan);
  std::string out;
  for (size_t i = 0; i < data.size(); i += piece) {
    out += c.compress(std::string_view(data).substr(i, piece));
  }
  out += c.flush();
  return out;
}

std::string CompressFile(const std::string& data, const ParallelOptions& o) {
  const std::string in = WriteTempFile("fd_in", data);
  const std::string out = in + ".xz";
  const int ifd = open(in.c_str(), O_RDONLY);
  const int ofd = open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  EXPECT_GE(ifd, 0);
  EXPECT_GE(ofd, 0);
  CompressFd(ifd, ofd, o);
  close(ifd);
  close(ofd);
  return testing::ReadFile(out);
}

// The first test of the binary: no other test has started oneTBB's workers
// yet, and none of these calls may (they cannot use a second thread).
TEST(SmallCalls, OneBlockCallsStartNoThread) {
  const std::string data = MixedData(64 << 10, 3);
  const CompressPlan plan = PlanCompress({.threads = 2});
  const int before = ThreadCount();
  ASSERT_GT(before, 0);
  std::string xz;
  for (int i = 0; i < 20; ++i) {
    xz = CompressOneShot(data, plan);
    EXPECT_EQ(CompressPushed(data, plan, 4096), xz);
    EXPECT_EQ(Decode(xz, {.threads = 2}), data);
    EXPECT_EQ(LastDecodeEngine(), DecodeEngine::kSequential);
    auto d = NewDecoder({.threads = 2});
    EXPECT_EQ(d->decompress(xz), data);
    EXPECT_TRUE(d->eof());
    EXPECT_EQ(d->stats().blocks_on_workers, 0u);
  }
  EXPECT_EQ(ThreadCount(), before);
}

// The same bytes as `xz -T2` for inputs of zero, one and about one Block,
// for every thread count and every way in.
TEST(SmallCalls, CompressionEqualsXzForEveryThreadCount) {
  struct Case {
    uint32_t preset;
    uint64_t block_size;  // 0: xz's default (24 MiB at -6)
    size_t size;
  };
  const Case cases[] = {
      {6, 0, 0},
      {6, 0, 1},
      {6, 0, 4096},
      {6, 0, 64 << 10},
      {1, 64 << 10, 65535},
      {1, 64 << 10, 65536},
      {1, 64 << 10, 65537},
      {1, 64 << 10, 200000},
  };
  for (const Case& c : cases) {
    const std::string data = MixedData(c.size, c.size + 1);
    const std::string expected = XzT2(data, c.preset, c.block_size);
    ASSERT_FALSE(expected.empty());
    for (unsigned threads : {1u, 2u, 4u}) {
      SCOPED_TRACE("preset " + std::to_string(c.preset) + " block " +
                   std::to_string(c.block_size) + " size " +
                   std::to_string(c.size) + " threads " +
                   std::to_string(threads));
      const CompressPlan plan = PlanCompress(
          {.preset = c.preset, .threads = threads, .block_size = c.block_size});
      EXPECT_TRUE(CompressOneShot(data, plan) == expected);
      EXPECT_TRUE(CompressPushed(data, plan, 1 << 20) == expected);
      EXPECT_TRUE(CompressPushed(data, plan, 1000) == expected);
      EXPECT_TRUE(CompressFile(data, plan.parallel) == expected);
    }
  }
}

// One idle encoder and one idle decoder are kept per process after small
// calls with small filter chains (core/lzma_stream.h), and a call that takes
// one writes what `xz -T2` writes, and decodes it, whatever the call before.
TEST(SmallCalls, SpareStreamsFollowTheirRule) {
  struct Step {
    uint32_t preset;
    size_t size;
    bool encoder_kept;  // a spare encoder is held after compressing
  };
  const Step steps[] = {
      {6, 4096, true},
      {6, 2 << 20, false},  // above kSpareBytesMax (one Block)
      {6, 64 << 10, true},
      {7, 4096, false},  // 186 MiB of tables: above kSpareMemoryMax
      {0, 4096, true},
      {6, 1 << 20, true},  // kSpareBytesMax itself
      {1, 100, true},
  };
  ASSERT_GT(lzma_raw_encoder_memusage(
                ResolveCompression({.preset = 7}).filters.get()),
            kSpareMemoryMax);
  // The process's first stream of each role is ended, not kept (one call
  // of each here, in case this test runs alone).
  const std::string first = CompressOneShot("a", PlanCompress({.threads = 2}));
  std::string one(1, '\0');
  ASSERT_EQ(DecodeInto(first, {reinterpret_cast<uint8_t*>(one.data()), 1},
                       {.threads = 2}),
            1u);
  for (const Step& s : steps) {
    SCOPED_TRACE("preset " + std::to_string(s.preset) + " size " +
                 std::to_string(s.size));
    const std::string data = MixedData(s.size, s.size + s.preset);
    const std::string xz =
        CompressOneShot(data, PlanCompress({.preset = s.preset, .threads = 2}));
    EXPECT_EQ(SpareStreamHeld(SpareRole::kEncoder), s.encoder_kept);
    EXPECT_TRUE(xz == XzT2(data, s.preset, 0));
    // Every preset decodes within the memory rule: the output size decides.
    // (The one-shot path into a buffer: Python's decompress(), the C API's.)
    std::string out(data.size(), '\0');
    out.resize(DecodeInto(xz,
                          {reinterpret_cast<uint8_t*>(out.data()), out.size()},
                          {.threads = 2}));
    EXPECT_TRUE(out == data);
    EXPECT_EQ(SpareStreamHeld(SpareRole::kDecoder), s.size <= kSpareBytesMax);
  }
}

// "ok:<bytes>" or the error code.
std::string Outcome(const std::function<std::string()>& f) {
  try {
    return "ok:" + f();
  } catch (const Error& e) {
    return "error " + std::to_string(static_cast<int>(e.code()));
  }
}

// One-shot decoding below two Blocks goes sequential with the threaded
// engine's results and errors; everything else stays parallel.
TEST(SmallCalls, OneBlockDecodingIsSequentialWithTheSameResults) {
  const std::string plain = MixedData(100 << 10, 5);
  const std::string stock = Compress(plain, {});  // one Block without sizes
  const std::string sized =
      CompressOneShot(plain, PlanCompress({.threads = 2}));
  const std::string two_blocks = CompressOneShot(
      plain, PlanCompress({.preset = 1, .threads = 2, .block_size = 64 << 10}));
  const std::string empty = CompressOneShot("", PlanCompress({.threads = 2}));
  std::string corrupt = sized;
  corrupt[corrupt.size() / 2] ^= 0x10;
  std::string bad_check = stock;
  bad_check[bad_check.size() - 40] ^= 0x01;  // in the CRC64 or the Index

  struct Input {
    std::string name;
    std::string xz;
    DecodeEngine engine;  // what the front picks with threads = 2
  };
  const Input inputs[] = {
      {"stock", stock, DecodeEngine::kSequential},
      {"sized", sized, DecodeEngine::kSequential},
      {"empty", empty, DecodeEngine::kSequential},
      {"corrupt", corrupt, DecodeEngine::kSequential},
      {"two blocks", two_blocks, DecodeEngine::kParallel},
      {"two streams", sized + stock, DecodeEngine::kParallel},
      {"trailing junk", sized + "junk", DecodeEngine::kParallel},
      {"padding", sized + std::string(4, '\0'), DecodeEngine::kParallel},
      {"truncated", sized.substr(0, sized.size() - 5), DecodeEngine::kParallel},
      {"bad check", bad_check, DecodeEngine::kSequential},
      {"not xz", "hello", DecodeEngine::kParallel},
  };
  for (const Input& in : inputs) {
    SCOPED_TRACE(in.name);
    const std::string threaded =
        Outcome([&] { return ParallelDecompress(in.xz, {.threads = 2}); });
    const std::string sequential =
        Outcome([&] { return Decode(in.xz, {.threads = 1}); });
    EXPECT_EQ(threaded, sequential);
    EXPECT_EQ(Outcome([&] { return Decode(in.xz, {.threads = 2}); }), threaded);
    EXPECT_EQ(LastDecodeEngine(), in.engine);
    EXPECT_EQ(Outcome([&] {
                std::string out(plain.size() * 2 + 64, '\0');
                out.resize(DecodeInto(
                    in.xz, {reinterpret_cast<uint8_t*>(out.data()), out.size()},
                    {.threads = 2}));
                return out;
              }),
              threaded);
  }
  // The good ones against the plain bytes they were made from.
  EXPECT_EQ(Decode(stock, {.threads = 2}), plain);
  EXPECT_EQ(Decode(sized, {.threads = 2}), plain);
  EXPECT_EQ(Decode(empty, {.threads = 2}), "");
  EXPECT_EQ(Decode(sized + stock, {.threads = 2}), plain + plain);
  EXPECT_NE(
      Outcome([&] { return Decode(corrupt, {.threads = 2}); }).substr(0, 3),
      "ok:");
}

// The incremental decoder: a lone Block runs on the caller, whatever the
// schedule of calls, with the sequential decoder's output.
TEST(SmallCalls, ThreadedDecoderRunsALoneBlockOnTheCaller) {
  const std::string plain = MixedData(80 << 10, 9);
  const std::string xz = CompressOneShot(plain, PlanCompress({.threads = 2}));
  {
    ThreadedDecompressor d({.threads = 2});
    EXPECT_EQ(d.decompress(xz), plain);
    EXPECT_TRUE(d.eof());
    EXPECT_EQ(d.stats().blocks_on_workers, 0u);
    EXPECT_EQ(d.stats().blocks_on_caller, 1u);
    // Nothing was planned: no CPUs or memory asked of the system.
    EXPECT_EQ(d.stats().block_limit, 0u);
  }
  {
    // A reader's schedule: the whole file in one piece, output 8 KiB a call.
    ThreadedDecompressor d({.threads = 2});
    std::string out = d.decompress(xz, 8192);
    while (!d.eof()) {
      ASSERT_FALSE(d.needs_input());
      out += d.decompress("", 8192);
    }
    EXPECT_EQ(out, plain);
    EXPECT_EQ(d.stats().blocks_on_workers, 0u);
    EXPECT_EQ(d.stats().block_limit, 0u);
  }
  {
    // Input in small pieces: still the same bytes.
    ThreadedDecompressor d({.threads = 2});
    std::string out;
    for (size_t i = 0; i < xz.size() && !d.eof(); i += 333) {
      out += d.decompress(std::string_view(xz).substr(i, 333), 4096);
      while (!d.eof() && !d.needs_input()) out += d.decompress("", 4096);
    }
    EXPECT_EQ(out, plain);
    EXPECT_TRUE(d.eof());
  }
}

// Objects reused for many small calls keep their threads and memory.
// The other side of the rule above: a lone Block that the caller runs does
// not hold up the Blocks after it. Several Blocks in one call (max_length
// -1, the whole stream) are in flight together.
TEST(SmallCalls, ThreadedDecoderSpreadsTheBlocksOfOneCall) {
  const std::string plain = MixedData(1 << 20, 10);
  const std::string xz = CompressOneShot(
      plain, PlanCompress({.threads = 2, .block_size = 128 << 10}));
  ThreadedDecompressor d({.threads = 2});
  EXPECT_EQ(d.decompress(xz), plain);
  EXPECT_TRUE(d.eof());
  const ThreadedDecodeStats s = d.stats();
  EXPECT_EQ(s.blocks_on_workers + s.blocks_on_caller, 8u);
  EXPECT_GT(s.max_blocks_in_flight, 1u);
  EXPECT_EQ(s.block_limit, 4u);
}

TEST(SmallCalls, ReusedObjectsDoNotGrow) {
  const std::string piece = MixedData(4096, 21);
  PushCompressor c(PlanCompress({.preset = 1, .threads = 2}));
  std::string xz;
  std::string plain;
  // Reserved: reallocating them would show in RSS as the heap's doing
  // (glibc serves big blocks from the heap once a test before freed bigger
  // ones, and keeps the freed copies).
  xz.reserve(1050 * (piece.size() + 1024));
  plain.reserve(1050 * piece.size());
  auto round = [&](int calls) {
    for (int i = 0; i < calls; ++i) {
      xz += c.compress(piece);
      xz += c.end_block();  // a Block per call, as a chunked writer does
      plain += piece;
    }
  };
  round(50);
  const int threads = ThreadCount();
  const uint64_t rss = RssKiB();
  round(1000);
  xz += c.flush();
  EXPECT_EQ(ThreadCount(), threads);
#ifndef PARXZ_SANITIZED
  EXPECT_LT(RssKiB(), rss + (16 << 10)) << "KiB";  // the strings fill
#else
  (void)rss;
#endif
  // xz reads all 1050 Blocks back.
  const std::string path = WriteTempFile("reused.xz", xz);
  int status = 0;
  EXPECT_TRUE(RunCommand("xz -dc '" + path + "'", &status) == plain);
  EXPECT_EQ(status, 0);

  // The incremental decoder over those 1050 small Blocks, fed 4 KiB a call.
  ThreadedDecompressor d({.threads = 2});
  std::string out;
  const int before = ThreadCount();
  for (size_t i = 0; i < xz.size() && !d.eof(); i += 4096) {
    out += d.decompress(std::string_view(xz).substr(i, 4096), 8192);
    while (!d.eof() && !d.needs_input()) out += d.decompress("", 8192);
  }
  EXPECT_TRUE(out == plain);
  EXPECT_LE(ThreadCount(), before + 2);  // at most the arena's workers
  EXPECT_LE(d.stats().max_blocks_in_flight, d.stats().block_limit);
}

}  // namespace
}  // namespace parxz
