// RAII owner of one lzma_stream, whose big tables get huge pages
// (core/large_pages.h). Internal to parxz (core/ and parallel/).
//
// Spare streams, for small calls: a call that coded little with a small
// filter chain hands its stream on to the next call of the same role in the
// process, one spare per role (TakeSpareStream, KeepSpareStream). liblzma
// re-initialises a stream in place, reusing its allocations when the sizes
// match (clearing an encoder's hash table; a decoder's dictionary is only
// written), so the bytes and verdicts are the same. What it saves: a -6
// encoder maps, faults and unmaps 94 MiB of tables for every call, ~17% of
// a 4 KiB or 64 KiB call (a decoder, its dictionary's malloc and free:
// nothing measurable alone). The first stream of each role that could be
// kept is ended instead, so that malloc sees the big free that makes glibc
// stop trimming its heap on every free, as the standard module's calls do
// (lzma_stream.cc; bench/RESULTS.md "Session 11"). What a spare holds while
// idle: an encoder's hash table (16 MiB at -6) and the parts of its other
// tables the last call touched (about 9x its input); a decoder, what its
// last output touched of the dictionary (at most kSpareBytesMax).
#ifndef PARXZ_CORE_LZMA_STREAM_H_
#define PARXZ_CORE_LZMA_STREAM_H_

#include <lzma.h>

#include <cstdint>
#include <memory>

#include "core/large_pages.h"

namespace parxz {

class LzmaStream {
 public:
  LzmaStream() { strm_.allocator = LargePageLzmaAllocator(); }
  ~LzmaStream() { lzma_end(&strm_); }
  LzmaStream(const LzmaStream&) = delete;
  LzmaStream& operator=(const LzmaStream&) = delete;

  lzma_stream* get() { return &strm_; }
  lzma_stream* operator->() { return &strm_; }
  const lzma_stream* operator->() const { return &strm_; }

 private:
  lzma_stream strm_ = LZMA_STREAM_INIT;
};

enum class SpareRole { kEncoder, kDecoder };

// The rule for keeping a stream as a spare: every call it served took at
// most kSpareBytesMax bytes of input (an encoder) or gave that much output
// (a decoder), with at most kSpareMemoryMax of liblzma memory (presets 0-6
// to encode; any preset to decode).
inline constexpr uint64_t kSpareBytesMax = uint64_t{1} << 20;
inline constexpr uint64_t kSpareMemoryMax = uint64_t{100} << 20;

// The role's spare, or a new stream. Thread-safe.
std::unique_ptr<LzmaStream> TakeSpareStream(SpareRole role);
// Keeps `s` as the role's spare unless one is held already or it is the
// role's first (then it is ended). Only for a stream whose last call ended
// well and kept the rule.
void KeepSpareStream(SpareRole role, std::unique_ptr<LzmaStream> s);
// True while the process holds a spare for `role` (for tests).
bool SpareStreamHeld(SpareRole role);

}  // namespace parxz

#endif  // PARXZ_CORE_LZMA_STREAM_H_
