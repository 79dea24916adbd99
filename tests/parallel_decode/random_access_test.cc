// Random access through the Index: any range reads what the full decode
// gives, decoding only the Blocks that hold it; the Index information
// agrees with `xz --robot -lvv`.
#include "parallel/access/random_access.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <random>
#include <sstream>
#include <thread>

#include "tests/parallel_decode/decode_test_util.h"

namespace parxz {
namespace {

using testing::TestData;
using testing::XzMt;
using testing::XzSeq;

constexpr uint64_t kKiB = 1024;

std::string Expected(const std::string& data, uint64_t offset,
                     uint64_t length) {
  if (offset >= data.size()) return "";
  return data.substr(offset, std::min<uint64_t>(length, data.size() - offset));
}

struct Sample {
  std::string name, data, xz;
};

std::vector<Sample> Samples() {
  const std::string d1 = TestData(1 << 20, 21), d2 = TestData(300 * kKiB, 22);
  return {
      {"mt-64KiB", d1, XzMt(d1, 64 * kKiB, 0)},
      {"seq-100KiB-no-sizes", d1, XzSeq(d1, 100 * kKiB, 0)},
      {"single-block", d1, XzSeq(d1, 0, 0)},
      {"two-streams-padding", d1 + d2,
       XzMt(d1, 256 * kKiB, 0) + std::string(8, '\0') +
           XzSeq(d2, 64 * kKiB, 0) + std::string(4, '\0')},
      {"empty-stream-between", d2 + d2,
       XzMt(d2, 300 * kKiB, 0) + XzMt("", 0, 0) + XzMt(d2, 0, 0)},
  };
}

TEST(RandomAccess, EdgesOfEveryBlock) {
  for (const Sample& s : Samples()) {
    for (unsigned threads : {1u, 2u}) {
      for (size_t cache : {size_t{0}, size_t{2}}) {
        XzRandomAccess ra = XzRandomAccess::open_buffer(
            s.xz, {.threads = threads, .cache_blocks = cache});
        ASSERT_EQ(ra.size(), s.data.size()) << s.name;
        const std::string what = s.name +
                                 " threads=" + std::to_string(threads) +
                                 " cache=" + std::to_string(cache);
        // The whole file, zero length, at and beyond the end.
        EXPECT_TRUE(ra.read(0, ra.size()) == s.data) << what;
        EXPECT_TRUE(ra.read(0, UINT64_MAX) == s.data) << what;
        EXPECT_EQ(ra.read(12345, 0), "") << what;
        EXPECT_EQ(ra.read(ra.size(), 10), "") << what;
        EXPECT_EQ(ra.read(ra.size() + 1000, 10), "") << what;
        EXPECT_EQ(ra.read(UINT64_MAX, UINT64_MAX), "") << what;
        EXPECT_TRUE(ra.read(ra.size() - 5, 100) ==
                    Expected(s.data, ra.size() - 5, 100))
            << what;
        // Around every Block boundary: a whole Block, straddling two,
        // single bytes either side.
        for (const XzBlockInfo& b : ra.info().blocks) {
          const uint64_t start = b.uncompressed_offset,
                         size = b.uncompressed_size;
          EXPECT_TRUE(ra.read(start, size) == Expected(s.data, start, size))
              << what;
          if (start > 0) {
            EXPECT_TRUE(ra.read(start - 1, 2) == Expected(s.data, start - 1, 2))
                << what;
            EXPECT_TRUE(ra.read(start - 100, 3 * size) ==
                        Expected(s.data, start - 100, 3 * size))
                << what;
          }
          EXPECT_TRUE(ra.read(start + size / 2, size) ==
                      Expected(s.data, start + size / 2, size))
              << what;
          EXPECT_TRUE(ra.read(start + size - 1, 1) ==
                      Expected(s.data, start + size - 1, 1))
              << what;
        }
      }
    }
  }
}

TEST(RandomAccess, RandomRangesMatchTheData) {
  std::mt19937_64 rng(5);
  for (const Sample& s : Samples()) {
    XzRandomAccess ra = XzRandomAccess::open_buffer(s.xz, {.threads = 2});
    for (int i = 0; i < 200; ++i) {
      const uint64_t offset = rng() % (s.data.size() + 1000);
      const uint64_t length =
          rng() % 4 == 0 ? rng() % (s.data.size() + 1) : rng() % 5000;
      ASSERT_TRUE(ra.read(offset, length) == Expected(s.data, offset, length))
          << s.name << " offset=" << offset << " length=" << length;
    }
    std::vector<uint8_t> buf(777);
    ASSERT_EQ(ra.read_into(1000, buf), 777u);
    EXPECT_EQ(std::string(buf.begin(), buf.end()), s.data.substr(1000, 777));
  }
}

// A caller's positioned read that hands out at most 7 bytes a call (so every
// read of the Index and of a Block is stitched from many calls) reads what
// the buffer reads; a read that fails is the caller's error, unchanged.
TEST(RandomAccess, PositionedReadCallback) {
  for (const Sample& s : Samples()) {
    std::atomic<uint64_t> calls{0};
    XzRandomAccess ra = XzRandomAccess::open_reader(
        [&](uint64_t offset, std::span<uint8_t> dst) -> size_t {
          ++calls;
          if (offset >= s.xz.size()) return 0;
          const size_t n =
              std::min<size_t>({dst.size(), size_t{7}, s.xz.size() - offset});
          std::memcpy(dst.data(), s.xz.data() + offset, n);
          return n;
        },
        s.xz.size(), {.threads = 2});
    ASSERT_EQ(ra.size(), s.data.size()) << s.name;
    EXPECT_GT(calls.load(), 1u) << s.name;
    EXPECT_TRUE(ra.read(0, UINT64_MAX) == s.data) << s.name;
    EXPECT_TRUE(ra.read(s.data.size() / 3, 70000) ==
                Expected(s.data, s.data.size() / 3, 70000))
        << s.name;
  }
  const Sample s = Samples()[0];
  bool fail = false;
  XzRandomAccess ra = XzRandomAccess::open_reader(
      [&](uint64_t offset, std::span<uint8_t> dst) -> size_t {
        if (fail) throw Error(ErrorCode::kIo, "read", "the disk went away");
        const size_t n = std::min<size_t>(dst.size(), s.xz.size() - offset);
        std::memcpy(dst.data(), s.xz.data() + offset, n);
        return n;
      },
      s.xz.size());
  fail = true;
  try {
    ra.read(0, 10);
    ADD_FAILURE() << "a failing read went unnoticed";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kIo);
    EXPECT_NE(std::string(e.what()).find("the disk went away"),
              std::string::npos)
        << e.what();
  }
}

// Front to back in small pieces (each partly read Block resumes where the
// last read stopped), then back to front.
TEST(RandomAccess, SmallPiecesInOrderAndBackwards) {
  for (const Sample& s : Samples()) {
    for (size_t cache : {size_t{0}, size_t{1}, size_t{3}}) {
      XzRandomAccess ra = XzRandomAccess::open_buffer(
          s.xz, {.threads = 2, .cache_blocks = cache});
      std::string forward;
      for (uint64_t off = 0; off < ra.size(); off += 40000)
        forward += ra.read(off, 40000);
      EXPECT_TRUE(forward == s.data) << s.name << " cache=" << cache;
      std::string backward;
      for (uint64_t end = ra.size(); end > 0;) {
        const uint64_t start = end > 30000 ? end - 30000 : 0;
        backward.insert(0, ra.read(start, end - start));
        end = start;
      }
      EXPECT_TRUE(backward == s.data) << s.name << " cache=" << cache;
    }
  }
}

// Eight threads reading at once from one object (as an OpenMP loop over
// slabs does): every read gives the data's bytes, for reads on the callers'
// threads (threads 1) and on the shared arena (threads 2), with and without
// a cache; and from a positioned-read callback, where small pieces of the
// same few Blocks make the threads meet on one partly read Block.
TEST(RandomAccess, ManyThreadsReadOneObject) {
  for (const Sample& s : Samples()) {
    for (unsigned threads : {1u, 2u}) {
      for (size_t cache : {size_t{0}, size_t{2}}) {
        XzRandomAccess ra = XzRandomAccess::open_reader(
            [&](uint64_t offset, std::span<uint8_t> dst) -> size_t {
              const size_t n = static_cast<size_t>(
                  std::min<uint64_t>(dst.size(), s.xz.size() - offset));
              std::memcpy(dst.data(), s.xz.data() + offset, n);
              return n;
            },
            s.xz.size(), {.threads = threads, .cache_blocks = cache});
        std::atomic<int> bad{0};
        std::vector<std::thread> pool;
        for (unsigned t = 0; t < 8; ++t) {
          pool.emplace_back([&, t] {
            std::mt19937_64 rng(100 + t);
            for (int i = 0; i < 12; ++i) {
              // Half the reads small and near the start (shared Blocks).
              const bool near = i % 2 == 0;
              const uint64_t offset =
                  near ? rng() % 200000 : rng() % (s.data.size() + 100);
              const uint64_t length = near ? rng() % 3000 : rng() % 100000;
              if (ra.read(offset, length) != Expected(s.data, offset, length))
                ++bad;
            }
          });
        }
        for (std::thread& t : pool) t.join();
        EXPECT_EQ(bad.load(), 0)
            << s.name << " threads=" << threads << " cache=" << cache;
      }
    }
  }
}

// A corrupt Block read by many threads at once fails every read of it with
// the same code, and reads elsewhere still work.
TEST(RandomAccess, ManyThreadsMeetACorruptBlock) {
  const std::string data = TestData(1 << 20, 31);
  std::string xz = XzMt(data, 64 * kKiB, 0);
  const XzFileInfo info = ReadXzFileInfo(xz);
  const XzBlockInfo& b = info.blocks[3];
  xz[b.compressed_offset + b.total_size / 2] ^= 0x55;
  XzRandomAccess ra = XzRandomAccess::open_buffer(xz, {.threads = 1});
  std::atomic<int> failed{0}, wrong{0};
  std::vector<std::thread> pool;
  for (unsigned t = 0; t < 8; ++t) {
    pool.emplace_back([&, t] {
      for (int i = 0; i < 10; ++i) {
        try {
          // Up to the Block's end: through the damage and its Check.
          ra.read(
              b.uncompressed_offset + b.uncompressed_size - 200 - 10 * t - i,
              200);
          ++wrong;
        } catch (const Error& e) {
          if (e.code() == ErrorCode::kCorruptData) ++failed;
        }
        if (ra.read(i * 1000, 100) != data.substr(i * 1000, 100)) ++wrong;
      }
    });
  }
  for (std::thread& t : pool) t.join();
  EXPECT_EQ(failed.load(), 80);
  EXPECT_EQ(wrong.load(), 0);
}

TEST(RandomAccess, FilesAndDescriptors) {
  const Sample s = Samples()[0];
  const std::string path = testing::TempPath("ra.xz");
  testing::WriteFile(path, s.xz);
  XzRandomAccess from_path = XzRandomAccess::open_file(path);
  EXPECT_TRUE(from_path.read(500000, 100000) == s.data.substr(500000, 100000));
  const int fd = open(path.c_str(), O_RDONLY);
  XzRandomAccess from_fd = XzRandomAccess::open_fd(fd);
  close(fd);  // the mapping stays
  EXPECT_TRUE(from_fd.read(0, 10) == s.data.substr(0, 10));
  XzRandomAccess moved = std::move(from_fd);
  EXPECT_TRUE(moved.read(s.data.size() - 10, 10) ==
              s.data.substr(s.data.size() - 10));

  int p[2];
  ASSERT_EQ(pipe(p), 0);
  try {
    XzRandomAccess::open_fd(p[0]);
    ADD_FAILURE() << "a pipe is not seekable";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kBadOptions);
  }
  close(p[0]);
  close(p[1]);
  try {
    XzRandomAccess::open_file(testing::TempPath("does-not-exist.xz"));
    ADD_FAILURE();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kIo);
  }
}

