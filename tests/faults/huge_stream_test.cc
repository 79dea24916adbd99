// A stream larger than 4 GiB through pipes, as `parxz < in | parxz -d` sees
// it: generator -> CompressFd (-0, 2 threads, the stdin path) -> Decompressor
// -> byte counter and CRC64. The input is mostly zeros (a few changing bytes
// per MiB) so that it runs in well under a minute on 2 cores and the .xz
// (about a megabyte) can be kept: the xz program then reads its Index and
// headers independently of our decoder. Checks that sizes are 64-bit
// everywhere (Index, Block headers, totals, stats) and that the decoded bytes
// are exactly the generated ones.
#include <gtest/gtest.h>
#include <lzma.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "core/decompressor.h"
#include "core/error.h"
#include "parallel/compress/parallel_compressor.h"
#include "tests/faults/fault_util.h"

namespace parxz::faults {
namespace {

constexpr uint64_t kTotal = (uint64_t{4} << 30) + (uint64_t{300} << 20) + 12345;

bool WriteAll(int fd, const char* p, size_t n) {
  while (n > 0) {
    const ssize_t w = write(fd, p, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return false;
    p += w;
    n -= static_cast<size_t>(w);
  }
  return true;
}

TEST(HugeStream, MoreThan4GiBThroughPipesRoundTrips) {
  signal(SIGPIPE, SIG_IGN);
  const auto start = std::chrono::steady_clock::now();
  // 1 MiB of zeros, with one more byte changed in every MiB sent so that the
  // output really depends on every part of the input.
  std::string pattern(1 << 20, '\0');
  int in[2], out[2];
  ASSERT_EQ(pipe(in), 0);
  ASSERT_EQ(pipe(out), 0);

  uint64_t expected_crc = 0;
  std::thread generator([&] {
    std::string block = pattern;
    uint64_t crc = 0;
    for (uint64_t sent = 0, i = 0; sent < kTotal; ++i) {
      block[i % block.size()] = static_cast<char>(i);
      const size_t n = static_cast<size_t>(
          std::min<uint64_t>(block.size(), kTotal - sent));
      crc = lzma_crc64(reinterpret_cast<const uint8_t*>(block.data()), n, crc);
      if (!WriteAll(in[1], block.data(), n)) break;
      sent += n;
    }
    expected_crc = crc;
    close(in[1]);
  });

  CompressStats stats;
  std::string error;
  std::thread compressor([&] {
    ParallelOptions o;
    o.preset = 0;
    o.threads = 2;
    try {
      stats = CompressFd(in[0], out[1], o);
    } catch (const Error& e) {
      error = e.what();
    }
    close(out[1]);
  });

  Decompressor d({.format = Format::kXz});
  uint64_t decoded = 0, crc = 0;
  std::string xz;  // the whole compressed stream, for the xz program
  std::string buf(1 << 20, '\0');
  try {
    while (!d.eof()) {
      std::string_view chunk;
      if (d.needs_input()) {
        const ssize_t r = read(out[0], buf.data(), buf.size());
        ASSERT_GT(r, 0) << "the stream ended early";
        chunk = std::string_view(buf.data(), static_cast<size_t>(r));
        xz.append(chunk);
        ASSERT_LT(xz.size(), size_t{64} << 20) << "far less compressible "
                                                   "than expected";
      }
      const std::string part = d.decompress(chunk, 4 << 20);
      crc = lzma_crc64(reinterpret_cast<const uint8_t*>(part.data()),
                       part.size(), crc);
      decoded += part.size();
    }
  } catch (const Error& e) {
    ADD_FAILURE() << e.what();
  }
  char extra;
  EXPECT_EQ(read(out[0], &extra, 1), 0) << "bytes after the stream";
  close(out[0]);
  compressor.join();
  generator.join();
  close(in[0]);

  EXPECT_EQ(error, "");
  EXPECT_EQ(decoded, kTotal);
  EXPECT_EQ(d.total_out(), kTotal);
  EXPECT_EQ(stats.in_bytes, kTotal);
  EXPECT_EQ(stats.out_bytes, xz.size());
  EXPECT_EQ(crc, expected_crc);
  const double s = std::chrono::duration<double>(
                       std::chrono::steady_clock::now() - start)
                       .count();
  std::printf("%llu bytes -> %zu bytes in %llu Blocks, %.1f s\n",
              static_cast<unsigned long long>(kTotal), xz.size(),
              static_cast<unsigned long long>(stats.blocks), s);

  // The xz program's view of the same stream, from its Index and headers:
  //   totals <streams> <blocks> <compressed> <uncompressed> ...
  const std::string path = TempPath("huge.xz");
  WriteFileOrDie(path, xz);
  FILE* p = popen(("xz --robot --list " + path).c_str(), "r");
  ASSERT_NE(p, nullptr);
  std::string listing;
  char line[512];
  while (fgets(line, sizeof line, p) != nullptr) listing += line;
  ASSERT_EQ(pclose(p), 0) << listing;
  std::istringstream lines(listing);
  std::string l;
  std::vector<std::string> totals;
  while (std::getline(lines, l)) {
    if (l.rfind("totals\t", 0) != 0) continue;
    std::istringstream fields(l);
    for (std::string f; std::getline(fields, f, '\t');) totals.push_back(f);
  }
  ASSERT_GE(totals.size(), 5u) << listing;
  EXPECT_EQ(totals[1], "1") << "streams";
  EXPECT_EQ(totals[2], std::to_string(stats.blocks)) << "Blocks";
  EXPECT_EQ(totals[3], std::to_string(xz.size())) << "compressed size";
  EXPECT_EQ(totals[4], std::to_string(kTotal)) << "uncompressed size";
  // And the xz program decodes it (Block headers, sizes and checks).
  EXPECT_EQ(std::system(("xz -t " + path).c_str()), 0);
  std::remove(path.c_str());
}

}  // namespace
}  // namespace parxz::faults
