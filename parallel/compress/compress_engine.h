// The engine under both entry points of parallel_compressor.h, private to
// it: the Block slots on the in-order window (BlockJob), the encoder pool,
// and the stream's bytes in order (Stream Header, Blocks, Index + Footer).
// The push API (ParallelCompressor) and CompressFd() are drivers over it:
// they fill and submit slots and hand out what Next() returns.
#ifndef PARXZ_PARALLEL_COMPRESS_COMPRESS_ENGINE_H_
#define PARXZ_PARALLEL_COMPRESS_COMPRESS_ENGINE_H_

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <memory>
#include <span>
#include <string>

#include "parallel/common/in_order_window.h"
#include "parallel/compress/block_encoder.h"
#include "parallel/compress/parallel_compressor.h"
#include "parallel/compress/stream_assembler.h"

namespace parxz {

// One Block: a slot of the window, reused with its buffers, so buffers are
// allocated once. The owner (the thread calling the compressor) fills it and
// submits it; one thread encodes it; the owner takes the output back.
struct BlockJob {
  // Written by the owner before submitting; read by the encoding thread.
  bool from_file = false;  // the input is a file range, not `input`
  uint64_t file_offset = 0;
  uint64_t file_size = 0;
  std::unique_ptr<ByteBuffer> input;  // filled by the owner (push API, pipes)
  // Written by the encoding thread; read by the owner once it is done.
  std::unique_ptr<ByteBuffer> output;  // allocated by the owner on first use
  BlockRecord record;
  // Owner only: output bytes handed out so far; whether the Index has it.
  size_t handed_out = 0;
  bool recorded = false;
};
using BlockWindow = InOrderWindow<BlockJob>;
using BlockSlot = BlockWindow::Slot;

// What both entry points share: the arena, the encoders, the Block slots,
// and the stream's bytes in order (Stream Header, Blocks, Index + Footer).
// All methods are called by the owner; only Encode() runs on other threads.
class CompressEngine {
 public:
  explicit CompressEngine(ResolvedCompression r)
      : r_(std::move(r)),
        encoders_(r_.filters.get(), r_.check, r_.options.block_size),
        assembler_(r_.check),
        extra_(assembler_.Header()),
        window_(r_.options.threads, r_.options.max_blocks_in_flight,
                [this](BlockJob& job) { Encode(job); }) {}

  // Cancels the Blocks still being encoded and waits for them.
  ~CompressEngine() { window_.Cancel(); }

  const ParallelOptions& options() const { return r_.options; }
  // The regular file that slots with from_file refer to; set before Submit.
  void set_file(int fd) { file_fd_ = fd; }

  // An empty slot to fill, or nullptr while all max_blocks_in_flight are
  // taken (then the oldest Block must be handed out first).
  BlockSlot* TryAcquire() {
    BlockSlot* slot = window_.TryAcquire();
    if (slot == nullptr) return nullptr;
    slot->job.from_file = false;
    if (slot->job.input) slot->job.input->resize(0);
    return slot;
  }

  // The slot's input buffer with room for `more` bytes beyond its size, as
  // far as the Block has room. Buffers grow with the data (doubling, up to
  // block_size) rather than being made Block-sized at once: a 4 KiB call at
  // -6 must not allocate 24 MiB (glibc then raises its mmap threshold, and
  // liblzma's hash tables come from the heap, zeroed page by page).
  ByteBuffer& Input(BlockSlot& slot, uint64_t more) {
    if (!slot.job.input) slot.job.input = std::make_unique<ByteBuffer>();
    ByteBuffer& in = *slot.job.input;
    const uint64_t want = std::min(block_size(), in.size() + more);
    if (want > in.capacity()) {
      in.reserve(static_cast<size_t>(std::min<uint64_t>(
          block_size(), std::max<uint64_t>(want, 2 * in.capacity()))));
    }
    return in;
  }

  // Gives back a slot that holds no Block.
  void Release(BlockSlot* slot) { window_.Release(slot); }

  // No Block in flight (submitted and not handed out).
  bool idle() const { return window_.empty(); }

  // Starts encoding `slot`; its bytes follow those of every earlier Block.
  // `owner_runs`: the caller waits for it next and nothing else is in
  // flight, so the caller encodes it (InOrderWindow::Submit), with the same
  // encoder and the same bytes, no worker woken: how a small call stays as
  // cheap as a sequential one.
  void Submit(BlockSlot* slot, bool owner_runs = false) {
    BlockJob& job = slot->job;
    // Room for the Block's bound (BlockEncoder::Encode), kept for reuse.
    if (!job.output) job.output = std::make_unique<ByteBuffer>();
    job.output->resize(0);
    job.output->reserve(BlockEncoder::OutputCapacity(
        job.from_file ? job.file_size : job.input->size()));
    window_.Submit(slot, owner_runs);
  }

  // No more Blocks: the Index and Stream Footer follow the last one.
  void Finish() { finishing_ = true; }

  // The next bytes of the stream that are ready, in order; empty when none
  // are (with `wait`: when nothing is in flight and, before Finish(), the
  // trailer cannot be made yet). Waiting runs Blocks in the arena. Throws
  // the first failure (in stream order), then again on every call.
  std::span<const uint8_t> Next(bool wait);

  // Marks the first `n` bytes of Next() as handed out; true when that
  // completed a Block (and freed its slot).
  bool Consume(size_t n);

  // Finish() was called and every byte of the stream handed out.
  bool complete() const { return trailer_made_ && extra_pos_ == extra_.size(); }

  void ThrowIfFailed() const {
    if (error_) std::rethrow_exception(error_);
  }

  // Stops running encoders part-way and drops the Blocks not started.
  void Cancel() { window_.Cancel(); }

 private:
  uint64_t block_size() const { return r_.options.block_size; }

  std::span<const uint8_t> NextImpl(bool wait);

  // The encoding, on a worker or the waiting owner; an error is kept in the
  // slot by the window, for the owner to raise in stream order.
  void Encode(BlockJob& job);

  const ResolvedCompression r_;  // read by every thread
  // Idle encoders (~94 MiB each at -6); at most `threads` jobs run at once,
  // so at most that many exist.
  BlockEncoderPool encoders_;
  int file_fd_ = -1;  // written by the owner before Submit; read by jobs
  // Owner only below.
  StreamAssembler assembler_;
  std::string extra_;     // the Stream Header, later the trailer
  size_t extra_pos_ = 0;  // bytes of extra_ handed out
  bool finishing_ = false;
  bool trailer_made_ = false;
  std::exception_ptr error_;
  // Last: its jobs touch the members above (~CompressEngine cancels it first).
  BlockWindow window_;
};

}  // namespace parxz

#endif  // PARXZ_PARALLEL_COMPRESS_COMPRESS_ENGINE_H_
