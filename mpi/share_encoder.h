// Encodes one rank's Blocks on the rank's own cores, with parallel/'s
// BlockEncoder, so that every Block is byte-identical to the one single-node
// parxz (and `xz -T`) writes for the same bytes and options.
//
//   ShareEncoder enc(ResolveParallelOptions(options));  // threads per rank
//   EncodedBlocks out;
//   enc.Encode(spans_of_blocks, out);   // appends, in order
//   out.records   // for the Index; out.pieces() for the collective write
//
// Internal to mpi/. Unlike ParallelCompressor, every compressed Block of
// the rank is kept until the collective write: its file offset depends on
// the compressed size of every Block of every earlier rank. Memory:
// threads × (encoder + bound(block_size) scratch) + the compressed share.
#ifndef PARXZ_MPI_SHARE_ENCODER_H_
#define PARXZ_MPI_SHARE_ENCODER_H_

#include <oneapi/tbb/concurrent_queue.h>
#include <oneapi/tbb/task_arena.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <vector>

#include "core/options.h"
#include "parallel/common/threads.h"
#include "parallel/compress/block_encoder.h"
#include "parallel/compress/parallel_compressor.h"

namespace parxz::mpi {

// Called (from an encoding thread) before Block `block` (global number) is
// encoded; what it throws fails that Block. For tests that inject errors.
using BlockHook = std::function<void(uint64_t block)>;

// A rank's compressed Blocks in stream order.
struct EncodedBlocks {
  std::vector<std::unique_ptr<uint8_t[]>> data;
  std::vector<size_t> sizes;  // whole Blocks: header .. check, padded
  std::vector<BlockRecord> records;
  uint64_t bytes() const;
  std::vector<std::span<const uint8_t>> pieces() const;
};

// The liblzma filter chain and check that `resolved` options describe (as
// parallel_compressor.cc's Resolve(): the preset, or the custom chain).
LzmaFilters FiltersFor(const ParallelOptions& resolved);

class ShareEncoder {
 public:
  // `resolved`: ResolveParallelOptions()'s output.
  explicit ShareEncoder(const ParallelOptions& resolved,
                        BlockHook hook = nullptr);
  ~ShareEncoder();

  // Encodes `blocks` (each at most block_size bytes; global numbers from
  // `first_block` on) on `threads` threads and appends them to `out`.
  // Throws the first failing Block's Error (in order); the others stop.
  void Encode(const std::vector<std::span<const uint8_t>>& blocks,
              uint64_t first_block, EncodedBlocks& out);

 private:
  struct Worker {
    Worker(const lzma_filter* filters, lzma_check check, uint64_t block_size)
        : encoder(filters, check, block_size),
          scratch(BlockEncoder::OutputCapacity(block_size)) {}
    BlockEncoder encoder;
    ByteBuffer scratch;  // the bound, touched only as far as output goes
  };

  ParallelOptions options_;
  LzmaFilters filters_;
  lzma_check check_;
  BlockHook hook_;
  ThreadArena arena_;  // resolved.threads, also beyond the rank's CPUs
  // Idle workers; at most `threads` exist (one per running task).
  tbb::concurrent_queue<std::unique_ptr<Worker>> idle_;
};

}  // namespace parxz::mpi

#endif  // PARXZ_MPI_SHARE_ENCODER_H_
