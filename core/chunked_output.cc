#include "core/chunked_output.h"

#include <algorithm>
#include <cstring>

namespace parxz {

std::span<uint8_t> ChunkedOutput::Space(size_t max) {
  if (max == 0) return {};
  if (chunks_.empty() || chunks_.back().used == chunks_.back().capacity) {
    const size_t capacity =
        std::min(max, std::clamp(size_, kFirstChunk, kMaxChunk));
    chunks_.push_back({AllocateLargeBytes(capacity), 0, capacity});
  }
  Chunk& c = chunks_.back();
  return {c.data.get() + c.used, std::min(max, c.capacity - c.used)};
}

void ChunkedOutput::Commit(size_t n) {
  if (n == 0) return;
  chunks_.back().used += n;
  size_ += n;
}

void ChunkedOutput::Append(const uint8_t* data, size_t n) {
  while (n > 0) {
    const std::span<uint8_t> space = Space(n);
    std::memcpy(space.data(), data, space.size());
    Commit(space.size());
    data += space.size();
    n -= space.size();
  }
}

void ChunkedOutput::CopyTo(uint8_t* dst) const {
  for (const Chunk& c : chunks_) {
    if (c.used == 0) continue;
    std::memcpy(dst, c.data.get(), c.used);
    dst += c.used;
  }
}

std::string ChunkedOutput::ToString() const {
  std::string s;
  s.reserve(size_);
  for (const Chunk& c : chunks_) {
    s.append(reinterpret_cast<const char*>(c.data.get()), c.used);
  }
  return s;
}

void ChunkedOutput::Clear() {
  chunks_.clear();
  size_ = 0;
}

}  // namespace parxz
