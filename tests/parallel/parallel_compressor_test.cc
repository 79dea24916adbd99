// Properties of ParallelCompressor: output independent of threads and of how
// the input is cut, decodable by independent decoders, errors that stick.
#include "parallel/compress/parallel_compressor.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <unistd.h>

#include <random>
#include <string>
#include <thread>
#include <vector>

#include "core/decompressor.h"
#include "tests/parallel/test_util.h"

namespace parxz {
namespace {

using testing::MixedData;
using testing::RunCommand;
using testing::WriteTempFile;

ParallelOptions Small(unsigned threads) {
  ParallelOptions o;
  o.preset = 1;
  o.threads = threads;
  o.block_size = 64 << 10;
  return o;
}

std::string CompressChunked(const std::string& data, const ParallelOptions& o,
                            const std::vector<size_t>& chunks) {
  ParallelCompressor c(o);
  std::string out;
  size_t pos = 0, i = 0;
  while (pos < data.size()) {
    const size_t n = std::min(chunks[i++ % chunks.size()], data.size() - pos);
    out += c.compress(std::string_view(data).substr(pos, n));
    pos += n;
  }
  out += c.flush();
  return out;
}

TEST(ParallelCompressor, SameBytesForEveryThreadCountAndChunking) {
  const std::string data = MixedData(700000, 3);
  const std::string reference = CompressChunked(data, Small(1), {1 << 20});
  ASSERT_EQ(Decompress(reference), data);
  std::mt19937 rng(5);
  std::vector<size_t> random_chunks;
  for (int i = 0; i < 200; ++i) random_chunks.push_back(1 + rng() % 50000);
  for (unsigned threads : {1u, 2u, 3u, 8u}) {
    for (const auto& chunks :
         std::vector<std::vector<size_t>>{{4096}, {1 << 20}, random_chunks}) {
      EXPECT_TRUE(CompressChunked(data, Small(threads), chunks) == reference)
          << "threads=" << threads << " first chunk=" << chunks[0];
    }
  }
  // One byte at a time (on less data: a call per byte).
  const std::string small = data.substr(0, 150000);
  EXPECT_TRUE(CompressChunked(small, Small(3), {1}) ==
              CompressChunked(small, Small(1), {1 << 20}));
}

// compress_into()/flush_into() hand out the stream compress()/flush()
// return, whatever room the caller's buffer has.
TEST(ParallelCompressor, IntoCallerBuffersGivesTheSameBytes) {
  const std::string data = MixedData(500000, 17);
  const std::string expected = CompressChunked(data, Small(1), {1 << 20});
  for (size_t room : {1, 7, 4096, 100000, 1 << 20}) {
    SCOPED_TRACE(room);
    ParallelCompressor c(Small(2));
    std::vector<uint8_t> buf(room);
    std::string out;
    size_t pos = 0;
    while (pos < data.size()) {
      const size_t n = std::min<size_t>(30000, data.size() - pos);
      const auto p =
          c.compress_into(std::string_view(data).substr(pos, n), buf);
      ASSERT_LE(p.consumed, n);
      ASSERT_LE(p.produced, room);
      ASSERT_FALSE(p.finished);
      out.append(reinterpret_cast<const char*>(buf.data()), p.produced);
      pos += p.consumed;
    }
    for (;;) {
      const auto p = c.flush_into(buf);
      ASSERT_LE(p.produced, room);
      out.append(reinterpret_cast<const char*>(buf.data()), p.produced);
      if (p.finished) break;
    }
    EXPECT_TRUE(out == expected);
    EXPECT_EQ(c.total_in(), data.size());
    EXPECT_EQ(c.total_out(), out.size());
    EXPECT_THROW(c.compress_into("x", buf), Error);
    EXPECT_THROW(c.flush_into(buf), Error);
  }
}

// With no room for output, input is taken only until every Block slot is
// full: memory stays bounded by max_blocks_in_flight.
TEST(ParallelCompressor, CompressIntoStopsAtTheInFlightBound) {
  const std::string data = MixedData(2 << 20, 5);
  ParallelOptions o = Small(2);
  o.max_blocks_in_flight = 3;
  ParallelCompressor c(o);
  const auto p = c.compress_into(data, {});
  EXPECT_EQ(p.consumed, 3 * o.block_size);
  EXPECT_EQ(p.produced, 0u);
  // With room it goes on; the result is the usual stream.
  std::string out(ParallelCompressBound(data.size(), o), '\0');
  std::span<uint8_t> rest(reinterpret_cast<uint8_t*>(out.data()), out.size());
  size_t pos = p.consumed;
  while (pos < data.size()) {
    const auto q = c.compress_into(std::string_view(data).substr(pos), rest);
    pos += q.consumed;
    rest = rest.subspan(q.produced);
  }
  const auto f = c.flush_into(rest);
  ASSERT_TRUE(f.finished);
  out.resize(out.size() - rest.size() + f.produced);
  EXPECT_TRUE(out == CompressChunked(data, Small(1), {1 << 20}));
}

TEST(ParallelCompressor, DecodesWithXzPythonAndCore) {
  const std::string data = MixedData(400000, 9);
  const std::string xz = CompressChunked(data, Small(2), {12345});
  const std::string path = WriteTempFile("decode_me.xz", xz);
  int status = -1;
  RunCommand("xz -t '" + path + "'", &status);
  EXPECT_EQ(status, 0) << "xz -t rejects our output";
  const std::string via_xz = RunCommand("xz -dc '" + path + "'", &status);
  EXPECT_EQ(status, 0);
  EXPECT_TRUE(via_xz == data);
  const std::string via_python = RunCommand(
      "python3 -c 'import lzma,sys; "
      "sys.stdout.buffer.write(lzma.decompress(open(sys.argv[1],\"rb\").read())"
      ")' '" +
          path + "'",
      &status);
  EXPECT_EQ(status, 0);
  EXPECT_TRUE(via_python == data);
  EXPECT_TRUE(Decompress(xz) == data);
  // Every Block records its sizes, so parallel decoders can split the file.
  const std::string list = RunCommand("xz -lvv '" + path + "'", &status);
  EXPECT_EQ(status, 0);
  EXPECT_NE(list.find("Blocks:            7"), std::string::npos) << list;
}

TEST(ParallelCompressor, CompressReturnsFinishedBlocksWithoutFlush) {
  const std::string data = MixedData(64 << 10, 1);
  ParallelCompressor c(Small(2));
  std::string out;
  for (int i = 0; i < 40; ++i) out += c.compress(data);  // 40 full Blocks
  // The bound is 2*2+1 Blocks in flight: the rest must have come back.
  EXPECT_GT(out.size(), 12u);
  out += c.flush();
  EXPECT_EQ(Decompress(out).size(), 40 * data.size());
}

TEST(ParallelCompressor, EndBlockMakesEverythingSoFarDecodable) {
  const std::string a = MixedData(100000, 2), b = MixedData(5000, 4);
  ParallelCompressor c(Small(2));
  std::string out = c.compress(a);
  out += c.end_block();
  Decompressor d;
  EXPECT_EQ(d.decompress(out), a);  // all of `a`, before the stream ends
  EXPECT_FALSE(d.eof());
  out += c.compress(b);
  out += c.flush();
  EXPECT_EQ(Decompress(out), a + b);
  // An extra Block boundary, like xz's LZMA_FULL_FLUSH.
  int status;
  const std::string path = WriteTempFile("end_block.xz", out);
  const std::string list = RunCommand("xz -lvv '" + path + "'", &status);
  EXPECT_NE(list.find("Blocks:            3"), std::string::npos) << list;
}

TEST(ParallelCompressor, UseAfterFlushIsMisuse) {
  ParallelCompressor c(Small(2));
  c.compress("abc");
  c.flush();
  try {
    c.compress("x");
    FAIL() << "compress after flush succeeded";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kMisuse);
  }
  EXPECT_THROW(c.flush(), Error);
}

TEST(ParallelCompressor, BadOptions) {
  ParallelOptions o;
  o.preset = 10;
  EXPECT_THROW(ParallelCompressor{o}, Error);
  o = {};
  o.filters = FilterChain{{.id = FilterId::kLzma1}};
  try {
    ParallelCompressor c(o);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kBadOptions);
  }
  o = {};
  o.check = static_cast<Check>(3);  // a valid ID liblzma cannot compute
  try {
    ParallelCompressor c(o);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kUnsupported);
  }
}