TEST(RandomAccess, NotAnXzFile) {
  const Sample s = Samples()[0];
  for (const std::string& bad :
       {std::string(), std::string("hello world, not xz at all"),
        s.xz.substr(0, s.xz.size() - 1), s.xz + "garbage"}) {
    try {
      XzRandomAccess::open_buffer(bad);
      ADD_FAILURE() << bad.size();
    } catch (const Error& e) {
      EXPECT_TRUE(e.code() == ErrorCode::kCorruptData ||
                  e.code() == ErrorCode::kTruncated)
          << e.what();
    }
  }
}

TEST(RandomAccess, CorruptBlockFailsOnlyItsReads) {
  const Sample s = Samples()[0];
  XzRandomAccess good = XzRandomAccess::open_buffer(s.xz);
  const std::vector<XzBlockInfo> blocks = good.info().blocks;
  ASSERT_GE(blocks.size(), 8u);
  for (size_t k : {size_t{0}, size_t{3}, blocks.size() - 1}) {
    for (int where = 0; where < 3; ++where) {  // header, data, check
      std::string bad = s.xz;
      const XzBlockInfo& b = blocks[k];
      const uint64_t at = where == 0   ? b.compressed_offset + 5
                          : where == 1 ? b.compressed_offset + b.total_size / 2
                                       : b.compressed_offset + b.total_size - 2;
      bad[at] ^= 0x11;
      XzRandomAccess ra = XzRandomAccess::open_buffer(bad, {.threads = 2});
      // A bad header fails any read of the Block; bad data or Check is seen
      // once a read reaches it (here: the Block's last bytes).
      if (where > 0) {
        EXPECT_TRUE(ra.read(b.uncompressed_offset, 10) ==
                    s.data.substr(b.uncompressed_offset, 10));
      }
      try {
        ra.read(b.uncompressed_offset + b.uncompressed_size - 10, 10);
        ADD_FAILURE() << "block " << k << " where " << where;
      } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::kCorruptData) << e.what();
        const std::string name =
            "Block " + std::to_string(b.number_in_stream) + " of Stream 1";
        EXPECT_NE(std::string(e.what()).find(name), std::string::npos)
            << e.what();
        ASSERT_TRUE(e.offset().has_value());
        EXPECT_GE(*e.offset(), b.compressed_offset);
        EXPECT_LE(*e.offset(), b.compressed_offset + b.total_size);
      }
      // A range over several Blocks fails with the first bad one.
      EXPECT_THROW(ra.read(0, s.data.size()), Error);
      const size_t other = k == 0 ? 1 : 0;
      EXPECT_TRUE(ra.read(blocks[other].uncompressed_offset, 100) ==
                  s.data.substr(blocks[other].uncompressed_offset, 100));
    }
  }
}

