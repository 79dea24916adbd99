#include "parallel/decode_input.h"

#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>
#include <utility>

#include "core/error.h"

namespace parxz {

namespace {

// Reads from pipes in pieces of this size: few system calls, little memory.
constexpr size_t kReadSize = 1 << 20;

}  // namespace

MappedFile MappedFile::Map(int fd) {
  MappedFile m;
  struct stat st;
  if (fstat(fd, &st) != 0) return m;
  uint64_t size = 0;
  if (S_ISREG(st.st_mode)) {
    size = static_cast<uint64_t>(st.st_size);
  } else if (S_ISBLK(st.st_mode)) {
    const off_t end = lseek(fd, 0, SEEK_END);
    if (end < 0) return m;
    size = static_cast<uint64_t>(end);
  } else {
    return m;
  }
  if (size == 0) {
    m.mapped_empty_ = true;
    return m;
  }
  if (size > SIZE_MAX) return m;
  void* p =
      mmap(nullptr, static_cast<size_t>(size), PROT_READ, MAP_PRIVATE, fd, 0);
  if (p == MAP_FAILED) return m;
  // The decoder reads Blocks in order, each worker its own range.
  madvise(p, static_cast<size_t>(size), MADV_SEQUENTIAL);
  m.data_ = static_cast<const uint8_t*>(p);
  m.size_ = static_cast<size_t>(size);
  return m;
}

MappedFile::~MappedFile() {
  if (data_ != nullptr) munmap(const_cast<uint8_t*>(data_), size_);
}

MappedFile::MappedFile(MappedFile&& other) noexcept
    : data_(std::exchange(other.data_, nullptr)),
      size_(std::exchange(other.size_, 0)),
      mapped_empty_(std::exchange(other.mapped_empty_, false)) {}

MappedFile& MappedFile::operator=(MappedFile&& other) noexcept {
  if (this != &other) {
    if (data_ != nullptr) munmap(const_cast<uint8_t*>(data_), size_);
    data_ = std::exchange(other.data_, nullptr);
    size_ = std::exchange(other.size_, 0);
    mapped_empty_ = std::exchange(other.mapped_empty_, false);
  }
  return *this;
}

DecodeInput::DecodeInput(std::span<const uint8_t> bytes, uint64_t start)
    : memory_(true),
      base_(bytes.data()),
      size_(bytes.size()),
      ptr_(bytes.data()),
      begin_(std::min<uint64_t>(start, bytes.size())),
      end_(bytes.size()),
      offset_(begin_) {}

DecodeInput::DecodeInput(int fd) : fd_(fd) {}

size_t DecodeInput::Ensure(size_t n) {
  if (memory_ || end_ - begin_ >= n || eof_) return end_ - begin_;
  // Move the unconsumed bytes to the front and make room for at least n.
  const size_t have = end_ - begin_;
  if (begin_ > 0) {
    std::memmove(buffer_.data(), buffer_.data() + begin_, have);
    begin_ = 0;
    end_ = have;
  }
  const size_t want = std::max(n, kReadSize);
  if (buffer_.size() < want) buffer_.resize(want);
  ptr_ = buffer_.data();
  // One read() at a time, as much as the descriptor has: a pipe whose
  // writer is slow is not waited on for more than `n` bytes.
  while (end_ < n && !eof_) {
    const ssize_t r = ::read(fd_, buffer_.data() + end_, buffer_.size() - end_);
    if (r < 0) {
      if (errno == EINTR) continue;
      throw Error(ErrorCode::kIo, "read",
                  std::strerror(errno) + std::string(" (at input byte ") +
                      std::to_string(offset_ + (end_ - begin_)) + ")");
    }
    if (r == 0) eof_ = true;
    end_ += static_cast<size_t>(r);
  }
  return end_ - begin_;
}

void DecodeInput::Consume(size_t n) {
  n = std::min(n, end_ - begin_);
  begin_ += n;
  offset_ += n;
}

std::span<const uint8_t> DecodeInput::Take(size_t n,
                                           std::vector<uint8_t>& owned) {
  if (memory_) {
    const size_t k = std::min(n, end_ - begin_);
    std::span<const uint8_t> view(ptr_ + begin_, k);
    Consume(k);
    return view;
  }
  if (owned.size() < n) owned.resize(n);
  // What is buffered first, then straight from the descriptor.
  const size_t buffered = std::min(n, end_ - begin_);
  std::memcpy(owned.data(), ptr_ + begin_, buffered);
  Consume(buffered);
  size_t got = buffered;
  if (got < n && !eof_) {
    const size_t more = ReadFully(fd_, owned.data() + got, n - got, offset_);
    if (more < n - got) eof_ = true;
    got += more;
    offset_ += more;
  }
  return {owned.data(), got};
}

void DecodeInput::Seek(uint64_t offset) {
  if (!memory_) {
    throw Error(ErrorCode::kInternal, "decompress", "Seek on a stream input");
  }
  begin_ = static_cast<size_t>(std::min<uint64_t>(offset, size_));
  offset_ = begin_;
}

}  // namespace parxz