TEST(ParallelCompressor, FilterChainsMatchXz) {
  const std::string data = MixedData(300000, 12);
  const std::string path = WriteTempFile("filters.bin", data);
  ParallelOptions o;
  o.threads = 2;
  o.block_size = 100000;
  o.filters =
      FilterChain{{.id = FilterId::kDelta, .dist = 4},
                  {.id = FilterId::kLzma2, .preset = 3, .dict_size = 1 << 16}};
  ParallelCompressor c(o);
  std::string ours = c.compress(data);
  ours += c.flush();
  int status;
  const std::string theirs =
      RunCommand("cat '" + path +
                     "' | xz -T2 -c --block-size=100000 --delta=dist=4 "
                     "--lzma2=preset=3,dict=64KiB",
                 &status);
  ASSERT_EQ(status, 0);
  EXPECT_TRUE(ours == theirs);
}

// Regular files are read by the encoders in ranges, pipes by the reader into
// buffers: both must give the push API's bytes.
TEST(CompressFd, FilesAndPipesGiveTheSameBytes) {
  const std::string data = MixedData(450000, 31);
  ParallelCompressor c(Small(2));
  std::string expected = c.compress(data);
  expected += c.flush();

  const std::string path = WriteTempFile("fd_in.bin", "HEADER" + data);
  const std::string out_path = path + ".xz";
  int in = open(path.c_str(), O_RDONLY);
  ASSERT_EQ(lseek(in, 6, SEEK_SET), 6);  // starts where the caller left it
  int out = open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  CompressStats stats = CompressFd(in, out, Small(2));
  EXPECT_EQ(lseek(in, 0, SEEK_CUR), static_cast<off_t>(data.size() + 6));
  close(in);
  close(out);
  EXPECT_EQ(stats.in_bytes, data.size());
  EXPECT_TRUE(testing::ReadFile(out_path) == expected);

  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  std::thread feeder([&] {
    for (size_t i = 0; i < data.size(); i += 1000) {
      const size_t n = std::min<size_t>(1000, data.size() - i);
      ASSERT_EQ(write(fds[1], data.data() + i, n), static_cast<ssize_t>(n));
    }
    close(fds[1]);
  });
  out = open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  stats = CompressFd(fds[0], out, Small(2));
  feeder.join();
  close(fds[0]);
  close(out);
  EXPECT_EQ(stats.in_bytes, data.size());
  EXPECT_TRUE(testing::ReadFile(out_path) == expected);
}

