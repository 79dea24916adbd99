#include "parallel/decode/block_check.h"

namespace parxz {

namespace {

uint64_t LoadLe(const uint8_t* p, size_t n) {
  uint64_t v = 0;
  for (size_t i = 0; i < n; ++i) v |= uint64_t{p[i]} << (8 * i);
  return v;
}

}  // namespace

void BlockCheck::Update(const uint8_t* data, size_t size) {
  if (size == 0) return;
  if (check_ == LZMA_CHECK_CRC32) {
    crc32_ = lzma_crc32(data, size, crc32_);
  } else if (check_ == LZMA_CHECK_CRC64) {
    crc64_ = lzma_crc64(data, size, crc64_);
  }
}

bool BlockCheck::Matches(const uint8_t* raw) const {
  switch (check_) {
    case LZMA_CHECK_CRC32:
      return LoadLe(raw, 4) == crc32_;
    case LZMA_CHECK_CRC64:
      return LoadLe(raw, 8) == crc64_;
    default:
      return true;
  }
}

}  // namespace parxz