TEST(RandomAccess, MemoryLimit) {
  const std::string data = TestData(200 * kKiB, 23);
  const std::string xz = XzMt(data, 64 * kKiB, 6);  // 8 MiB dictionary
  XzRandomAccess ra = XzRandomAccess::open_buffer(xz, {.memlimit = 1 << 20});
  try {
    ra.read(0, 1);
    ADD_FAILURE();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kMemLimit) << e.what();
  }
  XzRandomAccess enough =
      XzRandomAccess::open_buffer(xz, {.memlimit = 16 << 20});
  EXPECT_TRUE(enough.read(0, 1000) == data.substr(0, 1000));
}

// Regression: several small Streams concatenated (`cat a.xz a.xz a.xz`) were
// refused with "Memory usage limit exceeded" while reading their Indexes
// (`parxz -l` failed where `xz -l` lists the file): each Stream's Index
// takes a Record group of its own, which the bound on Index memory missed.
TEST(RandomAccess, ConcatenatedSmallStreamsMadeByXz) {
  if (!testing::HaveProgram("xz")) GTEST_SKIP() << "xz not installed";
  const std::string one = testing::TempPath("small-1.xz");
  ASSERT_EQ(testing::Run("printf a | xz >" + one), 0);
  const std::string big = testing::TempPath("small-big.txt");
  testing::WriteFile(big, TestData(300 * kKiB, 24));
  const std::string two = testing::TempPath("small-2.xz");
  ASSERT_EQ(testing::Run("xz -T2 --block-size=100KiB -c " + big + " >" + two),
            0);
  struct Case {
    std::string name, parts;
  };
  const std::vector<Case> cases = {
      {"a3", one + " " + one + " " + one},
      {"a40",
       [&] {
         std::string p;
         for (int i = 0; i < 40; ++i) p += one + " ";
         return p;
       }()},
      {"mixed", one + " " + two + " " + one + " " + two + " " + one},
  };
  for (const Case& c : cases) {
    const std::string path = testing::TempPath("cat-" + c.name + ".xz");
    const std::string plain = testing::TempPath("cat-" + c.name + ".out");
    ASSERT_EQ(testing::Run("cat " + c.parts + " >" + path), 0);
    ASSERT_EQ(testing::Run("xz -dc " + path + " >" + plain), 0);
    const std::string data = testing::ReadFile(plain);
    for (unsigned threads : {1u, 2u}) {
      const std::string what = c.name + " threads=" + std::to_string(threads);
      XzRandomAccess ra = XzRandomAccess::open_file(path, {.threads = threads});
      ASSERT_EQ(ra.size(), data.size()) << what;
      EXPECT_EQ(ra.info().streams.size(),
                ReadXzFileInfo(testing::ReadFile(path)).streams.size());
      EXPECT_TRUE(ra.read(0, UINT64_MAX) == data) << what;
      std::mt19937_64 rng(7);
      for (int i = 0; i < 50; ++i) {
        const uint64_t offset = rng() % (data.size() + 1);
        const uint64_t length = rng() % 2000;
        EXPECT_TRUE(ra.read(offset, length) == Expected(data, offset, length))
            << what << " offset " << offset << " length " << length;
      }
    }
  }
}

