// The parallel decoder against the sequential one: same output and same
// verdicts on files made the ways .xz files are made in practice, on
// concatenations, on corruption and truncation, under memory limits.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <lzma.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <random>
#include <thread>

#include "core/decompressor.h"
#include "parallel/decode/parallel_decompressor.h"
#include "tests/parallel_decode/decode_test_util.h"

namespace parxz {
namespace {

using testing::Blocks;
using testing::Capture;
using testing::Describe;
using testing::TestData;
using testing::Verdict;
using testing::XzMt;
using testing::XzSeq;

constexpr uint64_t kKiB = 1024;

Verdict CoreVerdict(const std::string& xz, uint64_t memlimit = UINT64_MAX) {
  DecompressOptions o;
  if (memlimit != UINT64_MAX) o.memlimit = memlimit;
  return Capture([&] { return Decompress(xz, o); });
}

Verdict ParVerdict(const std::string& xz, ParallelDecodeOptions o = {}) {
  return Capture([&] { return ParallelDecompress(xz, o); });
}

// Pipes `xz` into DecompressFd (so sizes come only from Block Headers).
Verdict PipeVerdict(const std::string& xz, ParallelDecodeOptions o,
                    DecompressStats* stats = nullptr) {
  const std::string out_path = testing::TempPath("pipe_out");
  // The decoder may stop reading early (an error): the feeder then gets
  // EPIPE instead of killing the test.
  signal(SIGPIPE, SIG_IGN);
  return Capture([&] {
    int p[2];
    if (pipe(p) != 0) throw std::runtime_error("pipe");
    std::thread feeder([w = p[1], &xz] {
      size_t pos = 0;
      while (pos < xz.size()) {
        const ssize_t n =
            write(w, xz.data() + pos, std::min<size_t>(xz.size() - pos, 65536));
        if (n <= 0) break;
        pos += static_cast<size_t>(n);
      }
      close(w);
    });
    const int out = open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    struct Closer {
      int in, out;
      std::thread& t;
      ~Closer() {
        close(in);
        t.join();
        close(out);
      }
    } closer{p[0], out, feeder};
    DecompressStats s = DecompressFd(p[0], out, o);
    if (stats) *stats = s;
    return testing::ReadFile(out_path);
  });
}

// Inside LZMA2 data liblzma may notice a corruption a few KiB earlier or
// later depending on the output space it is given per call (the sequential
// decoder grows its buffer, workers decode a Block at once): then both
// offsets must lie in the same Block of `blocks`.
bool SameBlock(const std::vector<testing::BlockPos>& blocks, uint64_t a,
               uint64_t b) {
  for (const testing::BlockPos& p : blocks) {
    const bool in_a = a > p.offset && a <= p.offset + p.total_size;
    const bool in_b = b > p.offset && b <= p.offset + p.total_size;
    if (in_a || in_b) return in_a && in_b;
  }
  return false;
}

void ExpectSameVerdict(const Verdict& want, const Verdict& got,
                       const std::string& what,
                       const std::vector<testing::BlockPos>* blocks = nullptr) {
  ASSERT_EQ(want.ok, got.ok)
      << what << ": want " << Describe(want) << ", got " << Describe(got);
  if (want.ok) {
    EXPECT_TRUE(want.output == got.output) << what << ": outputs differ";
  } else {
    EXPECT_EQ(want.code, got.code)
        << what << ": want " << Describe(want) << ", got " << Describe(got);
    ASSERT_TRUE(want.offset && got.offset) << what;
    if (blocks == nullptr || !SameBlock(*blocks, *want.offset, *got.offset)) {
      EXPECT_EQ(want.offset, got.offset)
          << what << ": want " << Describe(want) << ", got " << Describe(got);
    }
  }
}

TEST(ParallelDecode, MultiBlockWithSizesDecodesInParallel) {
  const std::string data = TestData(3 << 20, 1);
  const std::string xz = XzMt(data, 256 * kKiB);
  ASSERT_EQ(Blocks(xz).size(), 12u);
  for (unsigned threads : {1u, 2u, 3u, 8u}) {
    EXPECT_TRUE(ParallelDecompress(xz, {.threads = threads}) == data)
        << threads;
    const DecompressStats s = ParallelTest(xz, {.threads = threads});
    EXPECT_EQ(s.blocks, 12u);
    EXPECT_EQ(s.out_bytes, data.size());
    EXPECT_EQ(s.in_bytes, xz.size());
    EXPECT_EQ(s.streams, 1u);
    EXPECT_EQ(s.parallel_blocks, threads == 1 ? 0u : 12u) << threads;
  }
  DecompressStats s;
  const Verdict v = PipeVerdict(xz, {.threads = 2}, &s);
  ASSERT_TRUE(v.ok) << Describe(v);
  EXPECT_TRUE(v.output == data);
  EXPECT_EQ(s.parallel_blocks, 12u);
  EXPECT_EQ(s.threads, 2u);
}

TEST(ParallelDecode, BlocksWithoutSizesUseTheIndexOfMemoryInputs) {
  const std::string data = TestData(2 << 20, 2);
  const std::string xz = XzSeq(data, 200 * kKiB);  // like `xz -T1 --block-size`
  ASSERT_EQ(Blocks(xz).size(), 11u);
  const DecompressStats mem = ParallelTest(xz, {.threads = 2});
  EXPECT_EQ(mem.blocks, 11u);
  EXPECT_EQ(mem.parallel_blocks, 11u);
  EXPECT_TRUE(ParallelDecompress(xz, {.threads = 2}) == data);
  const DecompressStats no_index =
      ParallelTest(xz, {.threads = 2, .use_index = false});
  EXPECT_EQ(no_index.parallel_blocks, 0u);
  DecompressStats piped;
  const Verdict v = PipeVerdict(xz, {.threads = 2}, &piped);
  ASSERT_TRUE(v.ok) << Describe(v);
  EXPECT_TRUE(v.output == data);
  EXPECT_EQ(piped.parallel_blocks, 0u);  // no Index before the end of a pipe
  EXPECT_EQ(piped.blocks, 11u);
}

TEST(ParallelDecode, SingleBlockWithoutSizes) {
  const std::string data = TestData(1 << 20, 3);
  const std::string xz = XzSeq(data, 0);
  ASSERT_EQ(Blocks(xz).size(), 1u);
  for (unsigned threads : {1u, 2u}) {
    EXPECT_TRUE(ParallelDecompress(xz, {.threads = threads}) == data);
    const Verdict v = PipeVerdict(xz, {.threads = threads});
    ASSERT_TRUE(v.ok) << Describe(v);
    EXPECT_TRUE(v.output == data);
  }
}

TEST(ParallelDecode, EmptyAndTinyInputs) {
  for (const std::string& data :
       {std::string(), std::string("a"), std::string(5000, 'z')}) {
    for (const std::string& xz :
         {XzMt(data, 4096), XzSeq(data, 0), XzSeq(data, 1000)}) {
      ExpectSameVerdict(CoreVerdict(xz), ParVerdict(xz, {.threads = 2}),
                        "tiny");
      EXPECT_TRUE(ParallelDecompress(
                      xz, {.threads = 2, .mode = DecodeMode::kXz}) == data);
    }
  }
  ExpectSameVerdict(CoreVerdict(""), ParVerdict("", {.threads = 2}),
                    "empty input");
  const Verdict xz_mode =
      ParVerdict("", {.threads = 2, .mode = DecodeMode::kXz});
  EXPECT_FALSE(xz_mode.ok);
  EXPECT_EQ(xz_mode.code,
            ErrorCode::kCorruptData);  // "File format not recognized"
}

TEST(ParallelDecode, ChecksAndPresets) {
  const std::string data = TestData(700 * kKiB, 4);
  for (lzma_check check : {LZMA_CHECK_NONE, LZMA_CHECK_CRC32, LZMA_CHECK_CRC64,
                           LZMA_CHECK_SHA256}) {
    for (uint32_t preset : {0u, 6u}) {
      const std::string xz = XzMt(data, 100 * kKiB, preset, check);
      EXPECT_TRUE(ParallelDecompress(xz, {.threads = 2}) == data)
          << check << " " << preset;
    }
  }
}

TEST(ParallelDecode, ConcatenatedStreamsAndPadding) {
  const std::string a = TestData(300 * kKiB, 5), b = TestData(200 * kKiB, 6);
  const std::string xa = XzMt(a, 64 * kKiB), xb = XzSeq(b, 50 * kKiB);
  const std::string pad4(4, '\0'), pad8(8, '\0'), pad3(3, '\0');
  struct Case {
    std::string name, xz;
    bool xz_ok;
    std::string xz_out;
  };
  const std::vector<Case> cases = {
      {"a+b", xa + xb, true, a + b},
      {"a+pad4+b+pad8", xa + pad4 + xb + pad8, true, a + b},
      {"a+pad4", xa + pad4, true, a},
      {"a+pad3", xa + pad3, false, ""},
      {"a+pad3+b", xa + pad3 + xb, false, ""},
      {"a+garbage", xa + "garbage!", false, ""},
      {"a+b+truncated a", xa + xb + xa.substr(0, xa.size() / 2), false, ""},
      {"a+a+a", xa + xa + xa, true, a + a + a},
  };
  for (const Case& c : cases) {
    for (unsigned threads : {1u, 2u, 4u}) {
      const std::string what = c.name + " threads=" + std::to_string(threads);
      // kPython: exactly parxz::Decompress().
      ExpectSameVerdict(CoreVerdict(c.xz),
                        ParVerdict(c.xz, {.threads = threads}), what);
      // kXz: as `xz -d`.
      const Verdict v =
          ParVerdict(c.xz, {.threads = threads, .mode = DecodeMode::kXz});
      EXPECT_EQ(v.ok, c.xz_ok) << what << ": " << Describe(v);
      if (v.ok) {
        EXPECT_TRUE(v.output == c.xz_out) << what;
      }
      const Verdict p =
          PipeVerdict(c.xz, {.threads = threads, .mode = DecodeMode::kXz});
      EXPECT_EQ(p.ok, c.xz_ok) << what << " (pipe): " << Describe(p);
      if (p.ok) {
        EXPECT_TRUE(p.output == c.xz_out) << what;
      }
      if (!p.ok && !v.ok) {
        EXPECT_EQ(p.code, v.code) << what;
      }
    }
  }
  // kPython drops the output of a later stream that turns out bad.
  std::string bad_b = xb;
  bad_b[bad_b.size() / 2] ^= 0x55;
  EXPECT_TRUE(ParallelDecompress(xa + bad_b, {.threads = 2}) == a);
  EXPECT_TRUE(Decompress(xa + bad_b) == a);
}

// Corruption inside Block k: the error names Block k and the compressed byte
// where the sequential decoder stops too.
TEST(ParallelDecode, CorruptBlockIsReportedWithNumberAndOffset) {
  const std::string data = TestData(2 << 20, 7);
  for (const bool with_sizes : {true, false}) {
    const std::string xz =
        with_sizes ? XzMt(data, 256 * kKiB) : XzSeq(data, 256 * kKiB);
    const std::vector<testing::BlockPos> blocks = Blocks(xz);
    ASSERT_EQ(blocks.size(), 8u);
    for (size_t k = 0; k < blocks.size(); ++k) {
      std::string bad = xz;
      const uint64_t at = blocks[k].offset + blocks[k].total_size / 2;
      bad[at] ^= 0x20;
      const Verdict core = CoreVerdict(bad);
      ASSERT_FALSE(core.ok);
      for (unsigned threads : {1u, 2u, 4u}) {
        const std::string what = "block " + std::to_string(k + 1) +
                                 " sizes=" + std::to_string(with_sizes) +
                                 " threads=" + std::to_string(threads);
        const Verdict par = ParVerdict(bad, {.threads = threads});
        ExpectSameVerdict(core, par, what, &blocks);
        EXPECT_NE(
            par.what.find("Block " + std::to_string(k + 1) + " of Stream 1"),
            std::string::npos)
            << what << ": " << par.what;
        EXPECT_NE(par.what.find("Block Header at compressed byte " +
                                std::to_string(blocks[k].offset)),
                  std::string::npos)
            << what << ": " << par.what;
        ASSERT_TRUE(par.offset.has_value());
        EXPECT_GE(*par.offset, blocks[k].offset);
        EXPECT_LE(*par.offset, blocks[k].offset + blocks[k].total_size);
        const Verdict piped = PipeVerdict(bad, {.threads = threads});
        ExpectSameVerdict(core, piped, what + " (pipe)", &blocks);
      }
    }
  }
}

// Every single-byte change in the structure of a small multi-Block file,
// and random ones elsewhere: same verdict, code and offset as core.
TEST(ParallelDecode, RandomCorruptionSameVerdictAsSequential) {
  const std::string data = TestData(300 * kKiB, 8);
  std::mt19937_64 rng(99);
  for (const bool with_sizes : {true, false}) {
    const std::string xz =
        with_sizes ? XzMt(data, 50 * kKiB, 0) : XzSeq(data, 50 * kKiB, 0);
    const std::vector<testing::BlockPos> blocks = Blocks(xz);
    std::vector<size_t> positions;
    // Stream Header, every Block Header, the Index and the Footer in full.
    for (size_t i = 0; i < 12; ++i) positions.push_back(i);
    for (const testing::BlockPos& b : Blocks(xz)) {
      for (size_t i = 0; i < 16; ++i) positions.push_back(b.offset + i);
      for (size_t i = 1; i <= 10; ++i)
        positions.push_back(b.offset + b.total_size - i);
    }
    const size_t index_start =
        Blocks(xz).back().offset + Blocks(xz).back().total_size;
    for (size_t i = index_start; i < xz.size(); ++i) positions.push_back(i);
    for (int i = 0; i < 80; ++i) positions.push_back(rng() % xz.size());
    for (size_t pos : positions) {
      std::string bad = xz;
      bad[pos] ^= static_cast<char>(1 + rng() % 255);
      const Verdict core = CoreVerdict(bad);
      const std::string what = "byte " + std::to_string(pos) +
                               " sizes=" + std::to_string(with_sizes);
      ExpectSameVerdict(core, ParVerdict(bad, {.threads = 2}), what, &blocks);
      ExpectSameVerdict(core, ParVerdict(bad, {.threads = 3}),
                        what + " threads=3", &blocks);
      const Verdict xz_mode =
          ParVerdict(bad, {.threads = 2, .mode = DecodeMode::kXz});
      // One stream, no trailing data: `xz -t` agrees with Python's verdict
      // (a changed byte that still decodes, e.g. in a reserved-but-ignored
      // spot, decodes for both).
      EXPECT_EQ(xz_mode.ok, core.ok) << what << ": " << Describe(xz_mode);
    }
  }
}

TEST(ParallelDecode, TruncationSameVerdictAsSequential) {
  const std::string data = TestData(500 * kKiB, 9);
  for (const bool with_sizes : {true, false}) {
    const std::string xz =
        with_sizes ? XzMt(data, 64 * kKiB, 0) : XzSeq(data, 64 * kKiB, 0);
    for (size_t len = 0; len < xz.size(); len += 1 + len / 7) {
      const std::string cut = xz.substr(0, len);
      const Verdict core = CoreVerdict(cut);
      ASSERT_FALSE(core.ok);
      const std::string what = "length " + std::to_string(len);
      ExpectSameVerdict(core, ParVerdict(cut, {.threads = 2}), what);
      const Verdict xz_mode =
          ParVerdict(cut, {.threads = 2, .mode = DecodeMode::kXz});
      EXPECT_FALSE(xz_mode.ok);
      const Verdict piped =
          PipeVerdict(cut, {.threads = 2, .mode = DecodeMode::kXz});
      EXPECT_FALSE(piped.ok);
      if (len >= 6) {
        EXPECT_EQ(xz_mode.code, ErrorCode::kTruncated)
            << what << Describe(xz_mode);
        EXPECT_EQ(piped.code, ErrorCode::kTruncated) << what << Describe(piped);
      }
    }
  }
}

TEST(ParallelDecode, HardMemoryLimitIsAnErrorLikeTheSequentialDecoder) {
  const std::string data = TestData(1 << 20, 10);
  const std::string xz = XzMt(data, 128 * kKiB, 6);  // 8 MiB dictionary
  for (uint64_t limit : {uint64_t{1} << 20, uint64_t{8} << 20}) {
    const Verdict core = CoreVerdict(xz, limit);
    ASSERT_FALSE(core.ok);
    EXPECT_EQ(core.code, ErrorCode::kMemLimit);
    for (unsigned threads : {1u, 2u}) {
      const Verdict par =
          ParVerdict(xz, {.threads = threads, .memlimit_hard = limit});
      ExpectSameVerdict(core, par, "hard limit");
      EXPECT_NE(par.what.find("Block 1 of Stream 1"), std::string::npos)
          << par.what;
    }
  }
  const uint64_t enough = uint64_t{10} << 20;
  EXPECT_TRUE(CoreVerdict(xz, enough).ok);
  EXPECT_TRUE(ParallelDecompress(xz, {.threads = 2, .memlimit_hard = enough}) ==
              data);
}

// Stats of decoding `xz` from a file to /dev/null (output buffers count).
TEST(ParallelDecode, ProgressIsMonotonicAndCanCancel) {
  const std::string data = TestData(2 << 20, 14);
  const std::string xz = XzMt(data, 128 * kKiB, 0);
  const std::string path = testing::TempPath("progress.xz");
  testing::WriteFile(path, xz);
  for (bool cancel : {false, true}) {
    const int in = open(path.c_str(), O_RDONLY);
    uint64_t last_in = 0, last_out = 0, calls = 0;
    const ProgressFn progress = [&](uint64_t i, uint64_t o) {
      EXPECT_GE(i, last_in);
      EXPECT_GE(o, last_out);
      last_in = i;
      last_out = o;
      ++calls;
      return !(cancel && o >= data.size() / 2);
    };
    const Verdict v = Capture([&] {
      DecompressFd(in, -1, {.threads = 2}, progress);
      return std::string();
    });
    close(in);
    if (cancel) {
      EXPECT_FALSE(v.ok);
      EXPECT_EQ(v.code, ErrorCode::kCancelled);
      EXPECT_LT(last_out, data.size());
    } else {
      EXPECT_TRUE(v.ok) << Describe(v);
      EXPECT_EQ(last_out, data.size());
      EXPECT_EQ(last_in, xz.size());
      EXPECT_GE(calls, 16u);
    }
  }
}

TEST(ParallelDecode, DescriptorsReadFromTheCurrentOffset) {
  const std::string data = TestData(300 * kKiB, 15);
  const std::string xz = XzMt(data, 64 * kKiB, 0);
  const std::string path = testing::TempPath("offset.xz");
  testing::WriteFile(path, "HEADER" + xz);
  const int in = open(path.c_str(), O_RDONLY);
  ASSERT_EQ(lseek(in, 6, SEEK_SET), 6);
  const std::string out_path = testing::TempPath("offset.out");
  const int out = open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  const DecompressStats s = DecompressFd(in, out, {.threads = 2});
  EXPECT_EQ(s.in_bytes, xz.size());
  EXPECT_EQ(lseek(in, 0, SEEK_CUR), static_cast<off_t>(6 + xz.size()));
  close(in);
  close(out);
  EXPECT_TRUE(testing::ReadFile(out_path) == data);
}

TEST(ParallelDecode, BadOptions) {
  EXPECT_THROW(ParallelDecompress("", {.format = Format::kRaw}), Error);
  try {
    ParallelDecompress("", {.format = Format::kRaw});
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kBadOptions);
  }
}

TEST(ParallelDecode, OtherFormatsGoThroughTheSequentialDecoders) {
  const std::string data = TestData(100 * kKiB, 16);
  lzma_stream s = LZMA_STREAM_INIT;
  lzma_options_lzma opt;
  lzma_lzma_preset(&opt, 1);
  ASSERT_EQ(lzma_alone_encoder(&s, &opt), LZMA_OK);
  std::string alone(data.size() + 1000, '\0');
  s.next_in = reinterpret_cast<const uint8_t*>(data.data());
  s.avail_in = data.size();
  s.next_out = reinterpret_cast<uint8_t*>(alone.data());
  s.avail_out = alone.size();
  while (lzma_code(&s, LZMA_FINISH) == LZMA_OK) {
  }
  alone.resize(alone.size() - s.avail_out);
  lzma_end(&s);
  ExpectSameVerdict(CoreVerdict(alone), ParVerdict(alone, {.threads = 2}),
                    ".lzma");
  EXPECT_TRUE(ParallelDecompress(
                  alone, {.threads = 2, .mode = DecodeMode::kXz}) == data);
  // xz rejects trailing garbage after .lzma; Python ignores it.
  ExpectSameVerdict(CoreVerdict(alone + "junk"),
                    ParVerdict(alone + "junk", {.threads = 2}), ".lzma+junk");
  EXPECT_FALSE(
      ParVerdict(alone + "junk", {.threads = 2, .mode = DecodeMode::kXz}).ok);
  // .xz then .lzma: Python decodes both streams, xz refuses.
  const std::string xz = XzMt(data, 32 * kKiB, 0) + alone;
  ExpectSameVerdict(CoreVerdict(xz), ParVerdict(xz, {.threads = 2}),
                    ".xz+.lzma");
  EXPECT_FALSE(ParVerdict(xz, {.threads = 2, .mode = DecodeMode::kXz}).ok);
}

// Files made by the programs people use, when they are installed.
TEST(ParallelDecode, FilesMadeByXzAndPixz) {
  const std::string data = TestData(3 << 20, 17);
  const std::string in = testing::TempPath("tools.bin");
  testing::WriteFile(in, data);
  struct Tool {
    std::string program, command;
    bool sizes_in_headers;
  };
  const std::vector<Tool> tools = {
      {"xz", "xz -T2 --block-size=256KiB -1 -c", true},
      {"xz", "xz -T2 --block-size=1MiB -6 -c", true},
      {"xz", "xz -T1 --block-size=256KiB -1 -c", false},
      {"xz", "xz -T1 -1 -c", false},  // one Block
      {"xz", "xz -T2 -1 --check=sha256 -c",
       true},  // one Block: 3 MiB < 3 × dict
      {"pixz", "pixz -1 -p 2 -t", true},
      {"pixz", "pixz -1 -p 2", true},
  };
  int ran = 0;
  for (const Tool& t : tools) {
    if (!testing::HaveProgram(t.program)) continue;
    const std::string out = testing::TempPath("tools.xz");
    ASSERT_EQ(testing::Run(t.command + " <" + in + " >" + out), 0) << t.command;
    const std::string xz = testing::ReadFile(out);
    const Verdict core = CoreVerdict(xz);
    ASSERT_TRUE(core.ok) << t.command << ": " << Describe(core);
    for (unsigned threads : {1u, 2u}) {
      ExpectSameVerdict(core, ParVerdict(xz, {.threads = threads}), t.command);
      ExpectSameVerdict(core, PipeVerdict(xz, {.threads = threads}),
                        t.command + " (pipe)");
    }
    // In memory the Index gives every Block's sizes, so every Block joins
    // the parallel run, but for a one-Block file: a run that would hold one
    // Block is streamed (issue 23). A pipe has only the Block Headers, and
    // the byte after a Block's data (read ahead) tells it is the last one.
    const DecompressStats mem = ParallelTest(xz, {.threads = 2});
    EXPECT_GE(mem.blocks, 1u) << t.command;
    EXPECT_EQ(mem.parallel_blocks, mem.blocks == 1 ? 0u : mem.blocks)
        << t.command;
    DecompressStats piped;
    ASSERT_TRUE(PipeVerdict(xz, {.threads = 2}, &piped).ok);
    EXPECT_EQ(piped.blocks, mem.blocks) << t.command;
    EXPECT_EQ(piped.parallel_blocks,
              t.sizes_in_headers && piped.blocks > 1 ? piped.blocks : 0u)
        << t.command;
    ++ran;
  }
  if (ran == 0) GTEST_SKIP() << "neither xz nor pixz installed";
}

TEST(ParallelDecode, ConcurrentCallsAreIndependent) {
  const std::string data = TestData(1 << 20, 18);
  const std::string xz = XzMt(data, 64 * kKiB, 0);
  std::atomic<int> good{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&] {
      if (ParallelDecompress(xz, {.threads = 2}) == data) ++good;
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(good.load(), 4);
}

}  // namespace
}  // namespace parxz
