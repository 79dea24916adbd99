#include "parallel/threaded_decompressor.h"

#include <utility>

namespace parxz {

// First version: every stream goes the sequential path.
struct ThreadedDecompressor::State {
  explicit State(const ThreadedDecompressOptions& o) : seq(o.base) {}
  Decompressor seq;
};

ThreadedDecompressor::ThreadedDecompressor(const ThreadedDecompressOptions& o)
    : state_(std::make_unique<State>(o)) {}
ThreadedDecompressor::~ThreadedDecompressor() = default;
ThreadedDecompressor::ThreadedDecompressor(ThreadedDecompressor&&) noexcept =
    default;
ThreadedDecompressor& ThreadedDecompressor::operator=(
    ThreadedDecompressor&&) noexcept = default;

std::string ThreadedDecompressor::decompress(std::string_view data,
                                             int64_t max_length) {
  return state_->seq.decompress(data, max_length);
}
size_t ThreadedDecompressor::decompress_into(std::string_view data,
                                             std::span<uint8_t> out) {
  return state_->seq.decompress_into(data, out);
}
bool ThreadedDecompressor::eof() const { return state_->seq.eof(); }
bool ThreadedDecompressor::needs_input() const {
  return state_->seq.needs_input();
}
const std::string& ThreadedDecompressor::unused_data() const {
  return state_->seq.unused_data();
}
Check ThreadedDecompressor::check() const { return state_->seq.check(); }
uint64_t ThreadedDecompressor::total_in() const {
  return state_->seq.total_in();
}
uint64_t ThreadedDecompressor::total_out() const {
  return state_->seq.total_out();
}
ThreadedDecodeStats ThreadedDecompressor::stats() const {
  ThreadedDecodeStats s;
  s.sequential = true;
  return s;
}

}  // namespace parxz