TEST(CompressFd, WriteFailureIsAnIoErrorWithOffset) {
  const std::string data = MixedData(300000, 6);
  const std::string path = WriteTempFile("to_full.bin", data);
  const int in = open(path.c_str(), O_RDONLY);
  const int out = open("/dev/full", O_WRONLY);
  ASSERT_GE(in, 0);
  ASSERT_GE(out, 0);
  try {
    CompressFd(in, out, Small(2));
    FAIL() << "writing to /dev/full succeeded";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kIo);
    EXPECT_NE(std::string(e.what()).find("No space left"), std::string::npos)
        << e.what();
  }
  close(in);
  close(out);
}

TEST(CompressFd, ReadFailureIsAnIoError) {
  const int in = open(".", O_RDONLY | O_DIRECTORY);  // read() -> EISDIR
  const int out = open("/dev/null", O_WRONLY);
  try {
    CompressFd(in, out, Small(2));
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kIo);
  }
  close(in);
  close(out);
}

TEST(CompressFd, ProgressCanCancel) {
  const std::string data = MixedData(600000, 8);
  const std::string path = WriteTempFile("cancel.bin", data);
  const int in = open(path.c_str(), O_RDONLY);
  const int out = open("/dev/null", O_WRONLY);
  int calls = 0;
  try {
    CompressFd(in, out, Small(2),
               [&](uint64_t, uint64_t) { return ++calls < 3; });
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kCancelled);
  }
  EXPECT_EQ(calls, 3);
  close(in);
  close(out);
}

