// Output of a size not known in advance, gathered in chunks that are never
// moved or zero-filled: what decompress(data, max_length) fills before the
// bytes are copied once to where they go (the std::string it returns, or
// straight into a Python bytes object), as CPython's _BlocksOutputBuffer
// does. A std::string grown by doubling instead zero-fills and copies every
// byte about twice more, page faults included (a 82 MB one-Block file
// decoded by one decompress() call took 1.5x the standard module's time).
//
//   ChunkedOutput out;
//   std::span<uint8_t> space = out.Space(max);  // in the last chunk
//   size_t n = decode_into(space);
//   out.Commit(n);                              // the first n bytes of it
//   ...
//   std::string s = out.ToString();             // or out.CopyTo(dst)
//
// Chunks double with the output so far, from 32 KiB up to 64 MiB each (a
// bounded call gets no more than it may fill). Not thread-safe; the spans
// Space() returned stay valid until the object is destroyed or cleared.
#ifndef PARXZ_CORE_CHUNKED_OUTPUT_H_
#define PARXZ_CORE_CHUNKED_OUTPUT_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "core/large_pages.h"

namespace parxz {

class ChunkedOutput {
 public:
  static constexpr size_t kFirstChunk = size_t{32} << 10;
  static constexpr size_t kMaxChunk = size_t{64} << 20;

  // Writable space after the bytes committed: the rest of the last chunk,
  // or a new chunk when it is full; at most `max` bytes, and at least one
  // when max > 0.
  std::span<uint8_t> Space(size_t max);
  // The first `n` bytes of the last Space() hold output now.
  void Commit(size_t n);
  // Copies `n` bytes in after the committed ones.
  void Append(const uint8_t* data, size_t n);

  size_t size() const { return size_; }
  // All the bytes, in order, to dst[0, size()).
  void CopyTo(uint8_t* dst) const;
  std::string ToString() const;
  void Clear();

 private:
  struct Chunk {
    LargeBytes data;
    size_t used = 0;
    size_t capacity = 0;
  };
  std::vector<Chunk> chunks_;
  size_t size_ = 0;
};

}  // namespace parxz

#endif  // PARXZ_CORE_CHUNKED_OUTPUT_H_
