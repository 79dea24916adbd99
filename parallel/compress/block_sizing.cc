#include "parallel/compress/block_sizing.h"

#include <algorithm>

namespace parxz {

namespace {
constexpr uint64_t kMiB = uint64_t{1} << 20;
}  // namespace

uint64_t DefaultBlockSize(uint32_t dict_size) {
  return std::max<uint64_t>(uint64_t{3} * dict_size, kMiB);
}

uint32_t EncodableDictSize(uint64_t n) {
  uint64_t size = 4096;
  // The sizes LZMA2 records alternate 2^k, 3 x 2^(k-1), 2^(k+1), ...
  while (size < n) {
    const bool power_of_two = (size & (size - 1)) == 0;
    size += power_of_two ? size / 2 : size / 3;
    if (size > UINT32_MAX) return UINT32_MAX;
  }
  return static_cast<uint32_t>(size);
}

BlockSizing SizeBlocks(uint64_t block_size, std::optional<uint64_t> input_size,
                       unsigned threads, uint32_t dict_size) {
  const uint64_t xz_default = DefaultBlockSize(dict_size);
  if (block_size == 0 || (block_size == kBlockSizeAuto && !input_size)) {
    return {xz_default, dict_size};
  }
  if (block_size != kBlockSizeAuto) return {block_size, dict_size};
  const uint64_t t = std::max(threads, 1u);
  // ceil(S / T) in whole MiB, without overflow for any S.
  const uint64_t per_thread = *input_size / t + (*input_size % t != 0);
  const uint64_t mib = per_thread / kMiB + (per_thread % kMiB != 0);
  // mib is capped first so that mib x 1 MiB cannot overflow.
  const uint64_t cap = xz_default / kMiB + 1;
  const uint64_t b = std::clamp(std::min(mib, cap) * kMiB, kMiB, xz_default);
  if (b >= dict_size) return {b, dict_size};
  return {b, std::min(dict_size, EncodableDictSize(b))};
}

}  // namespace parxz
