// A compressed file that another process truncates while parxz decodes it.
// The decoders read files with pread(), never through a memory map, so this
// is a "truncated" error like any short file, not SIGBUS (which a mapped file
// gives when its pages vanish). The .xz files are made by the xz program.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "core/error.h"
#include "parallel/access/random_access.h"
#include "parallel/decode/parallel_decompressor.h"
#include "tests/faults/fault_util.h"

namespace parxz::faults {
namespace {

// 8 MiB that hardly compress (so that the .xz is far larger than the
// decoder's 1 MiB reads), in 128 Blocks of 64 KiB with sizes in every Block
// Header (xz -T2).
std::string MakeXzFile(std::string* data) {
  std::mt19937_64 random(11);
  data->resize(8 << 20);
  for (char& c : *data) c = static_cast<char>(random() % 200);
  const std::string plain = TempPath("shrink");
  WriteFileOrDie(plain, *data);
  const std::string cmd = "xz -q -f -6 -T2 --block-size=64KiB '" + plain + "'";
  EXPECT_EQ(std::system(cmd.c_str()), 0) << cmd;
  return plain + ".xz";
}

void ExpectShortInputError(const Error& e) {
  EXPECT_TRUE(e.code() == ErrorCode::kTruncated ||
              e.code() == ErrorCode::kCorruptData)
      << e.what();
  EXPECT_NE(std::string(e.what()), "");
}

TEST(ShrinkingFile, DecompressFdFailsCleanlyWhenTheFileShrinks) {
  std::string data;
  const std::string xz = MakeXzFile(&data);
  const std::string original = ReadFileOrDie(xz);
  for (unsigned threads : {1u, 2u}) {
    SCOPED_TRACE("threads " + std::to_string(threads));
    WriteFileOrDie(xz, original);
    const int fd = open(xz.c_str(), O_RDONLY);
    ASSERT_GE(fd, 0);
    const std::string out = TempPath("shrink.out");
    const int out_fd = open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ASSERT_GE(out_fd, 0);
    bool truncated = false;
    const ProgressFn cut = [&](uint64_t, uint64_t) {
      if (!truncated) {
        // Half of the file goes away while the decoder is at its start.
        EXPECT_EQ(truncate(xz.c_str(), original.size() / 2), 0);
        truncated = true;
      }
      return true;
    };
    try {
      DecompressFd(fd, out_fd, {.threads = threads}, cut);
      ADD_FAILURE() << "decoded a file that lost half its bytes";
    } catch (const Error& e) {
      ExpectShortInputError(e);
    }
    EXPECT_TRUE(truncated) << "the progress callback never ran";
    close(fd);
    close(out_fd);
    // What was written is a correct prefix of the data.
    const std::string written = ReadFileOrDie(out);
    EXPECT_LT(written.size(), data.size());
    EXPECT_TRUE(written == data.substr(0, written.size()))
        << "the output is not a prefix of the data";
  }
}

TEST(ShrinkingFile, RandomAccessFailsCleanlyWhenTheFileShrinks) {
  std::string data;
  const std::string xz = MakeXzFile(&data);
  const std::string original = ReadFileOrDie(xz);
  const int fd = open(xz.c_str(), O_RDONLY);
  ASSERT_GE(fd, 0);
  XzRandomAccess ra = XzRandomAccess::open_fd(fd, {.threads = 2});
  close(fd);  // allowed: the object keeps its own descriptor
  ASSERT_EQ(ra.info().uncompressed_size, data.size());
  ASSERT_EQ(truncate(xz.c_str(), original.size() / 2), 0);

  // Blocks still in the file decode; the lost ones are an error.
  std::vector<uint8_t> buf(256 << 10);
  EXPECT_EQ(ra.read_into(0, buf), buf.size());
  EXPECT_TRUE(std::string(buf.begin(), buf.end()) == data.substr(0, buf.size()))
      << "the first 256 KiB differ from the data";
  for (uint64_t offset : {uint64_t{6} << 20, data.size() - 100}) {
    try {
      ra.read_into(offset, buf);
      ADD_FAILURE() << "read past the end of a truncated file at " << offset;
    } catch (const Error& e) {
      ExpectShortInputError(e);
    }
  }
}

}  // namespace
}  // namespace parxz::faults
