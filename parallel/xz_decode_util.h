// Pieces of .xz decoding shared by the parallel decoder and random access:
// Block Headers parsed exactly as lzma_stream_decoder parses them, a reusable
// Block decoder, and the Index of a whole file.
//
//   BlockHead head;
//   lzma_ret ret = ParseBlockHeader(bytes, LZMA_CHECK_CRC64, &head);
//   BlockDecoder d;                                  // reused across Blocks
//   BlockResult r = d.Decode(&head, after_header, out);
//
// Internal to parallel/. Not thread-safe: one BlockDecoder or BlockHead per
// thread at a time.
#ifndef PARXZ_PARALLEL_XZ_DECODE_UTIL_H_
#define PARXZ_PARALLEL_XZ_DECODE_UTIL_H_

#include <lzma.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "core/error.h"
#include "core/lzma_stream.h"
#include "parallel/decode_input.h"

namespace parxz {

struct LzmaIndexDeleter {
  void operator()(lzma_index* i) const { lzma_index_end(i, nullptr); }
};
using LzmaIndexPtr = std::unique_ptr<lzma_index, LzmaIndexDeleter>;

// The combined Index of every Stream of a complete .xz file (Stream Padding
// allowed) that starts at byte `start` of `file` and runs to its end, read
// from the end with lzma_file_info_decoder. Offsets in it count from `start`.
// Throws Error (operation "read index", with the offset where liblzma
// stopped).
LzmaIndexPtr DecodeFileIndex(const ByteSource& file, uint64_t start,
                             uint64_t memlimit);

// A Block Header as lzma_block_header_decode() left it. Owns the filter
// options until FreeFilters() (the decoder needs them only to start) and must
// not move: block.filters points into it.
struct BlockHead {
  BlockHead();
  ~BlockHead();
  BlockHead(const BlockHead&) = delete;
  BlockHead& operator=(const BlockHead&) = delete;
  void FreeFilters();

  lzma_block block;
  lzma_filter filters[LZMA_FILTERS_MAX + 1];
  uint64_t offset = 0;    // of the Block Header in the input
  uint64_t stream = 0;    // 1-based number of its Stream
  uint64_t number = 0;    // 1-based number in its Stream
  uint64_t memusage = 0;  // lzma_raw_decoder_memusage() of the chain
  // Bytes from the Block Header to the end of the Check when the header
  // records the Compressed Size; 0 otherwise.
  uint64_t total_size() const;
};

// Parses the Block Header at `in` (its full header_size bytes, which
// lzma_block_header_size_decode(in[0]) gives) as lzma_stream_decoder does,
// including the memory check against `memlimit`: LZMA_OPTIONS_ERROR for an
// unknown filter, LZMA_MEMLIMIT_ERROR when the chain needs more.
lzma_ret ParseBlockHeader(const uint8_t* in, lzma_check check,
                          uint64_t memlimit, BlockHead* head);

// What decoding a Block did.
struct BlockResult {
  // LZMA_STREAM_END: the Block ended (Check verified); LZMA_OK: the input or
  // the output space ran out first; anything else: liblzma's error.
  lzma_ret ret = LZMA_OK;
  size_t consumed = 0;    // input bytes used (after the Block Header)
  uint64_t produced = 0;  // output bytes
};

// One reusable lzma_stream for Blocks: re-initialising it for the next Block
// keeps the LZMA2 dictionary allocation when the size does not change.
class BlockDecoder {
 public:
  BlockDecoder() = default;
  BlockDecoder(const BlockDecoder&) = delete;
  BlockDecoder& operator=(const BlockDecoder&) = delete;

  // Starts a Block (head->block with its filters; frees them afterwards) and
  // decodes `in`, the bytes after the Block Header. Output goes to `out`;
  // when `out` is empty it is decoded into an internal buffer and dropped
  // (verification only). Stops at the end of the Block, on an error, or when
  // input or output space run out.
  BlockResult Decode(BlockHead* head, std::span<const uint8_t> in,
                     std::span<uint8_t> out);

  // Streaming use: Start() and then lzma_code() on stream().
  lzma_ret Start(BlockHead* head);
  lzma_stream* stream() { return strm_.get(); }
  // A scratch output buffer of kScratchSize bytes, kept across Blocks.
  uint8_t* scratch();
  static constexpr size_t kScratchSize = 1 << 20;

 private:
  LzmaStream strm_;
  std::unique_ptr<uint8_t[]> scratch_;
};

// "Block 3 of Stream 1 (starting at compressed byte 4200)", the context
// errors carry.
std::string DescribeBlock(const BlockHead& head);

// Error for liblzma's `ret` found in `where` (e.g. DescribeBlock(head)) at
// compressed byte `offset`: "<liblzma detail> in <where>".
Error DecodeError(lzma_ret ret, const std::string& where, uint64_t offset,
                  std::string_view operation = "decompress");

}  // namespace parxz

#endif  // PARXZ_PARALLEL_XZ_DECODE_UTIL_H_
