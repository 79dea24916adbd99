// Encodes one .xz Block exactly as liblzma's multi-threaded encoder does, so
// that the Blocks parxz writes are byte-identical to `xz -T`'s.
//
// Internal to parallel/. Each pipeline worker borrows a BlockEncoder from a
// pool and keeps it across Blocks: liblzma re-initialises the lzma_stream in
// place and reuses the match finder (~94 MiB at -6) when the options match.
// Not thread-safe; one Block at a time.
#ifndef PARXZ_PARALLEL_BLOCK_ENCODER_H_
#define PARXZ_PARALLEL_BLOCK_ENCODER_H_

#include <lzma.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

#include "core/lzma_stream.h"

namespace parxz {

// A heap buffer that is not zero-filled: untouched pages of a large buffer
// cost no resident memory, so an output buffer can be sized for the worst
// case (lzma_block_buffer_bound) without paying for it.
struct ByteBuffer {
  explicit ByteBuffer(size_t capacity)
      : data(new uint8_t[capacity]), capacity(capacity) {}
  std::unique_ptr<uint8_t[]> data;
  size_t capacity = 0;
  size_t size = 0;
};

// What the Index records about a finished Block.
struct BlockRecord {
  lzma_vli unpadded_size = 0;
  lzma_vli uncompressed_size = 0;
};

class BlockEncoder {
 public:
  // `filters` (an LZMA_VLI_UNKNOWN-terminated chain ending in LZMA2) must
  // outlive the encoder. `block_size` is the configured Block size: like xz,
  // the Block Header is sized for a full Block whose compressed size is
  // OutputCapacity(), whatever the actual input.
  BlockEncoder(const lzma_filter* filters, lzma_check check,
               uint64_t block_size);

  // Bytes an output buffer needs: lzma_block_buffer_bound(block_size).
  static size_t OutputCapacity(uint64_t block_size);

  // Encodes `in` (at most block_size bytes) as one complete Block (header,
  // data, padding, check) into `out`, which has OutputCapacity() bytes.
  // Data that would not fit is stored as uncompressed LZMA2 chunks, as xz
  // does. Throws Error; kCancelled as soon as `*cancel` becomes true.
  BlockRecord Encode(std::span<const uint8_t> in, ByteBuffer& out,
                     const std::atomic<bool>* cancel);

 private:
  const lzma_filter* filters_;
  lzma_check check_;
  uint64_t block_size_;
  LzmaStream strm_;  // reused across Blocks
};

}  // namespace parxz

#endif  // PARXZ_PARALLEL_BLOCK_ENCODER_H_
