// Bad input: every bad-* and unsupported-* file of the xz project fails with
// an Error that says what is wrong; small valid files truncated at every
// offset and with every single bit flipped fail cleanly (or, where no check
// covers the bit, decode) without crash or hang; headers and Indexes that
// claim huge sizes fail without huge allocations.
#include <dirent.h>
#include <gtest/gtest.h>
#include <lzma.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "core/compressor.h"
#include "core/decompressor.h"
#include "core/error.h"
#include "parallel/compress/parallel_compressor.h"
#include "tests/faults/fault_util.h"

namespace parxz::faults {
namespace {

bool IsDataError(ErrorCode c) {
  return c == ErrorCode::kCorruptData || c == ErrorCode::kTruncated ||
         c == ErrorCode::kUnsupported || c == ErrorCode::kMemLimit;
}

struct Result {
  bool ok = false;
  std::string out;
  std::optional<Error> error;
};

Result OneShot(std::string_view data, const DecompressOptions& o = {}) {
  Result r;
  try {
    r.out = Decompress(data, o);
    r.ok = true;
  } catch (const Error& e) {
    r.error = e;
  }
  return r;
}

// Streams `data` through one Decompressor in `chunk`-byte pieces with a
// bounded number of calls (a hang would hit the bound and fail).
Result Streamed(std::string_view data, size_t chunk, int64_t max_length) {
  Result r;
  Decompressor d;
  size_t pos = 0;
  try {
    for (int calls = 0; !d.eof(); ++calls) {
      if (calls > 10'000'000) {
        ADD_FAILURE() << "no progress";
        break;
      }
      std::string_view in;
      if (d.needs_input()) {
        if (pos == data.size()) {  // all given, stream unfinished
          r.error = Error(ErrorCode::kTruncated, "test", "unfinished");
          return r;
        }
        in = data.substr(pos, chunk);
        pos += in.size();
      }
      r.out += d.decompress(in, max_length);
    }
    r.ok = true;
  } catch (const Error& e) {
    r.error = e;
  }
  return r;
}

std::map<std::string, std::string> Manifest(const std::string& dir) {
  std::map<std::string, std::string> python;  // file -> ok|error
  std::istringstream in(ReadFileOrDie(dir + "/MANIFEST.tsv"));
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream f(line);
    std::string name, xz_exit, py;
    if (f >> name >> xz_exit >> py) python[name] = py;
  }
  return python;
}

std::vector<std::string> Files(const std::string& dir) {
  std::vector<std::string> names;
  if (DIR* d = opendir(dir.c_str())) {
    while (dirent* e = readdir(d)) names.emplace_back(e->d_name);
    closedir(d);
  }
  std::sort(names.begin(), names.end());
  return names;
}

TEST(BadInput, EveryBadAndUnsupportedFileSaysWhatIsWrong) {
  const std::string dir = XzTestFilesDir();
  if (dir.empty() || access((dir + "/MANIFEST.tsv").c_str(), R_OK) != 0) {
    GTEST_SKIP() << "PARXZ_SHARED/xz-test-files is not available";
  }
  const auto python = Manifest(dir);
  int checked = 0;
  for (const std::string& name : Files(dir)) {
    if (name.rfind("bad-", 0) != 0 && name.rfind("unsupported-", 0) != 0) {
      continue;
    }
    SCOPED_TRACE(name);
    const std::string data = ReadFileOrDie(dir + "/" + name);
    const Result one = OneShot(data);
    // Python semantics: a few decode (trailing garbage after a stream, an
    // unknown check ID); the manifest says which.
    const bool should_fail = python.count(name) && python.at(name) == "error";
    EXPECT_EQ(!one.ok, should_fail);
    if (one.error) {
      const Error& e = *one.error;
      std::printf("%-42s %s\n", name.c_str(), e.what());
      EXPECT_TRUE(IsDataError(e.code())) << e.what();
      EXPECT_EQ(e.operation(), "decompress");
      EXPECT_FALSE(e.detail().empty());
      if (name.rfind("unsupported-", 0) == 0) {
        EXPECT_EQ(e.code(), ErrorCode::kUnsupported) << e.what();
      }
    }
    // The streaming decoder reaches the same verdict on its first stream,
    // in 1-byte and 7-byte pieces.
    for (const auto& [chunk, max_length] :
         {std::pair<size_t, int64_t>{1, 1}, {7, 100}, {SIZE_MAX, -1}}) {
      const Result s = Streamed(data, chunk, max_length);
      if (should_fail && !s.ok && one.error) {
        EXPECT_TRUE(IsDataError(s.error->code())) << s.error->what();
      }
    }
    ++checked;
  }
  EXPECT_GE(checked, 60);
}

// Small valid files of every format, made here (and by an independent
// encoder through the shared test files where available).
std::vector<std::pair<std::string, std::string>> SmallValidFiles() {
  const std::string text = TestData(600, 3);
  ParallelOptions po;
  po.preset = 0;
  po.threads = 2;
  po.block_size = 200;  // 3 Blocks
  po.check = Check::kCrc32;
  ParallelCompressor pc(po);
  std::string parallel = pc.compress(text);
  parallel += pc.flush();
  std::vector<std::pair<std::string, std::string>> files = {
      {"xz-crc64", Compress(text, {.preset = 0})},
      {"xz-sha256", Compress(text, {.check = Check::kSha256, .preset = 0})},
      {"xz-none", Compress(text, {.check = Check::kNone, .preset = 0})},
      {"xz-3-blocks", parallel},
      {"lzma", Compress(text, {.format = Format::kAlone, .preset = 0})},
  };
  const std::string dir = XzTestFilesDir();
  if (!dir.empty() && access((dir + "/good-1-v1.lz").c_str(), R_OK) == 0) {
    files.emplace_back("lz", ReadFileOrDie(dir + "/good-1-v1.lz"));
  }
  return files;
}

TEST(BadInput, TruncatedAtEveryOffsetFails) {
  for (const auto& [name, file] : SmallValidFiles()) {
    SCOPED_TRACE(name);
    const std::string expected = OneShot(file).out;
    ASSERT_TRUE(OneShot(file).ok);
    for (size_t n = 0; n < file.size(); ++n) {
      const std::string_view cut(file.data(), n);
      const Result r = OneShot(cut);
      ASSERT_FALSE(r.ok) << "decoded when cut at " << n;
      EXPECT_TRUE(IsDataError(r.error->code())) << n << ": " << r.error->what();
      const Result s = Streamed(cut, 1 + n % 5, -1);
      ASSERT_FALSE(s.ok) << "streamed decode accepted a cut at " << n;
      // What came out before the failure is a prefix of the real output.
      EXPECT_EQ(expected.compare(0, s.out.size(), s.out), 0) << n;
    }
  }
}

TEST(BadInput, EveryBitFlipFailsOrDecodesCorrectly) {
  for (const auto& [name, file] : SmallValidFiles()) {
    SCOPED_TRACE(name);
    const std::string expected = OneShot(file).out;
    // .lzma and check-none files have no integrity check over the data, so
    // a flip there may decode to different bytes; it must still not crash.
    const bool checked = name != "lzma" && name != "xz-none";
    int failed = 0, decoded = 0;
    for (size_t i = 0; i < file.size(); ++i) {
      for (int bit = 0; bit < 8; ++bit) {
        std::string bad = file;
        bad[i] = static_cast<char>(bad[i] ^ (1 << bit));
        const Result r = OneShot(bad);
        if (!r.ok) {
          ++failed;
          EXPECT_TRUE(IsDataError(r.error->code()))
              << i << "/" << bit << ": " << r.error->what();
        } else {
          ++decoded;
          if (checked) {
            EXPECT_EQ(r.out, expected) << "flip at " << i << "/" << bit
                                       << " decoded to different bytes";
          }
        }
        if (i % 16 == 0 && bit == 0) {
          const Result s = Streamed(bad, 3, 50);
          if (s.ok && checked) {
            EXPECT_EQ(s.out, expected) << i;
          }
        }
      }
    }
    std::printf("%s: %zu bytes, %d flips failed, %d decoded\n", name.c_str(),
                file.size(), failed, decoded);
  }
}

// Files whose headers or Index claim huge sizes must fail as data errors
// without allocating anything like those sizes: run them in a child with
// 256 MiB of address space (not under ASan/TSan, which reserve terabytes).
TEST(BadInput, HugeClaimedSizesFailWithoutHugeAllocations) {
  std::vector<std::pair<std::string, std::string>> files;
  const std::string dir = XzTestFilesDir();
  for (const char* name :
       {"bad-1-index-huge-uncomp.xz", "bad-3-index-uncomp-overflow.xz",
        "bad-1-v1-member-size.lz", "bad-1-v1-uncomp-size.lz",
        "bad-too_big_size-with_eopm.lzma", "bad-1-vli-1.xz",
        "bad-1-vli-2.xz"}) {
    if (!dir.empty() && access((dir + "/" + name).c_str(), R_OK) == 0) {
      files.emplace_back(name, ReadFileOrDie(dir + "/" + name));
    }
  }
  // Crafted: an .lzma header that claims 2^62 bytes of output for a stream
  // that ends after 5; an .xz Block Header claiming 2^62 uncompressed bytes.
  std::string alone = Compress("hello", {.format = Format::kAlone,
                                         .preset = 0});
  for (int i = 0; i < 8; ++i) alone[5 + i] = i == 7 ? '\x40' : '\0';
  files.emplace_back("crafted-alone-2^62", alone);
  files.emplace_back("crafted-alone-2^62-garbage", alone + std::string(64, 'x'));

  auto check_all = [&] {
    for (const auto& [name, data] : files) {
      SCOPED_TRACE(name);
      const Result r = OneShot(data);
      EXPECT_FALSE(r.ok);
      if (r.error) {
        EXPECT_TRUE(IsDataError(r.error->code())) << r.error->what();
        EXPECT_NE(r.error->code(), ErrorCode::kOutOfMemory);
      }
      Streamed(data, 1, 16);
    }
  };
  check_all();  // in every build
  if (kSanitizerReservesAddressSpace) return;
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  auto child = [&] {
    const rlimit lim{256u << 20, 256u << 20};
    if (setrlimit(RLIMIT_AS, &lim) != 0) _exit(3);
    check_all();
    _exit(::testing::Test::HasFailure() ? 1 : 0);
  };
  EXPECT_EXIT(child(), ::testing::ExitedWithCode(0), "");
}

}  // namespace
}  // namespace parxz::faults
