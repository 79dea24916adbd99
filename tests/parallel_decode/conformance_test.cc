// Same verdicts as the sequential decoder, and as `xz -t`, on every file of
// the xz project's decoder test suite ($PARXZ_SHARED/xz-test-files).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <thread>

#include "core/decompressor.h"
#include "parallel/decode/parallel_decompressor.h"
#include "tests/conformance/manifest.h"
#include "tests/parallel_decode/decode_test_util.h"

namespace parxz {
namespace {

using testing::Capture;
using testing::Describe;
using testing::Verdict;

using testing::XzTestFile;

// Decodes through DecompressFd from a file (pread) or a pipe, into a file.
Verdict FdVerdict(const std::string& data, const ParallelDecodeOptions& opts,
                  bool pipe_in, DecompressStats* stats = nullptr) {
  const std::string in_path = testing::TempPath("fd_in.xz");
  const std::string out_path = testing::TempPath("fd_out");
  testing::WriteFile(in_path, data);
  signal(SIGPIPE, SIG_IGN);  // the feeder may outlive an early error
  return Capture([&] {
    int out_fd = open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    int in_fd = -1;
    std::thread feeder;
    if (pipe_in) {
      int p[2];
      if (pipe(p) != 0) throw std::runtime_error("pipe");
      in_fd = p[0];
      feeder = std::thread([w = p[1], &data] {
        size_t pos = 0;
        while (pos < data.size()) {
          ssize_t n = write(w, data.data() + pos,
                            std::min<size_t>(data.size() - pos, 7777));
          if (n <= 0) break;
          pos += static_cast<size_t>(n);
        }
        close(w);
      });
    } else {
      in_fd = open(in_path.c_str(), O_RDONLY);
    }
    std::string result;
    try {
      DecompressStats s = DecompressFd(in_fd, out_fd, opts);
      if (stats) *stats = s;
    } catch (...) {
      close(in_fd);  // unblocks the feeder
      if (feeder.joinable()) feeder.join();
      close(out_fd);
      throw;
    }
    close(in_fd);
    if (feeder.joinable()) feeder.join();
    close(out_fd);
    return testing::ReadFile(out_path);
  });
}

void ExpectSame(const Verdict& want, const Verdict& got,
                const std::string& what) {
  EXPECT_EQ(want.ok, got.ok)
      << what << ": want " << Describe(want) << ", got " << Describe(got);
  if (want.ok && got.ok) {
    EXPECT_TRUE(want.output == got.output) << what << ": output differs";
  } else if (!want.ok && !got.ok) {
    EXPECT_EQ(want.code, got.code)
        << what << ": want " << Describe(want) << ", got " << Describe(got);
    EXPECT_EQ(want.offset, got.offset)
        << what << ": want " << Describe(want) << ", got " << Describe(got);
  }
}

class XzTestFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    rows_ = testing::LoadXzTestFiles();
    if (rows_.empty()) GTEST_SKIP() << "PARXZ_SHARED/xz-test-files not found";
    ASSERT_GT(rows_.size(), 50u);
  }
  std::vector<XzTestFile> rows_;
};

TEST_F(XzTestFiles, PythonModeEqualsSequentialDecoder) {
  for (const XzTestFile& row : rows_) {
    const std::string data = testing::ReadFile(row.path());
    const Verdict core = Capture([&] { return Decompress(data); });
    EXPECT_EQ(core.ok, row.python == "ok")
        << row.file << ": " << Describe(core);
    for (unsigned threads : {1u, 2u, 4u}) {
      const std::string what = row.file + " threads=" + std::to_string(threads);
      ParallelDecodeOptions opts{.threads = threads};
      ExpectSame(core, Capture([&] { return ParallelDecompress(data, opts); }),
                 what);
      const Verdict test = Capture([&] {
        ParallelTest(data, opts);
        return core.output;
      });
      ExpectSame(core, test, what + " (test only)");
    }
  }
}

TEST_F(XzTestFiles, PythonModeThroughDescriptors) {
  for (const XzTestFile& row : rows_) {
    const std::string data = testing::ReadFile(row.path());
    const Verdict core = Capture([&] { return Decompress(data); });
    for (bool pipe_in : {false, true}) {
      const std::string what = row.file + (pipe_in ? " (pipe)" : " (file)");
      const Verdict got = FdVerdict(data, {.threads = 2}, pipe_in);
      EXPECT_EQ(core.ok, got.ok)
          << what << ": " << Describe(core) << " vs " << Describe(got);
      if (core.ok && got.ok) {
        EXPECT_TRUE(core.output == got.output) << what;
      }
      if (!core.ok && !got.ok) {
        EXPECT_EQ(core.code, got.code)
            << what << ": " << Describe(core) << " vs " << Describe(got);
      }
    }
  }
}

TEST_F(XzTestFiles, XzModeEqualsXzTest) {
  for (const XzTestFile& row : rows_) {
    const std::string data = testing::ReadFile(row.path());
    for (unsigned threads : {1u, 2u}) {
      for (int how = 0; how < 3; ++how) {  // buffer, file, pipe
        ParallelDecodeOptions opts{.threads = threads, .mode = DecodeMode::kXz};
        DecompressStats stats;
        Verdict v;
        if (how == 0) {
          v = Capture([&] {
            stats = ParallelTest(data, opts);
            return std::string();
          });
        } else {
          v = FdVerdict(data, opts, how == 2, &stats);
        }
        const int exit_code = !v.ok ? 1 : stats.unsupported_check ? 2 : 0;
        EXPECT_EQ(exit_code, row.xz_exit)
            << row.file << " threads=" << threads << " how=" << how << ": "
            << Describe(v);
      }
    }
  }
}

}  // namespace
}  // namespace parxz
