#include "parallel/decode/decode_input.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

#include "core/error.h"
#include "parallel/common/fd_io.h"

namespace parxz {

namespace {

// Reads in pieces of this size: few system calls, little memory.
constexpr size_t kReadSize = 1 << 20;

}  // namespace

std::optional<ByteSource> ByteSource::ForFd(int fd) {
  struct stat st;
  if (fstat(fd, &st) != 0) return std::nullopt;
  ByteSource src;
  if (S_ISREG(st.st_mode)) {
    src.size_ = static_cast<uint64_t>(st.st_size);
  } else if (S_ISBLK(st.st_mode)) {
    // The size of a device is where its end is; the position is put back
    // (callers decode from it).
    const off_t here = lseek(fd, 0, SEEK_CUR);
    const off_t end = lseek(fd, 0, SEEK_END);
    if (here >= 0) lseek(fd, here, SEEK_SET);
    if (end < 0 || here < 0) return std::nullopt;
    src.size_ = static_cast<uint64_t>(end);
  } else {
    return std::nullopt;
  }
  src.fd_ = fd;
  return src;
}

ByteSource ByteSource::ForReader(PositionedRead read, uint64_t size) {
  ByteSource src;
  src.reader_ = std::make_shared<const PositionedRead>(std::move(read));
  src.size_ = size;
  return src;
}

size_t ByteSource::ReadInto(uint64_t offset, uint8_t* dst, size_t n) const {
  if (offset >= size_) return 0;
  n = static_cast<size_t>(std::min<uint64_t>(n, size_ - offset));
  if (reader_) {
    // Short only where the caller's data ends (shorter than it said).
    size_t got = 0;
    while (got < n) {
      const size_t k = (*reader_)(offset + got, {dst + got, n - got});
      if (k == 0) break;
      if (k > n - got) {
        throw Error(ErrorCode::kIo, "read",
                    "the positioned read returned more bytes than asked for");
      }
      got += k;
    }
    return got;
  }
  if (fd_ < 0) {
    std::memcpy(dst, bytes_.data() + offset, n);
    return n;
  }
  // Short only when the file is shorter than it was.
  return PreadFully(fd_, dst, n, offset);
}

std::span<const uint8_t> ByteSource::Read(uint64_t offset, size_t n,
                                          std::vector<uint8_t>& buf) const {
  if (offset >= size_) return {};
  n = static_cast<size_t>(std::min<uint64_t>(n, size_ - offset));
  if (in_memory()) return bytes_.subspan(static_cast<size_t>(offset), n);
  if (buf.size() < n) buf.resize(n);
  return {buf.data(), ReadInto(offset, buf.data(), n)};
}

DecodeInput::DecodeInput(std::span<const uint8_t> bytes, uint64_t start)
    : DecodeInput(ByteSource(bytes), start) {}

DecodeInput::DecodeInput(const ByteSource& source, uint64_t start)
    : source_(source) {
  Seek(start);
}

DecodeInput::DecodeInput(int fd) : fd_(fd) {}

size_t DecodeInput::ReadMore() {
  const uint64_t at = offset_ + (end_ - begin_);
  if (source_) {
    return source_->ReadInto(at, buffer_.data() + end_, buffer_.size() - end_);
  }
  return ReadSome(fd_, buffer_.data() + end_, buffer_.size() - end_, at);
}

size_t DecodeInput::Ensure(size_t n) {
  if (in_memory() || end_ - begin_ >= n || eof_) return end_ - begin_;
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
    const size_t r = ReadMore();
    if (r == 0) eof_ = true;
    end_ += r;
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
  if (in_memory()) {
    const size_t k = std::min(n, end_ - begin_);
    std::span<const uint8_t> view(ptr_ + begin_, k);
    Consume(k);
    return view;
  }
  if (owned.size() < n) owned.resize(n);
  // What is buffered first, then straight from the input.
  const size_t buffered = std::min(n, end_ - begin_);
  std::memcpy(owned.data(), ptr_ + begin_, buffered);
  Consume(buffered);
  size_t got = buffered;
  if (got < n && !eof_) {
    const size_t more =
        source_ ? source_->ReadInto(offset_, owned.data() + got, n - got)
                : ReadFully(fd_, owned.data() + got, n - got, offset_);
    if (more < n - got) eof_ = true;
    got += more;
    offset_ += more;
  }
  return {owned.data(), got};
}

void DecodeInput::Seek(uint64_t offset) {
  if (!source_) {
    throw Error(ErrorCode::kInternal, "decompress", "Seek on a stream input");
  }
  offset_ = std::min(offset, source_->size());
  eof_ = false;
  if (in_memory()) {
    // The whole buffer is available from `offset` on.
    ptr_ = source_->bytes().data();
    begin_ = static_cast<size_t>(offset_);
    end_ = source_->bytes().size();
  } else {
    begin_ = end_ = 0;  // read again from offset_
  }
}

}  // namespace parxz
