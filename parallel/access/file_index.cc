#include "parallel/access/file_index.h"

#include <algorithm>
#include <vector>

#include "core/error.h"
#include "core/lzma_stream.h"

namespace parxz {

LzmaIndexPtr DecodeFileIndex(const ByteSource& file, uint64_t start,
                             uint64_t memlimit) {
  const uint64_t size = file.size() > start ? file.size() - start : 0;
  return DecodeFileIndex(
      size,
      [&](uint64_t offset, size_t n, std::vector<uint8_t>& buf) {
        return file.Read(start + offset, n, buf);
      },
      memlimit);
}

LzmaIndexPtr DecodeFileIndex(uint64_t size, const IndexReadFn& read,
                             uint64_t memlimit) {
  // liblzma preallocates for the number of Records an Index claims: never
  // allow more than a file of this size can hold (a Block takes at least
  // 12 bytes and its Index Record 2, a Stream at least 32 bytes), so that a
  // corrupt count fails here instead of asking for terabytes. The file info
  // decoder holds the Indexes decoded so far (lzma_index_memused: the
  // formula of lzma_index_memusage over all their Streams and Records) plus
  // the one it is decoding (its own lzma_index_memusage of one Stream), and
  // checks their sum: hence twice the bound, else a file of several small
  // Streams, each its own index_group, fails with "Memory usage limit
  // exceeded".
  const uint64_t most = 2 * lzma_index_memusage(size / 32 + 1, size / 14 + 1);
  LzmaStream strm;
  lzma_index* index = nullptr;
  lzma_ret ret = lzma_file_info_decoder(strm.get(), &index,
                                        std::min(memlimit, most), size);
  if (ret != LZMA_OK) throw LzmaError(ret, "read index");
  lzma_stream* s = strm.get();
  // The decoder reads the Stream Footer, then seeks back to the Index and
  // on to the Stream before: pieces of at most this size, read as asked.
  constexpr size_t kPiece = 64 << 10;
  std::vector<uint8_t> buf;
  uint64_t pos = 0;  // offset (from start) of next_in
  for (;;) {
    if (s->avail_in == 0) {
      const std::span<const uint8_t> piece = read(pos, kPiece, buf);
      if (pos < size && piece.empty()) {
        throw Error(ErrorCode::kTruncated, "read index",
                    "the file ended early (shrunk while being read?)", pos);
      }
      s->next_in = piece.data();
      s->avail_in = piece.size();
    }
    const size_t before = s->avail_in;
    ret = lzma_code(s, pos + before >= size ? LZMA_FINISH : LZMA_RUN);
    pos += before - s->avail_in;
    if (ret == LZMA_STREAM_END) break;
    if (ret == LZMA_SEEK_NEEDED) {
      if (s->seek_pos > size) {
        throw Error(ErrorCode::kTruncated, "read index", "seek beyond the file",
                    pos);
      }
      pos = s->seek_pos;
      s->avail_in = 0;
      continue;
    }
    if (ret != LZMA_OK) throw LzmaError(ret, "read index", pos);
    if (before == s->avail_in && s->avail_in != 0) {
      throw Error(ErrorCode::kInternal, "read index", "no progress", pos);
    }
  }
  return LzmaIndexPtr(index);
}

std::vector<IndexedBlock> IndexedBlocks(const lzma_index* index,
                                        uint64_t start) {
  std::vector<IndexedBlock> blocks;
  lzma_index_iter iter;
  lzma_index_iter_init(&iter, index);
  while (!lzma_index_iter_next(&iter, LZMA_INDEX_ITER_BLOCK)) {
    blocks.push_back({start + iter.block.compressed_file_offset,
                      iter.block.total_size, iter.block.uncompressed_size});
  }
  return blocks;
}

const IndexedBlock* FindIndexedBlock(const std::vector<IndexedBlock>& blocks,
                                     uint64_t offset) {
  auto it = std::lower_bound(
      blocks.begin(), blocks.end(), offset,
      [](const IndexedBlock& b, uint64_t off) { return b.offset < off; });
  if (it == blocks.end() || it->offset != offset) return nullptr;
  return &*it;
}

}  // namespace parxz
