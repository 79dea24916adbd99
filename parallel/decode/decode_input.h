// Where the parallel decoder reads compressed bytes from: a buffer in memory
// or a regular file (both through a ByteSource: seekable, size known), or a
// stream read with read() (a pipe, a terminal, a socket).
//
//   parxz::DecodeInput in(fd);               // or DecodeInput(source)
//   while (size_t n = in.Ensure(64 << 10)) { // n bytes at in.data()
//     use(in.data(), n);
//     in.Consume(n);
//   }
//
// Files are read with pread(), never mapped: a file that another process
// truncates while it is decoded gives a "truncated" error, not SIGBUS.
//
// Internal to parallel/. Offsets are absolute: bytes consumed since the start
// of the input. A DecodeInput is used by one thread at a time; views it hands
// out stay valid until the next Ensure/Consume/Take call, except views into a
// memory input, which live as long as the buffer.
#ifndef PARXZ_PARALLEL_DECODE_DECODE_INPUT_H_
#define PARXZ_PARALLEL_DECODE_DECODE_INPUT_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

namespace parxz {

// A caller's positioned read: copies up to dst.size() bytes from `offset` to
// `dst` and returns how many (fewer only at the end of the data; 0 there).
// Reports failure by throwing (parxz::Error, kIo, is what readers expect).
// ByteSource may call it from several threads at once.
using PositionedRead =
    std::function<size_t(uint64_t offset, std::span<uint8_t> dst)>;

// Bytes read at any offset: a buffer in memory (not owned), a regular or
// block file (descriptor not owned) read with pread(), or a caller's
// PositionedRead. Read() is const and may be called from several threads at
// once.
class ByteSource {
 public:
  explicit ByteSource(std::span<const uint8_t> bytes) : bytes_(bytes) {
    size_ = bytes.size();
  }
  // A source for `fd` if it is a regular or block file; nullopt otherwise
  // (pipes, terminals, sockets). The size is taken now.
  static std::optional<ByteSource> ForFd(int fd);
  // `size` bytes read through `read` (kept, shared by copies).
  static ByteSource ForReader(PositionedRead read, uint64_t size);

  uint64_t size() const { return size_; }
  bool in_memory() const { return fd_ < 0 && !reader_; }
  // Memory sources: all of the buffer (empty for files).
  std::span<const uint8_t> bytes() const { return bytes_; }
  // The `n` bytes at `offset`, fewer only where the input ends (also a file
  // shrunk since it was opened): a view into memory sources, else read into
  // `buf` (resized as needed). Throws Error(kIo) when pread() fails.
  std::span<const uint8_t> Read(uint64_t offset, size_t n,
                                std::vector<uint8_t>& buf) const;
  // The same bytes copied to `dst`; returns how many.
  size_t ReadInto(uint64_t offset, uint8_t* dst, size_t n) const;

 private:
  ByteSource() = default;
  std::span<const uint8_t> bytes_;
  int fd_ = -1;
  std::shared_ptr<const PositionedRead> reader_;
  uint64_t size_ = 0;
};

class DecodeInput {
 public:
  // All bytes are in memory; the caller keeps them alive.
  explicit DecodeInput(std::span<const uint8_t> bytes, uint64_t start = 0);
  // A seekable source from byte `start` on: memory or a file.
  explicit DecodeInput(const ByteSource& source, uint64_t start = 0);
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
  bool exhausted() const { return in_memory() || eof_; }
  // Ensure(1) == 0.
  bool AtEnd() { return Ensure(1) == 0; }

  // The next `n` bytes (fewer at the end of the input), consumed: a view into
  // memory inputs, else copied into `owned` (reused; grows as needed).
  std::span<const uint8_t> Take(size_t n, std::vector<uint8_t>& owned);

  uint64_t offset() const { return offset_; }
  // Blocks are views into the input, costing no memory of their own.
  bool in_memory() const { return source_ && source_->in_memory(); }
  // Memory and file inputs: all of the input, and moving back or forth in it.
  const ByteSource* source() const { return source_ ? &*source_ : nullptr; }
  void Seek(uint64_t offset);

 private:
  // Fills buffer_ from end_ on: read() for streams, pread() for files.
  size_t ReadMore();

  // ptr_[begin_, end_) are the available bytes. Memory: ptr_ = the buffer,
  // end_ = its size. Stream and file: ptr_ = buffer_.data(), bytes read not
  // consumed yet.
  std::optional<ByteSource> source_;  // memory and file inputs
  int fd_ = -1;                       // stream inputs
  bool eof_ = false;
  std::vector<uint8_t> buffer_;
  const uint8_t* ptr_ = nullptr;
  size_t begin_ = 0;
  size_t end_ = 0;
  uint64_t offset_ = 0;
};

}  // namespace parxz

#endif  // PARXZ_PARALLEL_DECODE_DECODE_INPUT_H_
