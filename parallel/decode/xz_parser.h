// The .xz container without the compressed data: Stream Header, Block
// Header, Index and Stream Footer, parsed and cross-checked exactly as
// liblzma's lzma_stream_decoder (stream_decoder.c) does. Pure: bytes in,
// lzma_ret out; no I/O, no threads, no Block data.
//
//   StreamChecker stream;
//   if (stream.ParseHeader(bytes12) != LZMA_OK) ...        // SEQ_STREAM_HEADER
//   BlockHead head;
//   ParseBlockHeader(bytes, stream.check(), memlimit, &head);
//   ... decode the Block (block_decoder.h) ...
//   stream.AddBlock(head.block);                           // the Index hash
//   stream.DecodeIndex(bytes, &pos, size);                 // SEQ_INDEX
//   stream.CheckFooter(bytes12);                           // SEQ_STREAM_FOOTER
//
// Internal to parallel/ and its drivers (mpi/ checks Block Headers against
// the Index with ParseIndexedBlockHeader; BUILD makes it visible to //mpi).
// Not thread-safe: one object per thread at a time.
#ifndef PARXZ_PARALLEL_DECODE_XZ_PARSER_H_
#define PARXZ_PARALLEL_DECODE_XZ_PARSER_H_

#include <lzma.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "core/error.h"

namespace parxz {

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

// One Stream's frame: its header flags, the Index hash of the Blocks seen,
// and the checks of the Index and the Footer against them.
class StreamChecker {
 public:
  StreamChecker();
  ~StreamChecker();
  StreamChecker(const StreamChecker&) = delete;
  StreamChecker& operator=(const StreamChecker&) = delete;

  // The LZMA_STREAM_HEADER_SIZE bytes of a Stream Header:
  // lzma_stream_header_decode()'s verdict (LZMA_FORMAT_ERROR: no magic).
  lzma_ret ParseHeader(const uint8_t* in);
  lzma_check check() const { return flags_.check; }

  // A Block of this Stream ended: LZMA_DATA_ERROR when the Index would
  // overflow (lzma_index_hash_append).
  lzma_ret AddBlock(const lzma_block& block);

  // The Index, in pieces from its first byte (the 0x00 indicator):
  // LZMA_OK for "more", LZMA_STREAM_END when it ended and matched the
  // Blocks, else the error. Advances *pos.
  lzma_ret DecodeIndex(const uint8_t* in, size_t* pos, size_t size);

  // The LZMA_STREAM_HEADER_SIZE bytes of the Stream Footer, after the Index:
  // its Backward Size and flags against the Index and the header. A footer
  // without its magic is LZMA_DATA_ERROR, as in liblzma.
  lzma_ret CheckFooter(const uint8_t* in) const;

 private:
  lzma_stream_flags flags_{};
  lzma_index_hash* hash_ = nullptr;
};

// What the Index records of a Block (liblzma's lzma_index_iter fields).
struct IndexedBlockSizes {
  uint64_t total_size = 0;  // Block Header through the Check, padded
  uint64_t unpadded_size = 0;
  uint64_t uncompressed_size = 0;
  lzma_check check = LZMA_CHECK_NONE;  // of its Stream
};

// A Block Header checked against the Index: the bytes from the Block's
// first byte (`bytes`: its whole header, or fewer where the file ended),
// parsed as ParseBlockHeader does, with the header's sizes required to
// match the Index and the Index's written into head->block where the
// header lacks them (so the decoder enforces them). `at`: the error's
// offset from the Block's first byte.
struct IndexedHeaderResult {
  lzma_ret ret = LZMA_OK;
  uint64_t at = 0;
};
IndexedHeaderResult ParseIndexedBlockHeader(std::span<const uint8_t> bytes,
                                            const IndexedBlockSizes& sizes,
                                            uint64_t memlimit, BlockHead* head);

// "Block 3 of Stream 1 (Block Header at compressed byte 4200)": how every
// error names a Block (numbers from 1, as `xz -lv`).
std::string DescribeBlock(uint64_t stream, uint64_t number,
                          uint64_t header_offset);
std::string DescribeBlock(const BlockHead& head);

// Error for liblzma's `ret` found in `where` (e.g. DescribeBlock(head)) at
// compressed byte `offset`: "<liblzma detail> in <where>".
Error DecodeError(lzma_ret ret, const std::string& where, uint64_t offset,
                  std::string_view operation = "decompress");
// DecodeError(ret, DescribeBlock(head), offset, operation).
Error BlockError(lzma_ret ret, const BlockHead& head, uint64_t offset,
                 std::string_view operation = "decompress");

}  // namespace parxz

#endif  // PARXZ_PARALLEL_DECODE_XZ_PARSER_H_
