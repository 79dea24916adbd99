// ParallelCompressBound() (parallel/compress/parallel_compressor.h): the worst case of
// the Blocks the compressor cuts, plus the stream's fixed parts. Kept apart
// from the compressor's engine; part of the same library.
#include <lzma.h>

#include "parallel/compress/block_encoder.h"
#include "parallel/compress/parallel_compressor.h"

namespace parxz {

namespace {

// Saturating arithmetic: a bound too large for uint64_t is UINT64_MAX.
uint64_t SatAdd(uint64_t a, uint64_t b) {
  return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}
uint64_t SatMul(uint64_t a, uint64_t b) {
  return (b != 0 && a > UINT64_MAX / b) ? UINT64_MAX : a * b;
}

}  // namespace

uint64_t ParallelCompressBound(uint64_t size, const ParallelOptions& options) {
  // kBlockSizeAuto without input_size: the Blocks `size` bytes would get.
  ParallelOptions sized = options;
  sized.input_size = sized.input_size.value_or(size);
  const uint64_t bs = ResolveParallelOptions(sized).block_size;
  const uint64_t full = size / bs;
  const uint64_t last = size % bs;
  const uint64_t full_bound = BlockEncoder::OutputCapacity(bs);
  const uint64_t last_bound = last ? BlockEncoder::OutputCapacity(last) : 0;
  uint64_t total = 2 * LZMA_STREAM_HEADER_SIZE;
  total = SatAdd(total, SatMul(full, full_bound));
  total = SatAdd(total, last_bound);
  // Index: indicator, Number of Records, a (Unpadded Size, Uncompressed
  // Size) pair of VLIs per Block, padding to four bytes, CRC32.
  uint64_t index = 1 + lzma_vli_size(full + (last ? 1 : 0));
  index = SatAdd(index,
                 SatMul(full, lzma_vli_size(full_bound) + lzma_vli_size(bs)));
  if (last)
    index = SatAdd(index, lzma_vli_size(last_bound) + lzma_vli_size(last));
  index = SatAdd(SatAdd(index, 3) & ~uint64_t{3}, 4);
  return SatAdd(total, index);
}

}  // namespace parxz
