// ChunkedOutput (core/chunked_output.h) against a std::string built from the
// same writes, and Decompressor's output through it (decompress(), and
// decompress_to() into one ChunkedOutput over several calls) against
// liblzma's one-call decode.
#include "core/chunked_output.h"

#include <gtest/gtest.h>
#include <lzma.h>

#include <algorithm>
#include <cstring>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "core/decompressor.h"

namespace parxz {
namespace {

TEST(ChunkedOutput, SameBytesAsAString) {
  std::mt19937_64 rng(7);
  ChunkedOutput out;
  std::string want;
  for (int i = 0; i < 400; ++i) {
    const size_t max = rng() % 3 == 0 ? SIZE_MAX : rng() % 70000;
    if (rng() % 2 == 0) {
      const std::span<uint8_t> space = out.Space(max);
      ASSERT_LE(space.size(), max);
      if (max > 0) {
        ASSERT_GT(space.size(), 0u);
      }
      // Never more than a chunk's worth at once.
      ASSERT_LE(space.size(), ChunkedOutput::kMaxChunk);
      const size_t n = space.empty() ? 0 : rng() % (space.size() + 1);
      for (size_t k = 0; k < n; ++k) space[k] = static_cast<uint8_t>(rng());
      want.append(reinterpret_cast<const char*>(space.data()), n);
      out.Commit(n);
    } else {
      std::string piece(rng() % 100000, '\0');
      for (char& c : piece) c = static_cast<char>(rng());
      out.Append(reinterpret_cast<const uint8_t*>(piece.data()), piece.size());
      want += piece;
    }
    ASSERT_EQ(out.size(), want.size());
  }
  EXPECT_TRUE(out.ToString() == want);
  std::string copy(want.size(), '\0');
  out.CopyTo(reinterpret_cast<uint8_t*>(copy.data()));
  EXPECT_TRUE(copy == want);
  out.Clear();
  EXPECT_EQ(out.size(), 0u);
  EXPECT_TRUE(out.ToString().empty());
}

// Bytes written earlier never move while more is added (a check thread reads
// them meanwhile).
TEST(ChunkedOutput, WrittenBytesStayPut) {
  ChunkedOutput out;
  std::vector<std::pair<const uint8_t*, uint8_t>> marks;
  for (int i = 0; i < 2000; ++i) {
    const std::span<uint8_t> space = out.Space(SIZE_MAX);
    space[0] = static_cast<uint8_t>(i);
    marks.push_back({space.data(), static_cast<uint8_t>(i)});
    out.Commit(std::min<size_t>(space.size(), 4099));
  }
  for (const auto& [p, v] : marks) EXPECT_EQ(*p, v);
}

std::string Xz(const std::string& data) {
  std::string out(lzma_stream_buffer_bound(data.size()), '\0');
  size_t pos = 0;
  EXPECT_EQ(lzma_easy_buffer_encode(
                1, LZMA_CHECK_CRC64, nullptr,
                reinterpret_cast<const uint8_t*>(data.data()), data.size(),
                reinterpret_cast<uint8_t*>(out.data()), &pos, out.size()),
            LZMA_OK);
  out.resize(pos);
  return out;
}

TEST(ChunkedOutput, DecompressorOutputThroughIt) {
  std::string data(5 << 20, '\0');
  std::mt19937_64 rng(8);
  for (size_t i = 0; i < data.size(); i += 64) {
    data[i] = static_cast<char>(rng() % 4);  // compressible, not trivial
  }
  const std::string xz = Xz(data);
  Decompressor whole;
  EXPECT_TRUE(whole.decompress(xz, -1) == data);
  EXPECT_TRUE(whole.eof());
  // Several bounded calls appending to one ChunkedOutput.
  Decompressor parts;
  ChunkedOutput out;
  size_t fed = 0;
  while (!parts.eof()) {
    const size_t n = std::min<size_t>(xz.size() - fed, 4096);
    const size_t before = out.size();
    const size_t got =
        parts.decompress_to(std::string_view(xz).substr(fed, n), 100000, out);
    fed += n;
    ASSERT_EQ(out.size(), before + got);
    ASSERT_LE(got, 100000u);
  }
  EXPECT_TRUE(out.ToString() == data);
}

}  // namespace
}  // namespace parxz
