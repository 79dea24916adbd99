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
  // Moves take the filter options along and re-point block.filters.
  BlockHead(BlockHead&& other) noexcept;
  BlockHead& operator=(BlockHead&& other) noexcept;
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

// The one .xz Stream parser, push form: bytes in, events out, as
// lzma_stream_decoder's state machine (stream_decoder.c) takes a Stream:
// Stream Header, Block Headers, the Index against the Blocks seen, the
// Stream Footer. The Block data in between is the caller's (the one Block
// decode routine, block_decoder.h). The file decoder drives it by pulling
// input, the threaded incremental decoder by pushing what it is given.
//
//   XzStreamParser parser(memlimit, /*stream=*/1);
//   for (;;) {
//     const XzStreamParser::Step s = parser.Next(bytes, offset, &head);
//     offset += s.consumed;                    // also on kError
//     switch (s.event) {
//       case kMore:  ... at least s.need bytes at the front, then again
//       case kBlock: ... decode the Block's data; parser.BlockEnded(head.block)
//       case kIndex: ... once every Block has ended: Next() again
//       case kEnd:   the Stream ended, its Footer checked
//       case kError: s.error, in s.part
//     }
//   }
class XzStreamParser {
 public:
  enum class Event { kMore, kBlock, kIndex, kEnd, kError };
  enum class Part { kStreamHeader, kBlockHeader, kIndex, kStreamFooter };
  struct Step {
    Event event = Event::kMore;
    size_t consumed = 0;  // bytes of `in` parsed (also before an error)
    size_t need = 0;      // kMore: bytes wanted at the front, after consumed
    lzma_ret error = LZMA_OK;         // kError: liblzma's verdict
    Part part = Part::kStreamHeader;  // kError: where
  };

  // `memlimit`: for the Block Headers' filter chains (ParseBlockHeader);
  // `stream`: its number from 1, for the Blocks' names.
  XzStreamParser(uint64_t memlimit, uint64_t stream);

  // Parses what it can from `in`, the bytes at stream offset `offset`;
  // stops at a Block (its header parsed into `head`, with offset, stream
  // and number, and consumed), at the Index's first byte (kIndex, nothing
  // consumed: the Index is compared with the Blocks that ended, so the
  // caller lets every Block end first), at the Stream's end, or where it
  // needs more input. After kError or kEnd it returns the same again.
  Step Next(std::span<const uint8_t> in, uint64_t offset, BlockHead* head);

  // A Block ended (its decoder wrote its real sizes into `block`): into the
  // Index hash; LZMA_DATA_ERROR when the Index would overflow.
  lzma_ret BlockEnded(const lzma_block& block);

  // Back before the header of Block `number` (from 1), to parse it again
  // (the file decoder redoes a speculative Block in stream order).
  void RestartAtBlock(uint64_t number);

  lzma_check check() const { return checker_.check(); }  // once parsed
  bool header_parsed() const {
    return state_ != State::kStreamHeader &&
           !(state_ == State::kFailed && last_.part == Part::kStreamHeader);
  }
  uint64_t stream() const { return stream_; }

 private:
  enum class State {
    kStreamHeader,
    kBlockStart,
    kIndexNext,
    kIndex,
    kFooter,
    kEnded,
    kFailed
  };
  Step Fail(Step s, lzma_ret ret, Part part);

  StreamChecker checker_;
  const uint64_t memlimit_;
  const uint64_t stream_;
  uint64_t blocks_ = 0;  // Block Headers parsed
  State state_ = State::kStreamHeader;
  Step last_;  // what kEnded / kFailed return again
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
