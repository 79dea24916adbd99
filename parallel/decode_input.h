// Where the parallel decoder reads compressed bytes from: a buffer in memory
// (a string_view, or a regular file mapped with MappedFile) or a stream read
// with read() (a pipe, a terminal, a socket).
//
//   parxz::DecodeInput in(fd);               // or DecodeInput(bytes)
//   while (size_t n = in.Ensure(64 << 10)) { // n bytes at in.data()
//     use(in.data(), n);
//     in.Consume(n);
//   }
//
// Internal to parallel/. Offsets are absolute: bytes consumed since the start
// of the input. A DecodeInput is used by one thread at a time; views it hands
// out stay valid until the next Ensure/Consume/Take call, except views into a
// memory input, which live as long as the buffer.
#ifndef PARXZ_PARALLEL_DECODE_INPUT_H_
#define PARXZ_PARALLEL_DECODE_INPUT_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "parallel/fd_io.h"  // ReadFully, WriteFully

namespace parxz {

// A regular file mapped read-only, or nothing when mapping is not possible
// (pipes, empty files, devices without mmap). Owns the mapping.
class MappedFile {
 public:
  // Maps all of `fd` if it is a regular (or block) file; the result is empty
  // (valid() false) otherwise. Does not take ownership of `fd`.
  static MappedFile Map(int fd);
  MappedFile() = default;
  ~MappedFile();
  MappedFile(MappedFile&& other) noexcept;
  MappedFile& operator=(MappedFile&& other) noexcept;

  bool valid() const { return data_ != nullptr || mapped_empty_; }
  std::span<const uint8_t> bytes() const { return {data_, size_}; }

 private:
  const uint8_t* data_ = nullptr;
  size_t size_ = 0;
  bool mapped_empty_ =
      false;  // a regular file of size 0: valid, nothing mapped
};

class DecodeInput {
 public:
  // All bytes are in memory; the caller keeps them alive.
  explicit DecodeInput(std::span<const uint8_t> bytes, uint64_t start = 0);
  // Reads `fd` (not owned) with read() as bytes are needed.
  explicit DecodeInput(int fd);

  DecodeInput(const DecodeInput&) = delete;
  DecodeInput& operator=(const DecodeInput&) = delete;

  // Makes at least `n` bytes available at data() unless the input ends
  // first; returns how many are available (all the rest for memory inputs).
  // Throws Error(kIo) when read() fails.
  size_t Ensure(size_t n);
  const uint8_t* data() const { return ptr_ + begin_; }
  // Bytes available at data() without reading.
  size_t available() const { return end_ - begin_; }
  void Consume(size_t n);
  // True when nothing more can be read beyond the available bytes.
  bool exhausted() const { return memory_ || eof_; }
  // Ensure(1) == 0.
  bool AtEnd() { return Ensure(1) == 0; }

  // The next `n` bytes (fewer at the end of the input), consumed: a view into
  // memory inputs, else copied into `owned` (reused; grows as needed).
  std::span<const uint8_t> Take(size_t n, std::vector<uint8_t>& owned);

  uint64_t offset() const { return offset_; }
  bool in_memory() const { return memory_; }
  // Memory inputs only: the whole buffer and moving back or forth in it.
  std::span<const uint8_t> whole() const { return {base_, size_}; }
  void Seek(uint64_t offset);

 private:
  // ptr_[begin_, end_) are the available bytes. Memory: ptr_ = base_,
  // end_ = size_. Stream: ptr_ = buffer_.data(), bytes read not consumed yet.
  bool memory_ = false;
  const uint8_t* base_ = nullptr;
  size_t size_ = 0;
  int fd_ = -1;
  bool eof_ = false;
  std::vector<uint8_t> buffer_;
  const uint8_t* ptr_ = nullptr;
  size_t begin_ = 0;
  size_t end_ = 0;
  uint64_t offset_ = 0;
};

}  // namespace parxz

#endif  // PARXZ_PARALLEL_DECODE_INPUT_H_
