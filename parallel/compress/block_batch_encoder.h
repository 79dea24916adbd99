// Encodes runs of Blocks held in memory on `threads` threads and hands them
// back in order, for drivers that cut and place Blocks themselves: mpi/
// encodes each rank's share of a stream's Blocks with it. The Blocks are
// ParallelCompressor's byte for byte: the same options resolution
// (ResolveCompression), the same BlockEncoder, the same in-order window
// (parallel/common/in_order_window.h).
//
//   BlockBatchEncoder enc(ResolveCompression(options));
//   enc.Encode(blocks, /*first=*/0,
//              [&](std::span<const uint8_t> block, const BlockRecord& r) {
//                Keep(block, r);          // on this thread, in order
//              });
//
// A public seam of parallel/ for mpi/ (BUILD makes it visible to //mpi).
// Errors stick: after a Block failed, Encode() throws that error again. One
// thread at a time calls Encode(); the hook runs on the encoding threads.
// Memory: threads × encoder (~95 MiB at -6) + max_blocks_in_flight ×
// OutputCapacity(block_size) output buffers, of which only the pages that
// compressed bytes touch become resident; the input is the caller's.
#ifndef PARXZ_PARALLEL_COMPRESS_BLOCK_BATCH_ENCODER_H_
#define PARXZ_PARALLEL_COMPRESS_BLOCK_BATCH_ENCODER_H_

#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <span>

#include "parallel/common/in_order_window.h"
#include "parallel/compress/block_encoder.h"
#include "parallel/compress/parallel_compressor.h"

namespace parxz {

class BlockBatchEncoder {
 public:
  // Called on an encoding thread before Block number `block` (see Encode's
  // `first`) is encoded; what it throws fails that Block. For tests that
  // inject errors.
  using BlockHook = std::function<void(uint64_t block)>;
  // Called on Encode()'s thread for each finished Block, in order: its
  // bytes (header to Check, padded; valid during the call) and its record.
  using TakeBlock =
      std::function<void(std::span<const uint8_t> block, const BlockRecord&)>;

  // `resolved`: ResolveCompression()'s; runs on resolved.options.threads
  // threads (also beyond the CPUs) with max_blocks_in_flight Blocks at most
  // between encoding and `take`.
  explicit BlockBatchEncoder(ResolvedCompression resolved,
                             BlockHook hook = nullptr);
  ~BlockBatchEncoder();
  BlockBatchEncoder(const BlockBatchEncoder&) = delete;
  BlockBatchEncoder& operator=(const BlockBatchEncoder&) = delete;

  const ParallelOptions& options() const { return r_.options; }
  lzma_check check() const { return r_.check; }

  // Encodes `blocks` (each at most block_size bytes; numbers `first`,
  // first + 1, ... for the hook) and gives each to `take` in order. Throws
  // the first failing Block's Error in stream order, after `take` got every
  // Block before it; the later Blocks are cancelled. What `take` throws
  // fails the call the same way.
  void Encode(std::span<const std::span<const uint8_t>> blocks, uint64_t first,
              const TakeBlock& take);

 private:
  // One Block in the window: the owner sets `input`/`number` and takes
  // `output`/`record` back once done; the encoding thread writes those.
  struct Job {
    std::span<const uint8_t> input;
    uint64_t number = 0;
    std::unique_ptr<ByteBuffer> output;  // made by the owner on first use
    BlockRecord record;
  };
  void Run(Job& job);

  const ResolvedCompression r_;  // read by every thread
  const BlockHook hook_;
  BlockEncoderPool encoders_;
  std::exception_ptr error_;  // owner only: the first failure, sticky
  // Last: its jobs touch the members above (destroyed first, it cancels).
  InOrderWindow<Job> window_;
};

}  // namespace parxz

#endif  // PARXZ_PARALLEL_COMPRESS_BLOCK_BATCH_ENCODER_H_
