// Live progress of one CompressFd()/DecompressFd() call (or one
// ParallelCompressor), for a monitor thread such as `parxz -v`'s meter that
// redraws while Blocks are still being coded.
//
//   parxz::LiveProgress live;
//   std::thread meter([&] { ... live.in_bytes.load(relaxed) ... });
//   parxz::CompressFd(in, out, {.preset = 6, .live = &live});
//
// Who writes: the Block encoders and decoders on the worker threads (and the
// calling thread when it encodes), one relaxed fetch_add per counter after
// each piece of at most 1 MiB of input they hand liblzma, never per byte.
// Who reads: any thread, at any time, with relaxed loads; the values only
// grow. They count the bytes inside Blocks as the coders see them, so they
// run ahead of what has been written (Blocks come out in order), leave out
// the container's headers and Index, and a speculatively decoded Block that
// must be decoded again is counted twice: a display, not a total. The exact
// totals are the calls' stats and ProgressFn arguments. The object must
// outlive the call; the library never resets it.
#ifndef PARXZ_PARALLEL_COMMON_LIVE_PROGRESS_H_
#define PARXZ_PARALLEL_COMMON_LIVE_PROGRESS_H_

#include <atomic>
#include <cstdint>
#include <functional>

namespace parxz {

// The exact totals, in order: a call's progress callback (CompressFd,
// DecompressFd) gets the input bytes consumed and the output bytes written so
// far after each Block or piece; it returns false to cancel, and the call
// then throws ErrorCode::kCancelled. One call at a time.
using ProgressFn = std::function<bool(uint64_t in_bytes, uint64_t out_bytes)>;

struct LiveProgress {
  // Compressing: uncompressed bytes fed to the encoders; decompressing:
  // compressed Block bytes consumed by the decoders.
  std::atomic<uint64_t> in_bytes{0};
  // Compressing: compressed bytes the encoders produced; decompressing:
  // uncompressed bytes decoded.
  std::atomic<uint64_t> out_bytes{0};

  void Add(uint64_t in, uint64_t out) {
    if (in != 0) in_bytes.fetch_add(in, std::memory_order_relaxed);
    if (out != 0) out_bytes.fetch_add(out, std::memory_order_relaxed);
  }
};

}  // namespace parxz

#endif  // PARXZ_PARALLEL_COMMON_LIVE_PROGRESS_H_
