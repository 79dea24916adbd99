// A Block's Check computed outside liblzma's Block decoder, which then runs
// with lzma_block.ignore_check: so that the check can run on another thread
// than the decoding (StreamWriter's writer thread, CheckThread). CRC32 and
// CRC64 only, with liblzma's public lzma_crc32/lzma_crc64 (the two checks
// liblzma computes for its callers; SHA-256 stays inside the decoder).
//
//   if (BlockCheck::Computable(head.block.check)) head.block.ignore_check =
//   true; BlockCheck check(head.block.check);
//   ... check.Update(piece, n) over the Block's data, in order ...
//   if (!check.Matches(head.block.raw_check)) throw BlockError(LZMA_DATA_ERROR,
//   ...);
//
// The error is liblzma's own for a Check that differs (LZMA_DATA_ERROR,
// after all of the Block's data was output), so a decoder that computes the
// check here reports what the sequential decoder reports, where it does.
// Internal to parallel/decode.
#ifndef PARXZ_PARALLEL_DECODE_BLOCK_CHECK_H_
#define PARXZ_PARALLEL_DECODE_BLOCK_CHECK_H_

#include <lzma.h>

#include <cstddef>
#include <cstdint>

namespace parxz {

class BlockCheck {
 public:
  static bool Computable(lzma_check check) {
    return check == LZMA_CHECK_CRC32 || check == LZMA_CHECK_CRC64;
  }
  // LZMA_CHECK_NONE (or any check not Computable): verifies nothing.
  explicit BlockCheck(lzma_check check = LZMA_CHECK_NONE) : check_(check) {}

  void Update(const uint8_t* data, size_t size);
  // Whether `raw` (the Check field: lzma_block.raw_check) holds the value
  // computed over the data so far; true when nothing is computed.
  bool Matches(const uint8_t* raw) const;

 private:
  lzma_check check_;
  uint32_t crc32_ = 0;
  uint64_t crc64_ = 0;
};

}  // namespace parxz

#endif  // PARXZ_PARALLEL_DECODE_BLOCK_CHECK_H_
