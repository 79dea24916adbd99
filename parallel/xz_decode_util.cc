#include "parallel/xz_decode_util.h"

#include <algorithm>
#include <cstring>
#include <vector>

namespace parxz {

LzmaIndexPtr DecodeFileIndex(const ByteSource& file, uint64_t start,
                             uint64_t memlimit) {
  const uint64_t size = file.size() > start ? file.size() - start : 0;
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
      const std::span<const uint8_t> piece =
          file.Read(start + pos, kPiece, buf);
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

BlockHead::BlockHead() {
  std::memset(&block, 0, sizeof(block));
  for (lzma_filter& f : filters) {
    f.id = LZMA_VLI_UNKNOWN;
    f.options = nullptr;
  }
  block.filters = filters;
}

BlockHead::~BlockHead() { FreeFilters(); }

void BlockHead::FreeFilters() { lzma_filters_free(filters, nullptr); }

uint64_t BlockHead::total_size() const {
  if (block.compressed_size == LZMA_VLI_UNKNOWN) return 0;
  return lzma_block_total_size(&block);
}

lzma_ret ParseBlockHeader(const uint8_t* in, lzma_check check,
                          uint64_t memlimit, BlockHead* head) {
  head->FreeFilters();
  lzma_block& b = head->block;
  // As stream_decoder.c's SEQ_BLOCK_INIT: version 1, the Stream's check.
  b.version = 1;
  b.check = check;
  b.header_size = lzma_block_header_size_decode(in[0]);
  b.filters = head->filters;
  lzma_ret ret = lzma_block_header_decode(&b, nullptr, in);
  if (ret != LZMA_OK) return ret;
  b.ignore_check = false;
  head->memusage = lzma_raw_decoder_memusage(head->filters);
  if (head->memusage == UINT64_MAX) return LZMA_OPTIONS_ERROR;
  if (head->memusage > memlimit) return LZMA_MEMLIMIT_ERROR;
  return LZMA_OK;
}

lzma_ret BlockDecoder::Start(BlockHead* head) {
  head->block.filters = head->filters;
  const lzma_ret ret = lzma_block_decoder(strm_.get(), &head->block);
  head->FreeFilters();
  head->block.filters = head->filters;
  return ret;
}

uint8_t* BlockDecoder::scratch() {
  if (!scratch_) scratch_.reset(new uint8_t[kScratchSize]);
  return scratch_.get();
}

BlockResult BlockDecoder::Decode(BlockHead* head, std::span<const uint8_t> in,
                                 std::span<uint8_t> out) {
  BlockResult r;
  r.ret = Start(head);
  if (r.ret != LZMA_OK) return r;
  lzma_stream* s = strm_.get();
  s->next_in = in.data();
  s->avail_in = in.size();
  const bool discard = out.empty();
  s->next_out = discard ? scratch() : out.data();
  s->avail_out = discard ? kScratchSize : out.size();
  const uint64_t in0 = s->total_in;
  const uint64_t out0 = s->total_out;
  for (;;) {
    if (discard && s->avail_out == 0) {
      s->next_out = scratch();
      s->avail_out = kScratchSize;
    }
    const uint64_t ti = s->total_in;
    const uint64_t to = s->total_out;
    const lzma_ret ret = lzma_code(s, LZMA_RUN);
    if (ret != LZMA_OK) {
      // LZMA_BUF_ERROR is lzma_code's "no progress twice": input or output
      // ran out, which the caller tells apart by the counts.
      r.ret = ret == LZMA_BUF_ERROR ? LZMA_OK : ret;
      break;
    }
    if (s->total_in == ti && s->total_out == to) break;  // nothing more to do
  }
  r.consumed = static_cast<size_t>(s->total_in - in0);
  r.produced = s->total_out - out0;
  s->next_in = nullptr;
  s->avail_in = 0;
  return r;
}

std::string DescribeBlock(const BlockHead& head) {
  return "Block " + std::to_string(head.number) + " of Stream " +
         std::to_string(head.stream) + " (Block Header at compressed byte " +
         std::to_string(head.offset) + ")";
}

Error DecodeError(lzma_ret ret, const std::string& where, uint64_t offset,
                  std::string_view operation) {
  const Error base = LzmaError(ret, operation);
  return Error(base.code(), std::string(operation),
               base.detail() + " in " + where, offset);
}

}  // namespace parxz