TEST(RandomAccess, InfoAgreesWithXzList) {
  const Sample s = Samples()[3];  // two Streams, padding, sizes and no sizes
  const std::string path = testing::TempPath("info.xz");
  testing::WriteFile(path, s.xz);
  const XzFileInfo info = ReadXzFileInfo(s.xz, /*with_headers=*/true);
  EXPECT_EQ(info.file_size, s.xz.size());
  EXPECT_EQ(info.uncompressed_size, s.data.size());
  ASSERT_EQ(info.streams.size(), 2u);
  EXPECT_EQ(info.streams[0].padding, 8u);
  EXPECT_EQ(info.streams[1].padding, 4u);
  EXPECT_EQ(info.streams[0].check, Check::kCrc64);
  EXPECT_EQ(info.checks, 1u << LZMA_CHECK_CRC64);
  EXPECT_FALSE(info.all_sizes_in_headers);
  EXPECT_EQ(info.min_xz_version, 50000002u);
  const int fd = open(path.c_str(), O_RDONLY);
  const XzFileInfo from_fd = ReadXzFileInfo(fd, true);
  close(fd);
  EXPECT_EQ(from_fd.blocks.size(), info.blocks.size());

  if (!testing::HaveProgram("xz")) GTEST_SKIP() << "xz not installed";
  const std::string listing = testing::TempPath("info.txt");
  ASSERT_EQ(testing::Run("xz --robot -lvv " + path + " >" + listing), 0);
  std::istringstream in(testing::ReadFile(listing));
  std::string line;
  size_t n = 0;
  while (std::getline(in, line)) {
    std::vector<std::string> f;
    std::istringstream fields(line);
    std::string field;
    while (std::getline(fields, field, '\t')) f.push_back(field);
    if (f[0] == "summary") {
      EXPECT_EQ(std::stoull(f[1]), info.memusage_max);
      EXPECT_EQ(f[2], info.all_sizes_in_headers ? "yes" : "no");
      EXPECT_EQ(std::stoul(f[3]), info.min_xz_version);
    }
    if (f[0] != "block") continue;
    ASSERT_LT(n, info.blocks.size());
    const XzBlockInfo& b = info.blocks[n++];
    EXPECT_EQ(std::stoul(f[1]), b.stream);
    EXPECT_EQ(std::stoull(f[2]), b.number_in_stream);
    EXPECT_EQ(std::stoull(f[3]), b.number);
    EXPECT_EQ(std::stoull(f[4]), b.compressed_offset);
    EXPECT_EQ(std::stoull(f[5]), b.uncompressed_offset);
    EXPECT_EQ(std::stoull(f[6]), b.total_size);
    EXPECT_EQ(std::stoull(f[7]), b.uncompressed_size);
    EXPECT_EQ(std::stoul(f[11]), b.header_size);
    EXPECT_EQ(f[12], std::string(b.header_has_compressed_size ? "c" : "-") +
                         (b.header_has_uncompressed_size ? "u" : "-"));
    EXPECT_EQ(std::stoull(f[14]), b.memusage);
    EXPECT_EQ(f[15], b.filters);
  }
  EXPECT_EQ(n, info.blocks.size());
}

}  // namespace
}  // namespace parxz
