#include "parallel/decode/stream_writer.h"

#include <cstring>
#include <utility>

namespace parxz {

StreamWriter::StreamWriter(Sink& sink, size_t piece_size, size_t pieces)
    : sink_(sink), piece_size_(piece_size), slots_(pieces < 1 ? 1 : pieces) {
  thread_ = std::thread([this] { Run(); });
}

StreamWriter::~StreamWriter() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

std::span<uint8_t> StreamWriter::Piece() {
  {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return count_ < slots_.size() || error_; });
    if (error_) std::rethrow_exception(error_);
  }
  Slot& s = slots_[head_];
  if (!s.data) s.data.reset(new uint8_t[piece_size_]);
  return {s.data.get(), piece_size_};
}

void StreamWriter::Commit(size_t n) {
  if (n == 0) return;
  Piece();  // the slot exists and is free
  Slot& s = slots_[head_];
  s.size = n;
  committed_ += n;
  Push();
}

void StreamWriter::BeginCheck(lzma_check check) { pending_begin_ = check; }

void StreamWriter::EndCheck(const uint8_t* raw, Error mismatch) {
  Piece();
  Slot& s = slots_[head_];
  s.size = 0;
  s.end = true;
  std::memcpy(s.raw, raw, sizeof(s.raw));
  s.mismatch.emplace(std::move(mismatch));
  Push();
}

void StreamWriter::Push() {
  Slot& s = slots_[head_];
  s.begin = pending_begin_;
  pending_begin_.reset();
  head_ = (head_ + 1) % slots_.size();
  {
    std::lock_guard<std::mutex> lock(mu_);
    ++count_;
  }
  cv_.notify_all();
}

void StreamWriter::Drain() {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait(lock, [&] { return count_ == 0; });
  if (error_) std::rethrow_exception(error_);
}

void StreamWriter::Run() {
  for (;;) {
    Slot* s = nullptr;
    bool failed = false;
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [&] { return count_ > 0 || stop_; });
      if (stop_) return;  // pending pieces are dropped
      s = &slots_[tail_];
      failed = error_ != nullptr;
    }
    std::exception_ptr error;
    if (!failed) {
      try {
        Process(*s);
      } catch (...) {
        error = std::current_exception();
      }
    }
    s->size = 0;
    s->begin.reset();
    s->end = false;
    s->mismatch.reset();
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (error && !error_) error_ = error;
      tail_ = (tail_ + 1) % slots_.size();
      --count_;
    }
    cv_.notify_all();
  }
}

void StreamWriter::Process(Slot& s) {
  if (s.begin) check_ = BlockCheck(*s.begin);
  if (s.size > 0) {
    check_.Update(s.data.get(), s.size);
    sink_.Write(s.data.get(), s.size);
  }
  if (s.end) {
    const bool bad = !check_.Matches(s.raw);
    check_ = BlockCheck();
    if (bad) throw *s.mismatch;
  }
}

}  // namespace parxz
