// The one byte buffer of the parallel engines: heap memory that is never
// zero-filled, so that untouched pages of a buffer sized for the worst case
// (an encoder's lzma_block_buffer_bound, a Block's promised size) cost no
// resident memory, and growing it does not zero what the coder overwrites
// anyway. Reused across Blocks (fresh pages for every 4 MiB Block cost
// about a seventh of the decoding time in page faults and zeroing), and
// backed by huge pages from its first byte from 2 MiB up (core/large_pages.h's
// AllocateFilledBytes).
//
//   ByteBuffer out(capacity);            // reserved, size() 0
//   out.resize(n);                       // bytes [old size, n) unspecified
//   coder(out.data(), out.size());
//
// Not thread-safe; one owner at a time.
#ifndef PARXZ_PARALLEL_COMMON_BYTE_BUFFER_H_
#define PARXZ_PARALLEL_COMMON_BYTE_BUFFER_H_

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <utility>

#include "core/large_pages.h"

namespace parxz {

class ByteBuffer {
 public:
  ByteBuffer() = default;
  explicit ByteBuffer(size_t capacity) { reserve(capacity); }

  uint8_t* data() { return data_.get(); }
  const uint8_t* data() const { return data_.get(); }
  size_t size() const { return size_; }
  size_t capacity() const { return capacity_; }

  // Keeps the first min(n, size()) bytes; the rest is unspecified.
  void resize(size_t n) {
    reserve(n);
    size_ = n;
  }
  // Capacity for at least `n` bytes, keeping the first size() bytes.
  void reserve(size_t n) {
    if (n <= capacity_) return;
    LargeBytes bigger = AllocateFilledBytes(n);
    if (size_ > 0) std::memcpy(bigger.get(), data_.get(), size_);
    data_ = std::move(bigger);
    capacity_ = n;
  }
  void release() {
    data_.reset();
    size_ = capacity_ = 0;
  }

 private:
  LargeBytes data_;
  size_t size_ = 0;
  size_t capacity_ = 0;
};

}  // namespace parxz

#endif  // PARXZ_PARALLEL_COMMON_BYTE_BUFFER_H_
