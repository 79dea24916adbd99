// Encodes one .xz Block exactly as liblzma's multi-threaded encoder does, so
// that the Blocks parxz writes are byte-identical to `xz -T`'s.
//
//   BlockEncoderPool pool(r.filters.get(), r.check, r.options.block_size);
//   ByteBuffer out(BlockEncoder::OutputCapacity(r.options.block_size));
//   BlockRecord rec;
//   pool.With([&](BlockEncoder& e) {              // on any thread
//     MemoryBlockInput in(bytes);
//     rec = e.Encode(in, out, &cancel);
//   });
//   assembler.AddBlock(rec);                       // stream_assembler.h
//   file_offset += rec.total_size();
//
// A public seam of parallel/ for the drivers that place Blocks themselves
// (mpi/, through parallel/compress/block_batch_encoder.h; BUILD makes it
// visible to //mpi and tests/parallel, nothing else outside parallel/). Each
// encoding task borrows a BlockEncoder from a BlockEncoderPool and gives it
// back, so encoders live across Blocks: liblzma re-initialises the lzma_stream
// in place and reuses the match finder (~94 MiB at -6) when the options match.
// A BlockEncoder is not thread-safe (one Block at a time); the pool is.
//
// Small calls: an encoder whose Blocks were all small, with a small filter
// chain, leaves its liblzma stream to the next BlockEncoder of the process
// (core/lzma_stream.h's spare rule, the bytes the same).
#ifndef PARXZ_PARALLEL_COMPRESS_BLOCK_ENCODER_H_
#define PARXZ_PARALLEL_COMPRESS_BLOCK_ENCODER_H_

#include <lzma.h>
#include <oneapi/tbb/concurrent_queue.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>

#include "core/lzma_stream.h"
#include "parallel/common/byte_buffer.h"
#include "parallel/common/live_progress.h"

namespace parxz {

// Where a Block's uncompressed bytes come from: memory, or a range of a
// regular file read piece by piece (so that no Block-sized buffer is needed:
// liblzma copies input into its own dictionary window anyway).
class BlockInput {
 public:
  virtual ~BlockInput() = default;
  virtual uint64_t size() const = 0;
  // Up to `max` bytes starting at `offset` (< size()); the view stays valid
  // until the next call. Throws Error(kIo) when the bytes cannot be read.
  virtual std::span<const uint8_t> Read(uint64_t offset, size_t max) = 0;
};

// A Block held in memory.
class MemoryBlockInput : public BlockInput {
 public:
  explicit MemoryBlockInput(std::span<const uint8_t> data) : data_(data) {}
  uint64_t size() const override { return data_.size(); }
  std::span<const uint8_t> Read(uint64_t offset, size_t max) override;

 private:
  std::span<const uint8_t> data_;
};

// A Block that is the byte range [offset, offset + size) of the regular file
// open as `fd`, read with pread() into `chunk` (which must outlive this).
class FileBlockInput : public BlockInput {
 public:
  FileBlockInput(int fd, uint64_t offset, uint64_t size,
                 std::span<uint8_t> chunk)
      : fd_(fd), offset_(offset), size_(size), chunk_(chunk) {}
  uint64_t size() const override { return size_; }
  std::span<const uint8_t> Read(uint64_t offset, size_t max) override;

 private:
  int fd_;
  uint64_t offset_;
  uint64_t size_;
  std::span<uint8_t> chunk_;
};

// What the Index records about a finished Block.
struct BlockRecord {
  lzma_vli unpadded_size = 0;
  lzma_vli uncompressed_size = 0;
  // Bytes the Block takes in the file: the Unpadded Size and the Block
  // Padding up to a multiple of four, as the Index counts it (the Total
  // Size; liblzma's vli_ceil4 is not public). The one place parxz says it.
  uint64_t total_size() const { return (unpadded_size + 3) & ~uint64_t{3}; }
};

class BlockEncoder {
 public:
  // `filters` (an LZMA_VLI_UNKNOWN-terminated chain ending in LZMA2) must
  // outlive the encoder. `block_size` is the configured Block size: like xz,
  // the Block Header is sized for a full Block whose compressed size is
  // OutputCapacity(), whatever the actual input.
  BlockEncoder(const lzma_filter* filters, lzma_check check,
               uint64_t block_size);

  // Bytes an output buffer needs: lzma_block_buffer_bound(block_size).
  static size_t OutputCapacity(uint64_t block_size);

  // Encodes `in` (at most block_size bytes) as one complete Block (header,
  // data, padding, check) into `out`, which has at least
  // OutputCapacity(in.size()) bytes (a buffer sized for the input, not the
  // Block size, serves a small input: the bytes are the same).
  // The Block takes at most OutputCapacity(in.size()) bytes: data that would
  // not fit is stored as uncompressed LZMA2 chunks, as xz does. Throws Error;
  // kCancelled as soon as `*cancel` becomes true. `live` (may be null)
  // gets the bytes fed and produced after each kChunk piece.
  BlockRecord Encode(BlockInput& in, ByteBuffer& out,
                     const std::atomic<bool>* cancel,
                     LiveProgress* live = nullptr);

  // Bytes handed to liblzma per call; also the size of the chunk buffer a
  // FileBlockInput needs.
  static constexpr size_t kChunk = 1 << 20;
  // A kChunk-byte buffer owned by this encoder, for a FileBlockInput.
  std::span<uint8_t> chunk_buffer();

  ~BlockEncoder();
  BlockEncoder(const BlockEncoder&) = delete;
  BlockEncoder& operator=(const BlockEncoder&) = delete;

 private:
  const lzma_filter* filters_;
  lzma_check check_;
  uint64_t block_size_;
  // Reused across Blocks; the process's spare encoder when there was one.
  std::unique_ptr<LzmaStream> strm_;
  // Whether strm_ may become the spare: cleared by a Block or a filter
  // chain too large for the rule, and while a Block is being encoded (one
  // that threw part-way is not handed on).
  bool spare_ok_;
  std::unique_ptr<uint8_t[]> chunk_;
};

// Idle BlockEncoders for one filter chain, check and Block size: a task
// takes one (or makes one) and gives it back, so at most as many exist as
// tasks ever ran at once. Not enumerable_thread_specific: oneTBB's shared
// workers come and go between arenas, and per-thread encoders would pile up
// with every thread that ever served the pool. Thread-safe.
class BlockEncoderPool {
 public:
  // `filters` must outlive the pool (see BlockEncoder).
  BlockEncoderPool(const lzma_filter* filters, lzma_check check,
                   uint64_t block_size)
      : filters_(filters), check_(check), block_size_(block_size) {}

  // Runs `f` with an encoder of the pool, which gets it back whatever `f`
  // does; what `f` throws passes through.
  void With(const std::function<void(BlockEncoder&)>& f);

 private:
  const lzma_filter* filters_;
  lzma_check check_;
  uint64_t block_size_;
  tbb::concurrent_queue<std::unique_ptr<BlockEncoder>> idle_;
};

}  // namespace parxz

#endif  // PARXZ_PARALLEL_COMPRESS_BLOCK_ENCODER_H_
