// Encodes one rank's Blocks on the rank's own cores with parallel/'s
// BlockBatchEncoder (the compressor's options resolution, BlockEncoder and
// in-order window), so that every Block is byte-identical to the one
// single-node parxz (and `xz -T`) writes for the same bytes and options.
//
//   ShareEncoder enc(options);          // threads per rank
//   EncodedBlocks out;
//   enc.Encode(spans_of_blocks, first_block, out);   // appends, in order
//   out.records   // for the Index; out.pieces() for the collective write
//
// Internal to mpi/. Unlike ParallelCompressor, every compressed Block of
// the rank is kept until the collective write: its file offset depends on
// the compressed size of every Block of every earlier rank. Memory:
// BlockBatchEncoder's (threads × encoder + max_blocks_in_flight output
// buffers) + the compressed share.
#ifndef PARXZ_MPI_SHARE_ENCODER_H_
#define PARXZ_MPI_SHARE_ENCODER_H_

#include <lzma.h>

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "parallel/compress/block_batch_encoder.h"
#include "parallel/compress/block_encoder.h"
#include "parallel/compress/parallel_compressor.h"

namespace parxz::mpi {

// Called (from an encoding thread) before Block `block` (global number) is
// encoded; what it throws fails that Block. For tests that inject errors.
using BlockHook = BlockBatchEncoder::BlockHook;

// A rank's compressed Blocks in stream order.
struct EncodedBlocks {
  std::vector<std::unique_ptr<uint8_t[]>> data;
  std::vector<size_t> sizes;  // whole Blocks: header .. check, padded
  std::vector<BlockRecord> records;
  uint64_t bytes() const;
  std::vector<std::span<const uint8_t>> pieces() const;
};

class ShareEncoder {
 public:
  // Resolves `options` (ResolveCompression); throws as it does.
  explicit ShareEncoder(const ParallelOptions& options,
                        BlockHook hook = nullptr);

  // The resolved options and their check.
  const ParallelOptions& options() const { return batch_.options(); }
  lzma_check check() const { return batch_.check(); }

  // Encodes `blocks` (each at most block_size bytes; global numbers from
  // `first_block` on) and appends them to `out`, each copied to its own
  // size. Throws the first failing Block's Error (in order), then again.
  void Encode(const std::vector<std::span<const uint8_t>>& blocks,
              uint64_t first_block, EncodedBlocks& out);

 private:
  BlockBatchEncoder batch_;
};

}  // namespace parxz::mpi

#endif  // PARXZ_MPI_SHARE_ENCODER_H_
