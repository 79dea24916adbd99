#include "parallel/decode/decode_sink.h"

#include <algorithm>
#include <new>

#include "parallel/common/fd_io.h"

namespace parxz {

void Sink::Rollback(uint64_t mark) { written_ = std::min(written_, mark); }

void StringSink::Write(const uint8_t* p, size_t n) {
  out_->append(reinterpret_cast<const char*>(p), n);
  written_ += n;
}

void StringSink::Reserve(uint64_t n) {
  if (n > (uint64_t{1} << 40) || n > out_->max_size()) return;
  try {
    out_->reserve(static_cast<size_t>(n));
  } catch (const std::bad_alloc&) {
  }
}

void StringSink::Rollback(uint64_t mark) {
  if (mark < out_->size()) out_->resize(mark);
  Sink::Rollback(mark);
}

void FdSink::Write(const uint8_t* p, size_t n) {
  WriteFully(fd_, p, n, written_);
  written_ += n;
}

}  // namespace parxz
