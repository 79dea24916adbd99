// Decoding .xz Block data: the one resumable lzma_code() loop of the parallel
// decoder and random access, a reusable Block decoder, and a small pool of
// them.
//
//   BlockDecoder d;                                   // reused across Blocks
//   BlockResult r = d.Decode(&head, after_header, out);   // a whole Block
//   // or in pieces, resuming where the last call stopped:
//   d.Start(&head);
//   r = d.Code(in_piece, out_piece);
//
// Internal to parallel/. A BlockDecoder is used by one thread at a time; the
// pool may be used from any number of threads.
#ifndef PARXZ_PARALLEL_BLOCK_DECODER_H_
#define PARXZ_PARALLEL_BLOCK_DECODER_H_

#include <lzma.h>
#include <oneapi/tbb/concurrent_queue.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

#include "core/lzma_stream.h"
#include "parallel/live_progress.h"
#include "parallel/xz_parser.h"

namespace parxz {

// What one piece of decoding did.
struct BlockResult {
  // LZMA_STREAM_END: the stream (Block) ended, its Check verified; LZMA_OK:
  // input or output space ran out first (or the coder needs another call);
  // anything else: liblzma's verdict, errors and the informational
  // LZMA_GET_CHECK / LZMA_NO_CHECK / LZMA_UNSUPPORTED_CHECK alike.
  lzma_ret ret = LZMA_OK;
  size_t consumed = 0;    // input bytes used
  uint64_t produced = 0;  // output bytes
};

// The loop: lzma_code(`s`, `action`) over `in` into `out` until the stream
// ends, liblzma returns anything but LZMA_OK, or a call makes no progress
// (input or output space ran out; lzma_code's LZMA_BUF_ERROR, "no progress
// twice", is reported as LZMA_OK with what was done). Resumable: call again
// with the rest of the input and more output space. Leaves no pointers into
// `in` or `out` in `s`.
BlockResult CodeSome(lzma_stream* s, std::span<const uint8_t> in,
                     std::span<uint8_t> out, lzma_action action = LZMA_RUN);

// One reusable lzma_stream for Blocks: re-initialising it for the next Block
// keeps the LZMA2 dictionary allocation when the size does not change.
class BlockDecoder {
 public:
  BlockDecoder() = default;
  BlockDecoder(const BlockDecoder&) = delete;
  BlockDecoder& operator=(const BlockDecoder&) = delete;

  // Starts a Block (head->block with its filters; frees them afterwards).
  lzma_ret Start(BlockHead* head);
  // CodeSome() on the started Block: the bytes after the Block Header, in
  // pieces, and output space, in pieces.
  BlockResult Code(std::span<const uint8_t> in, std::span<uint8_t> out) {
    return CodeSome(strm_.get(), in, out);
  }

  // Start() and Code() over all of `in`, into `out`; when `out` is empty the
  // output goes to scratch() and is dropped (verification only). Stops at the
  // end of the Block, on an error, or when input or output space run out.
  // With `live`, the input goes to liblzma in kScratchSize pieces and each
  // piece's bytes are added to it.
  BlockResult Decode(BlockHead* head, std::span<const uint8_t> in,
                     std::span<uint8_t> out, LiveProgress* live = nullptr);

  // An output buffer of kScratchSize bytes, kept across Blocks.
  uint8_t* scratch();
  static constexpr size_t kScratchSize = 1 << 20;

 private:
  LzmaStream strm_;
  std::unique_ptr<uint8_t[]> scratch_;
};

// Idle BlockDecoders, taken and given back by any thread. Ours rather than
// tbb::enumerable_thread_specific because decoders outlive a task (random
// access keeps one inside a partly read Block across calls) and because a
// run must be able to drop the idle ones beyond its thread count (their
// dictionaries are memory the run's plan does not count), while TBB may run
// a run's tasks on any of its workers.
class BlockDecoderPool {
 public:
  // An idle decoder, or a new one.
  std::unique_ptr<BlockDecoder> Acquire();
  void Release(std::unique_ptr<BlockDecoder> decoder);
  // Frees idle decoders until at most `n` are left. Not concurrently with
  // Acquire/Release.
  void Trim(size_t n);

 private:
  tbb::concurrent_queue<std::unique_ptr<BlockDecoder>> idle_;
};

}  // namespace parxz

#endif  // PARXZ_PARALLEL_BLOCK_DECODER_H_
