// Streamed Block decoding (issue 23 item 1): a one-Block file, the Blocks
// without sizes that `xz -T1 --block-size` writes and concatenated one-Block
// Streams, decoded by DecompressFd from a file and from a pipe with 1, 2 and
// 4 threads (2+: the check and the writes on the StreamWriter's thread),
// must write exactly what `xz -dc` writes and fail exactly when it fails, the
// same way, for CRC32, CRC64, SHA-256 and no check, with a bad Check field
// (the error in the last piece), a flipped bit inside the data, and a cut
// in the middle of a Block. Also: the StreamWriter's pieces on their own, a
// cancel, a failing output function, live progress, and a big first Block
// from a pipe decoded as it arrives.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <lzma.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "core/error.h"
#include "core/sink.h"
#include "parallel/common/live_progress.h"
#include "parallel/decode/parallel_decompressor.h"
#include "parallel/decode/stream_writer.h"
#include "tests/parallel_decode/decode_test_util.h"

namespace parxz::testing {
namespace {

// ----- the StreamWriter on its own -----------------------------------------

void PutLe(uint8_t* p, uint64_t v, size_t n) {
  for (size_t i = 0; i < n; ++i) p[i] = static_cast<uint8_t>(v >> (8 * i));
}

// Commits `data` in pieces of the writer's size, as one Block with `check`.
void CommitBlock(StreamWriter& w, const std::string& data) {
  size_t at = 0;
  while (at < data.size()) {
    std::span<uint8_t> p = w.Piece();
    const size_t n = std::min(p.size(), data.size() - at);
    std::copy_n(data.data() + at, n, p.data());
    w.Commit(n);
    at += n;
  }
}

TEST(StreamWriter, PiecesArriveInOrderAndChecksMatchLiblzma) {
  const std::string a = TestData(100003, 1);
  const std::string b = TestData(7, 2);
  std::string out;
  StringSink sink(&out);
  StreamWriter w(sink, /*piece_size=*/1000, /*pieces=*/3);
  uint8_t raw[LZMA_CHECK_SIZE_MAX] = {};
  w.BeginCheck(LZMA_CHECK_CRC32);
  CommitBlock(w, a);
  PutLe(raw,
        lzma_crc32(reinterpret_cast<const uint8_t*>(a.data()), a.size(), 0), 4);
  w.EndCheck(raw, Error(ErrorCode::kCorruptData, "t", "a"));
  w.BeginCheck(LZMA_CHECK_CRC64);
  CommitBlock(w, b);
  PutLe(raw,
        lzma_crc64(reinterpret_cast<const uint8_t*>(b.data()), b.size(), 0), 8);
  w.EndCheck(raw, Error(ErrorCode::kCorruptData, "t", "b"));
  w.BeginCheck(LZMA_CHECK_CRC64);  // an empty Block: CRC64 of nothing is 0
  PutLe(raw, 0, 8);
  w.EndCheck(raw, Error(ErrorCode::kCorruptData, "t", "empty"));
  w.Drain();
  EXPECT_EQ(w.committed(), a.size() + b.size());
  EXPECT_TRUE(out == a + b);
}

TEST(StreamWriter, MismatchWritesTheBlockThenDropsWhatFollows) {
  for (const lzma_check check : {LZMA_CHECK_CRC32, LZMA_CHECK_CRC64}) {
    const std::string a = TestData(5000, 3);
    std::string out;
    StringSink sink(&out);
    StreamWriter w(sink, 512, 2);
    uint8_t raw[LZMA_CHECK_SIZE_MAX] = {};  // wrong for this data
    w.BeginCheck(check);
    CommitBlock(w, a);
    w.EndCheck(raw, Error(ErrorCode::kCorruptData, "decompress", "bad check"));
    // A next Block, committed before the verdict is known, is dropped.
    w.BeginCheck(LZMA_CHECK_NONE);
    try {
      CommitBlock(w, a);
    } catch (const Error&) {
      // Piece() may already report it.
    }
    try {
      w.Drain();
      ADD_FAILURE() << "no error";
    } catch (const Error& e) {
      EXPECT_EQ(e.detail(), "bad check");
    }
    EXPECT_THROW(w.Drain(), Error);  // it sticks
    EXPECT_TRUE(out == a) << out.size();
  }
}

TEST(StreamWriter, SinkErrorReachesTheProducer) {
  int calls = 0;
  FunctionSink sink([&](std::string_view) {
    if (++calls == 3) throw Error(ErrorCode::kIo, "write", "disk full");
  });
  StreamWriter w(sink, 64, 2);
  bool thrown = false;
  try {
    for (int i = 0; i < 1000; ++i) {
      w.Piece();
      w.Commit(64);
    }
    w.Drain();
  } catch (const Error& e) {
    thrown = true;
    EXPECT_EQ(e.code(), ErrorCode::kIo);
  }
  EXPECT_TRUE(thrown);
  EXPECT_EQ(calls, 3);
}

// ----- the file decoder against xz -dc --------------------------------------

struct Outcome {
  bool ok = false;
  ErrorCode code = ErrorCode::kInternal;
  std::string output;
};

// `xz -dc`'s output and verdict, the error class read from its message.
Outcome Xz(const std::string& path) {
  const std::string out = path + ".xzout", err = path + ".xzerr";
  const int rc = Run("xz -dc '" + path + "' > '" + out + "' 2> '" + err + "'");
  Outcome o;
  o.output = ReadFile(out);
  o.ok = rc == 0;
  const std::string msg = ReadFile(err);
  if (msg.find("Unexpected end of input") != std::string::npos) {
    o.code = ErrorCode::kTruncated;
  } else if (msg.find("corrupt") != std::string::npos) {
    o.code = ErrorCode::kCorruptData;
  }
  return o;
}

// DecompressFd under xz's rules from the file, or from a pipe fed by a
// thread.
Outcome Parxz(const std::string& path, unsigned threads, bool pipe_input,
              bool test_only = false) {
  Outcome o;
  int fd = -1;
  std::thread feeder;
  if (pipe_input) {
    int p[2];
    if (pipe(p) != 0) throw std::runtime_error("pipe");
    fd = p[0];
    feeder = std::thread([w = p[1], data = ReadFile(path)] {
      size_t at = 0;
      while (at < data.size()) {
        const ssize_t n = write(w, data.data() + at, data.size() - at);
        if (n <= 0) break;
        at += static_cast<size_t>(n);
      }
      close(w);
    });
  } else {
    fd = open(path.c_str(), O_RDONLY);
  }
  const ParallelDecodeOptions opt{.threads = threads, .mode = DecodeMode::kXz};
  try {
    if (test_only) {
      DecompressFd(fd, -1, opt);
    } else {
      DecompressFd(
          fd,
          [&](const uint8_t* p, size_t n) {
            o.output.append(reinterpret_cast<const char*>(p), n);
          },
          opt);
    }
    o.ok = true;
  } catch (const Error& e) {
    o.code = e.code();
  }
  if (pipe_input) {
    // Unblock the feeder if decoding stopped early.
    close(fd);
    feeder.join();
  } else {
    close(fd);
  }
  return o;
}

// The Block's Check field is the last lzma_check_size(check) bytes of the
// Block, which ends where the Index starts: in a one-Stream file of Blocks
// from XzSeq/XzMt, the Blocks() table says where.
std::string Damage(std::string xz, const std::string& how) {
  const std::vector<BlockPos> blocks = Blocks(xz);
  const BlockPos& b = blocks.front();
  if (how == "check") {
    xz[b.offset + b.total_size - 1] ^= 1;  // in the Check field
  } else if (how == "data") {
    xz[b.offset + b.total_size / 2] ^= 0x10;
  } else if (how == "cut") {
    xz.resize(b.offset + b.total_size * 2 / 3);
  }
  return xz;
}

// The damaged Stream is the first; `rest` (another Stream) may follow it.
struct Shape {
  const char* name;
  std::string (*make)(const std::string& data, lzma_check check);
  std::string (*rest)(const std::string& data, lzma_check check) = nullptr;
};

const Shape kShapes[] = {
    {"one Block, no sizes (xz -T1)",
     [](const std::string& d, lzma_check c) { return XzSeq(d, 0, 1, c); }},
    {"one Block with sizes (xz -T2, small file)",
     [](const std::string& d, lzma_check c) {
       return XzMt(d, d.size(), 1, c);
     }},
    {"Blocks without sizes (xz -T1 --block-size)",
     [](const std::string& d, lzma_check c) {
       return XzSeq(d, 1 << 20, 1, c);
     }},
    {"two one-Block Streams",
     [](const std::string& d, lzma_check c) {
       return XzSeq(d.substr(0, 1 << 20), 0, 1, c);
     },
     [](const std::string& d, lzma_check c) {
       return XzSeq(d.substr(1 << 20), 0, 1, c);
     }},
};

TEST(StreamedBlock, SameOutputAndVerdictAsXz) {
  if (!HaveProgram("xz")) GTEST_SKIP() << "no xz";
  // Not a multiple of the pieces: the last one is short.
  const std::string data = TestData((3 << 20) + 12345, 23);
  int cases = 0;
  for (const Shape& shape : kShapes) {
    for (const lzma_check check : {LZMA_CHECK_CRC32, LZMA_CHECK_CRC64,
                                   LZMA_CHECK_SHA256, LZMA_CHECK_NONE}) {
      const std::string good = shape.make(data, check);
      for (const char* how : {"none", "check", "data", "cut"}) {
        if (check == LZMA_CHECK_NONE && std::string(how) == "check") continue;
        const std::string path = TempPath("streamed.xz");
        WriteFile(path, Damage(good, how) +
                            (shape.rest != nullptr && std::string(how) != "cut"
                                 ? shape.rest(data, check)
                                 : ""));
        const Outcome want = Xz(path);
        for (const unsigned threads : {1u, 2u, 4u}) {
          for (const bool pipe_input : {false, true}) {
            SCOPED_TRACE(std::string(shape.name) + ", check " +
                         std::to_string(check) + ", damage " + how +
                         ", threads " + std::to_string(threads) +
                         (pipe_input ? ", pipe" : ", file"));
            const Outcome got = Parxz(path, threads, pipe_input);
            EXPECT_EQ(got.ok, want.ok);
            if (!want.ok) {
              EXPECT_EQ(got.code, want.code);
            }
            EXPECT_EQ(got.output.size(), want.output.size());
            EXPECT_TRUE(got.output == want.output);
            // -t: the same verdict, no output.
            const Outcome t = Parxz(path, threads, pipe_input, true);
            EXPECT_EQ(t.ok, want.ok);
            if (!want.ok) {
              EXPECT_EQ(t.code, want.code);
            }
            ++cases;
          }
        }
      }
    }
  }
  EXPECT_GT(cases, 0);
}

// A one-Block file decoded with 2 threads: the progress callback cancels
// part-way (on the decoding thread), or the output function fails (on the
// writer's thread); either way the call stops with that error and what was
// written is a prefix of the data.
TEST(StreamedBlock, CancelAndWriteErrorsStopTheCall) {
  const std::string data = TestData(8 << 20, 5);
  const std::string path = TempPath("streamed_cancel.xz");
  WriteFile(path, XzSeq(data, 0, 0));
  for (const bool via_progress : {true, false}) {
    SCOPED_TRACE(via_progress ? "progress callback" : "output function");
    std::string out;
    const int fd = open(path.c_str(), O_RDONLY);
    try {
      DecompressFd(
          fd,
          [&](const uint8_t* p, size_t n) {
            if (!via_progress && out.size() > (2u << 20)) {
              throw Error(ErrorCode::kIo, "write", "no space");
            }
            out.append(reinterpret_cast<const char*>(p), n);
          },
          {.threads = 2, .mode = DecodeMode::kXz},
          [&](uint64_t, uint64_t out_bytes) {
            return !via_progress || out_bytes < (2u << 20);
          });
      ADD_FAILURE() << "not stopped";
    } catch (const Error& e) {
      EXPECT_EQ(e.code(),
                via_progress ? ErrorCode::kCancelled : ErrorCode::kIo);
    }
    close(fd);
    EXPECT_LT(out.size(), data.size());
    EXPECT_TRUE(data.compare(0, out.size(), out) == 0);
  }
}

// A Stream's first Block over kFirstBlockReadAhead (8 MiB) of compressed data
// from a pipe is decoded as it arrives, not read ahead whole to learn
// whether it is the only one: output comes out while the end of the input is
// still held back (for up to 20 s; reading ahead would wait for it). The
// Blocks after such a first Block still decode in parallel runs.
TEST(StreamedBlock, BigFirstBlockFromAPipeIsNotHeld) {
  std::mt19937_64 rng(11);
  const size_t big = (8u << 20) + (64u << 10);
  std::string noise(big, '\0');  // compresses to more than it is
  for (char& c : noise) c = static_cast<char>(rng());
  struct Case {
    const char* name;
    std::string data;
    uint64_t parallel_blocks;
  };
  const Case cases[] = {
      {"one Block with sizes", noise, 0},
      {"a big first Block, two small after it", noise + TestData(2 * big, 12),
       2},
  };
  for (const Case& c : cases) {
    const std::string xz = XzMt(c.data, big, 1);
    ASSERT_GT(Blocks(xz).front().total_size, 8u << 20);
    for (const unsigned threads : {2u, 4u}) {
      SCOPED_TRACE(std::string(c.name) + ", threads " +
                   std::to_string(threads));
      int p[2];
      ASSERT_EQ(pipe(p), 0);
      std::atomic<size_t> written{0};
      bool output_before_end = false;
      std::thread feeder([&, w = p[1]] {
        const size_t held = 512u << 10;
        auto put = [&](size_t from, size_t to) {
          while (from < to) {
            const ssize_t n = write(w, xz.data() + from, to - from);
            if (n <= 0) return;
            from += static_cast<size_t>(n);
          }
        };
        put(0, xz.size() - held);
        for (int i = 0; i < 2000 && written.load() == 0; ++i) {
          std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        output_before_end = written.load() > 0;
        put(xz.size() - held, xz.size());
        close(w);
      });
      std::string out;
      const DecompressStats stats =
          DecompressFd(p[0],
                       [&](const uint8_t* d, size_t n) {
                         out.append(reinterpret_cast<const char*>(d), n);
                         written += n;
                       },
                       {.threads = threads, .mode = DecodeMode::kXz});
      feeder.join();
      close(p[0]);
      EXPECT_TRUE(output_before_end);
      EXPECT_TRUE(out == c.data);
      EXPECT_EQ(stats.parallel_blocks, c.parallel_blocks);
    }
  }
}

// Live counters and the progress callback move while one Block decodes, and
// end at the Block's sizes.
TEST(StreamedBlock, LiveProgressMovesInsideTheBlock) {
  const std::string data = TestData(6 << 20, 9);
  const std::string xz = XzSeq(data, 0, 1);
  const std::string path = TempPath("streamed_live.xz");
  WriteFile(path, xz);
  for (const unsigned threads : {1u, 2u}) {
    LiveProgress live;
    std::vector<uint64_t> seen_live, seen_out;
    const int fd = open(path.c_str(), O_RDONLY);
    const DecompressStats stats = DecompressFd(
        fd, -1, {.threads = threads, .mode = DecodeMode::kXz, .live = &live},
        [&](uint64_t, uint64_t out) {
          seen_live.push_back(live.out_bytes.load());
          seen_out.push_back(out);
          return true;
        });
    close(fd);
    EXPECT_EQ(stats.out_bytes, data.size());
    EXPECT_EQ(live.out_bytes.load(), data.size());
    ASSERT_GE(seen_out.size(), 3u);
    EXPECT_GT(seen_live[1], 0u);
    EXPECT_LT(seen_live[1], data.size());
    for (size_t i = 1; i < seen_out.size(); ++i) {
      EXPECT_LE(seen_out[i - 1], seen_out[i]);
    }
    EXPECT_EQ(seen_out.back(), data.size());
  }
}

}  // namespace
}  // namespace parxz::testing