// A Block that fails (here: the encoder cannot get memory) cancels the
// pipeline and surfaces as the first error; nothing pretends to succeed.
TEST(ParallelCompressorDeathTest, FailingBlockSurfacesOutOfMemory) {
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
  GTEST_SKIP() << "sanitizers reserve terabytes of address space: RLIMIT_AS "
                  "cannot simulate an allocation failure here";
#endif
  auto child = [] {
    const std::string data = MixedData(3 << 20, 1);
    ParallelOptions o;
    o.preset = 9;  // 674 MiB per encoder
    o.threads = 2;
    o.block_size = 1 << 20;
    rlimit lim{512u << 20, 512u << 20};
    setrlimit(RLIMIT_AS, &lim);
    try {
      ParallelCompressor c(o);
      std::string out = c.compress(data);
      out += c.flush();
      std::exit(1);  // must not succeed
    } catch (const Error& e) {
      std::exit(e.code() == ErrorCode::kOutOfMemory ? 0 : 2);
    }
  };
  EXPECT_EXIT(child(), ::testing::ExitedWithCode(0), "");
}

TEST(ParallelCompressor, SeveralCompressorsRunAtOnce) {
  const std::string data = MixedData(500000, 21);
  const std::string expected = CompressChunked(data, Small(1), {1 << 20});
  std::vector<std::string> outputs(4);
  std::vector<std::thread> threads;
  for (size_t i = 0; i < outputs.size(); ++i) {
    threads.emplace_back([&, i] {
      outputs[i] = CompressChunked(data, Small(1 + i % 3), {7777 * (i + 1)});
    });
  }
  for (auto& t : threads) t.join();
  for (const auto& out : outputs) EXPECT_TRUE(out == expected);
}

TEST(ParallelCompressor, DestroyWithoutFlushStopsCleanly) {
  const std::string data = MixedData(1 << 20, 22);
  for (int i = 0; i < 3; ++i) {
    ParallelCompressor c(Small(2));
    // Blocks are in flight when the destructor runs; what came back so far
    // is a valid prefix of the stream.
    const std::string partial = c.compress(data);
    EXPECT_EQ(c.total_in(), data.size());
    Decompressor d;
    const std::string prefix = d.decompress(partial);
    EXPECT_FALSE(d.eof());
    EXPECT_TRUE(data.compare(0, prefix.size(), prefix) == 0);
  }
}

TEST(MemoryUsage, FollowsTheDocumentedFormula) {
  ParallelOptions o;
  o.preset = 6;
  o.threads = 2;
  const ParallelOptions r = ResolveParallelOptions(o);
  EXPECT_EQ(r.block_size, 24u << 20);
  EXPECT_EQ(r.max_blocks_in_flight, 5u);
  const uint64_t m = MemoryUsage(o);
  EXPECT_GT(m, 2 * (90ull << 20) + 5 * (48ull << 20));
  EXPECT_LT(m, 2 * (100ull << 20) + 5 * (50ull << 20));
}

}  // namespace
}  // namespace parxz
