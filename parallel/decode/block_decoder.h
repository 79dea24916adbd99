// Decoding .xz Block data: the one Block decode routine that every parallel
// decoder calls (the file decoder's pipeline, the threaded incremental
// decoder's window, random access and mpi/'s reader), the one verdict on
// what a Block promised, and a small pool of reusable decoders.
//
//   BlockDecoder d;                                      // reused across
//   Blocks BlockResult r = d.Decode(&head, {.in = after_header,
//                                    .promise = BlockPromise::FromHeader(head),
//                                    .out = BlockOutput::Into(span)});
//   if (r.ret != LZMA_STREAM_END) throw BlockError(r.ret, head, ...);
//   // or in pieces, resuming where the last call stopped (streaming users):
//   d.Start(&head);
//   r = d.Code(in_piece, out_piece);
//
// Decode() starts the Block, feeds its input in pieces of at most kPiece
// bytes (so that a cancel request is seen and live progress moves within
// one piece), writes the output as the caller's policy says (a caller's
// span, a buffer grown as the data decodes, or nowhere), and gives one
// verdict (BlockVerdict): the Block ended, with its Check verified, exactly
// where its header or the Index promised; or the input ended first; or it
// was cancelled; or liblzma's error.
//
// Internal to parallel/ and its drivers (mpi/). A BlockDecoder is used by
// one thread at a time; the pool may be used from any number of threads.
#ifndef PARXZ_PARALLEL_DECODE_BLOCK_DECODER_H_
#define PARXZ_PARALLEL_DECODE_BLOCK_DECODER_H_

#include <lzma.h>
#include <oneapi/tbb/concurrent_queue.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

#include "core/lzma_stream.h"
#include "parallel/common/byte_buffer.h"
#include "parallel/common/live_progress.h"
#include "parallel/decode/xz_parser.h"

namespace parxz {

// What one piece of decoding (or one whole Decode()) did.
struct BlockResult {
  // Code(): LZMA_STREAM_END: the Block ended, its Check verified; LZMA_OK:
  // input or output space ran out first (or the coder needs another call);
  // anything else: liblzma's verdict, errors and the informational
  // LZMA_GET_CHECK / LZMA_NO_CHECK / LZMA_UNSUPPORTED_CHECK alike.
  // Decode(): BlockVerdict()'s.
  lzma_ret ret = LZMA_OK;
  size_t consumed = 0;     // input bytes used
  uint64_t produced = 0;   // output bytes
  bool cancelled = false;  // Decode() stopped on a cancel request (ret OK)
};

// The loop: lzma_code(`s`, `action`) over `in` into `out` until the stream
// ends, liblzma returns anything but LZMA_OK, or a call makes no progress
// (input or output space ran out; lzma_code's LZMA_BUF_ERROR, "no progress
// twice", is reported as LZMA_OK with what was done). Resumable: call again
// with the rest of the input and more output space. Leaves no pointers into
// `in` or `out` in `s`.
BlockResult CodeSome(lzma_stream* s, std::span<const uint8_t> in,
                     std::span<uint8_t> out, lzma_action action = LZMA_RUN);

// The sizes a Block promised, in its Block Header or in the Index; unknown
// ones are LZMA_VLI_UNKNOWN.
struct BlockPromise {
  uint64_t in = LZMA_VLI_UNKNOWN;   // bytes after the header, through the Check
  uint64_t out = LZMA_VLI_UNKNOWN;  // uncompressed bytes
  // What `head` records (the Index's sizes, once ParseIndexedBlockHeader
  // wrote them in).
  static BlockPromise FromHeader(const BlockHead& head);
};

// The verdict on a Block decoded from its start, in one place: `r` as the
// decoding left it, `input_complete` when it was given all the bytes the
// promise counts (so stopping short is corruption, not "more"):
//   LZMA_STREAM_END  ended, Check verified, sizes as promised;
//   LZMA_OK          the input ended (or r.cancelled) before the Block did;
//   LZMA_DATA_ERROR  ended elsewhere than promised, or stopped short with
//                    all its input (or its output space full);
//   anything else    liblzma's error, unchanged.
lzma_ret BlockVerdict(const BlockResult& r, const BlockPromise& promise,
                      bool input_complete);

// Where Decode() puts a Block's output.
struct BlockOutput {
  enum class Kind { kInto, kGrow, kDiscard };
  // Into the caller's memory; a Block larger than it stops there.
  static BlockOutput Into(std::span<uint8_t> span) {
    return {Kind::kInto, span, nullptr};
  }
  // Into `buffer`, grown as the data decodes (at most to the promised size
  // when there is one), so a header that lies costs only what its data
  // really decodes to. On return its size() is the bytes produced, also
  // after an error: the part of a bad Block before the error.
  static BlockOutput Grow(ByteBuffer* buffer) {
    return {Kind::kGrow, {}, buffer};
  }
  // Nowhere (verification): the decoder's own scratch memory.
  static BlockOutput Discard() { return {Kind::kDiscard, {}, nullptr}; }

  Kind kind = Kind::kDiscard;
  std::span<uint8_t> span;
  ByteBuffer* buffer = nullptr;
};

// One Block for Decode().
struct BlockRequest {
  // The bytes after the Block Header: all of the Block unless the input
  // ended inside it.
  std::span<const uint8_t> in;
  BlockPromise promise;
  BlockOutput out = BlockOutput::Discard();
  // Cancel requests, polled between pieces (either one set stops it):
  // the caller's and the driver's own. Not owned; may be null.
  const std::atomic<bool>* cancel = nullptr;
  const std::atomic<bool>* halt = nullptr;
  // Live counters the decoder adds each piece to; may be null.
  LiveProgress* live = nullptr;
};

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

  // The routine: Start(head), then Code() over req.in in pieces of at most
  // kPiece bytes into req.out, until the Block ends, an error, a cancel
  // request, or no progress; then BlockVerdict() with req.promise
  // (input_complete when req.in holds all that the promise counts).
  BlockResult Decode(BlockHead* head, const BlockRequest& req);

  // An output buffer of kScratchSize bytes, kept across Blocks.
  uint8_t* scratch();
  static constexpr size_t kScratchSize = 1 << 20;
  // Input per lzma_code() loop in Decode(): how far a cancel request or the
  // live counters can lag.
  static constexpr size_t kPiece = 1 << 20;
  // Output per lzma_code() loop: the same bound for data that compresses
  // well (a MiB of input can be GiBs of zeros). At 1 MiB a cancel request
  // is seen within ~30 ms of decoding even at -9 (~35 MB/s here).
  static constexpr size_t kOutPiece = 1 << 20;

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

#endif  // PARXZ_PARALLEL_DECODE_BLOCK_DECODER_H_
