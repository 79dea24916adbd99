// ignore_check in every decoder: a damaged Check fails without it and is
// skipped with it (xz's --ignore-check), the data being intact.
#include <gtest/gtest.h>
#include <lzma.h>

#include <string>

#include "core/decompressor.h"
#include "core/error.h"
#include "core/stream_decoder.h"
#include "parallel/decode/parallel_decompressor.h"

namespace parxz {
namespace {

// `blocks` Blocks of `data` / blocks bytes with sizes in their headers, as
// liblzma's threaded encoder writes them, and the last byte of every Check
// flipped.
std::string DamagedXz(const std::string& data, lzma_check check, int blocks) {
  lzma_stream s = LZMA_STREAM_INIT;
  lzma_mt mt{};
  mt.threads = 1;
  mt.block_size = data.size() / blocks;
  mt.preset = 1;
  mt.check = check;
  EXPECT_EQ(lzma_stream_encoder_mt(&s, &mt), LZMA_OK);
  std::string out(data.size() + 4096, '\0');
  s.next_in = reinterpret_cast<const uint8_t*>(data.data());
  s.avail_in = data.size();
  s.next_out = reinterpret_cast<uint8_t*>(out.data());
  s.avail_out = out.size();
  lzma_ret ret;  // the threaded encoder needs calls until it is done
  while ((ret = lzma_code(&s, LZMA_FINISH)) == LZMA_OK) {
  }
  EXPECT_EQ(ret, LZMA_STREAM_END);
  out.resize(s.total_out);
  lzma_end(&s);
  // Walk the Index for each Block's end.
  lzma_stream_flags footer;
  EXPECT_EQ(lzma_stream_footer_decode(
                &footer, reinterpret_cast<const uint8_t*>(out.data()) +
                             out.size() - LZMA_STREAM_HEADER_SIZE),
            LZMA_OK);
  lzma_index* index = nullptr;
  uint64_t memlimit = UINT64_MAX;
  size_t pos = out.size() - LZMA_STREAM_HEADER_SIZE - footer.backward_size;
  EXPECT_EQ(lzma_index_buffer_decode(
                &index, &memlimit, nullptr,
                reinterpret_cast<const uint8_t*>(out.data()), &pos,
                out.size() - LZMA_STREAM_HEADER_SIZE),
            LZMA_OK);
  if (index == nullptr) return out;
  lzma_index_iter it;
  lzma_index_iter_init(&it, index);
  while (!lzma_index_iter_next(&it, LZMA_INDEX_ITER_BLOCK)) {
    const uint64_t end =
        it.block.compressed_file_offset + it.block.unpadded_size;
    out[end - 1] ^= 0x5A;
  }
  lzma_index_end(index, nullptr);
  return out;
}

TEST(IgnoreCheckTest, EveryDecoder) {
  std::string data;
  for (uint64_t i = 0; data.size() < (3 << 20); ++i) {
    data += "line " + std::to_string(i * 7919 % 100003) + "\n";
  }
  for (lzma_check check : {LZMA_CHECK_CRC32, LZMA_CHECK_CRC64,
                           LZMA_CHECK_SHA256}) {
    const std::string bad = DamagedXz(data, check, 3);
    SCOPED_TRACE(check);
    EXPECT_THROW(Decompress(bad), Error);
    std::string got;
    EXPECT_NO_THROW(got = Decompress(bad, {.ignore_check = true}));
    EXPECT_TRUE(got == data);
    for (unsigned threads : {1u, 2u}) {
      EXPECT_THROW(ParallelDecompress(bad, {.threads = threads}), Error);
      EXPECT_NO_THROW(got = ParallelDecompress(
                          bad, {.threads = threads, .ignore_check = true}))
          << threads;
      EXPECT_TRUE(got == data);
    }
    std::string out;
    FunctionSink sink([&out](std::string_view b) { out += b; });
    StreamDecoder d({.mode = DecodeMode::kXz, .ignore_check = true});
    EXPECT_NO_THROW(d.feed(bad, sink); d.finish(sink););
    EXPECT_TRUE(out == data);
  }
}

}  // namespace
}  // namespace parxz
