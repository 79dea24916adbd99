#include "parallel/compress/parallel_compressor.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <deque>
#include <exception>
#include <utility>
#include <vector>

#include "core/compressor.h"
#include "parallel/common/fd_io.h"
#include "parallel/common/in_order_window.h"
#include "parallel/common/threads.h"
#include "parallel/compress/block_encoder.h"
#include "parallel/compress/block_sizing.h"
#include "parallel/compress/stream_assembler.h"

namespace parxz {

namespace {

constexpr uint64_t kMaxBlockSize = uint64_t{1} << 50;

}  // namespace

ResolvedCompression ResolveCompression(const ParallelOptions& in) {
  // The checks and messages every compressor shares (core/compressor.h).
  ValidateCompressOptions({.format = Format::kXz,
                           .check = in.check,
                           .preset = in.preset,
                           .extreme = in.extreme,
                           .filters = in.filters});
  ParallelOptions o = in;
  const uint32_t preset =
      o.preset.value_or(kPresetDefault) | (o.extreme ? kPresetExtreme : 0);
  LzmaFilters filters = o.filters ? LzmaFilters::FromChain(*o.filters)
                                  : LzmaFilters::FromPreset(preset);
  o.threads = PlanThreads(o.threads).threads;
  // Auto sizes for the threads asked for (not the cores): same bytes anywhere.
  const BlockSizing b =
      SizeBlocks(o.block_size, o.input_size,
                 in.threads ? in.threads : o.threads, filters.dict_size());
  o.block_size = b.block_size;
  if (b.dict_size != filters.dict_size()) {
    if (!o.filters) o.filters = FilterChain{{.preset = preset}};
    o.filters->back().dict_size = b.dict_size;  // the LZMA filter is last
    o.preset.reset();
    o.extreme = false;
    filters = LzmaFilters::FromChain(*o.filters);
  }
  if (o.block_size > kMaxBlockSize) {
    throw Error(ErrorCode::kBadOptions, "compressor init",
                "block_size is larger than 2^50 bytes");
  }
  if (o.max_blocks_in_flight == 0) o.max_blocks_in_flight = 2 * o.threads + 1;
  const auto check = static_cast<lzma_check>(static_cast<int>(o.check));
  return {std::move(o), std::move(filters), check};
}

namespace {

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
class Engine {
 public:
  explicit Engine(ResolvedCompression r)
      : r_(std::move(r)),
        encoders_(r_.filters.get(), r_.check, r_.options.block_size),
        assembler_(r_.check),
        extra_(assembler_.Header()),
        window_(r_.options.threads, r_.options.max_blocks_in_flight,
                [this](BlockJob& job) { Encode(job); }) {}

  // Cancels the Blocks still being encoded and waits for them.
  ~Engine() { window_.Cancel(); }

  const ParallelOptions& options() const { return r_.options; }
  // The regular file that slots with from_file refer to; set before Submit.
  void set_file(int fd) { file_fd_ = fd; }

  // An empty slot to fill, or nullptr while all max_blocks_in_flight are
  // taken (then the oldest Block must be handed out first).
  BlockSlot* TryAcquire() {
    BlockSlot* slot = window_.TryAcquire();
    if (slot == nullptr) return nullptr;
    slot->job.from_file = false;
    if (slot->job.input) slot->job.input->size = 0;
    return slot;
  }

  ByteBuffer& Input(BlockSlot& slot) {
    if (!slot.job.input)
      slot.job.input = std::make_unique<ByteBuffer>(block_size());
    return *slot.job.input;
  }

  // Gives back a slot that holds no Block.
  void Release(BlockSlot* slot) { window_.Release(slot); }

  // Starts encoding `slot`; its bytes follow those of every earlier Block.
  void Submit(BlockSlot* slot) {
    if (!slot->job.output) {
      slot->job.output = std::make_unique<ByteBuffer>(
          BlockEncoder::OutputCapacity(block_size()));
    }
    window_.Submit(slot);
  }

  // No more Blocks: the Index and Stream Footer follow the last one.
  void Finish() { finishing_ = true; }

  // The next bytes of the stream that are ready, in order; empty when none
  // are (with `wait`: when nothing is in flight and, before Finish(), the
  // trailer cannot be made yet). Waiting runs Blocks in the arena. Throws
  // the first failure (in stream order), then again on every call.
  std::span<const uint8_t> Next(bool wait) {
    ThrowIfFailed();
    try {
      return NextImpl(wait);
    } catch (...) {
      error_ = std::current_exception();
      window_.Cancel();
      throw;
    }
  }

  // Marks the first `n` bytes of Next() as handed out; true when that
  // completed a Block (and freed its slot).
  bool Consume(size_t n) {
    if (extra_pos_ < extra_.size()) {
      extra_pos_ += n;
      return false;
    }
    BlockJob& job = window_.front()->job;
    job.handed_out += n;
    if (job.handed_out < job.output->size) return false;
    job.handed_out = 0;
    job.recorded = false;
    window_.PopFront();
    return true;
  }

  // Finish() was called and every byte of the stream handed out.
  bool complete() const { return trailer_made_ && extra_pos_ == extra_.size(); }

  void ThrowIfFailed() const {
    if (error_) std::rethrow_exception(error_);
  }

  // Stops running encoders part-way and drops the Blocks not started.
  void Cancel() { window_.Cancel(); }

 private:
  uint64_t block_size() const { return r_.options.block_size; }

  std::span<const uint8_t> NextImpl(bool wait) {
    if (extra_pos_ < extra_.size()) {
      return {reinterpret_cast<const uint8_t*>(extra_.data()) + extra_pos_,
              extra_.size() - extra_pos_};
    }
    if (!window_.empty()) {
      BlockSlot& slot = *window_.front();
      if (!BlockWindow::Done(slot)) {
        if (!wait) return {};
        window_.WaitFront();  // encoding the oldest Blocks meanwhile
      }
      if (slot.error) std::rethrow_exception(slot.error);
      BlockJob& job = slot.job;
      if (!job.recorded) {
        assembler_.AddBlock(job.record);
        job.recorded = true;
      }
      return {job.output->data.get() + job.handed_out,
              job.output->size - job.handed_out};
    }
    if (finishing_ && !trailer_made_) {
      extra_ = assembler_.Trailer();
      extra_pos_ = 0;
      trailer_made_ = true;
      return {reinterpret_cast<const uint8_t*>(extra_.data()), extra_.size()};
    }
    return {};
  }

  // The encoding, on a worker or the waiting owner; an error is kept in the
  // slot by the window, for the owner to raise in stream order.
  void Encode(BlockJob& job) {
    encoders_.With([&](BlockEncoder& encoder) {
      if (job.from_file) {
        FileBlockInput in(file_fd_, job.file_offset, job.file_size,
                          encoder.chunk_buffer());
        job.record = encoder.Encode(in, *job.output, window_.cancel_flag(),
                                    r_.options.live);
      } else {
        MemoryBlockInput in(
            std::span<const uint8_t>(job.input->data.get(), job.input->size));
        job.record = encoder.Encode(in, *job.output, window_.cancel_flag(),
                                    r_.options.live);
      }
    });
  }

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
  // Last: its jobs touch the members above (~Engine cancels it first).
  BlockWindow window_;
};

}  // namespace

ParallelOptions ResolveParallelOptions(const ParallelOptions& options) {
  return ResolveCompression(options).options;
}

uint64_t MemoryUsage(const ParallelOptions& options, bool file_input) {
  const ResolvedCompression r = ResolveCompression(options);
  const uint64_t per_encoder = lzma_raw_encoder_memusage(r.filters.get()) +
                               (file_input ? BlockEncoder::kChunk : 0);
  const uint64_t per_block = (file_input ? 0 : r.options.block_size) +
                             BlockEncoder::OutputCapacity(r.options.block_size);
  return r.options.threads * per_encoder +
         r.options.max_blocks_in_flight * per_block;
}

// ---------------------------------------------------------------------------
// The push API.

class ParallelCompressor::Impl {
 public:
  explicit Impl(const ParallelOptions& options)
      : engine_(ResolveCompression(options)) {}

  // Where handed-out bytes go: a string that grows, or a caller's buffer.
  struct Sink {
    std::string* str = nullptr;
    std::span<uint8_t> buf;
    size_t used = 0;  // bytes put

    bool full() const { return str == nullptr && used == buf.size(); }
    size_t Put(std::span<const uint8_t> s) {
      if (str != nullptr) {
        str->append(reinterpret_cast<const char*>(s.data()), s.size());
        used += s.size();
        return s.size();
      }
      const size_t n = std::min(s.size(), buf.size() - used);
      if (n > 0) std::memcpy(buf.data() + used, s.data(), n);
      used += n;
      return n;
    }
  };

  std::string Compress(std::string_view data) {
    std::string out;
    Sink sink{&out};
    Feed(data, sink);
    return out;
  }

  Progress CompressInto(std::string_view data, std::span<uint8_t> out) {
    Sink sink{nullptr, out};
    return Feed(data, sink);
  }

  std::string EndBlock() {
    CheckUsable();
    SubmitCurrent();
    std::string out;
    Sink sink{&out};
    HandOut(sink, true);
    return out;
  }

  std::string Flush() {
    CheckUsable();
    SubmitCurrent();
    engine_.Finish();
    finishing_ = true;
    std::string out;
    Sink sink{&out};
    HandOut(sink, true);
    flushed_ = true;
    return out;
  }

  Progress FlushInto(std::span<uint8_t> out) {
    engine_.ThrowIfFailed();
    if (flushed_) Misuse("flush");
    if (!finishing_) {
      SubmitCurrent();
      engine_.Finish();
      finishing_ = true;
    }
    Sink sink{nullptr, out};
    HandOut(sink, true);
    flushed_ = engine_.complete();
    return {0, sink.used, flushed_};
  }

  uint64_t total_in() const { return total_in_; }
  uint64_t total_out() const { return total_out_; }
  const ParallelOptions& options() const { return engine_.options(); }

 private:
  [[noreturn]] static void Misuse(const char* op) {
    throw Error(ErrorCode::kMisuse, op, "Compressor has been flushed");
  }

  void CheckUsable() const {
    engine_.ThrowIfFailed();
    if (flushed_ || finishing_) Misuse("compress");
  }

  // Takes `data` into Blocks, handing out output on the way.
  Progress Feed(std::string_view data, Sink& sink) {
    CheckUsable();
    Progress p;
    HandOut(sink, false);
    while (!data.empty()) {
      if (current_ == nullptr) current_ = engine_.TryAcquire();
      if (current_ == nullptr) {
        // All slots are taken: the oldest Block must go out first.
        if (sink.full()) break;
        HandOutSome(sink);
        continue;
      }
      ByteBuffer& in = engine_.Input(*current_);
      const size_t n = std::min(data.size(), in.capacity - in.size);
      std::memcpy(in.data.get() + in.size, data.data(), n);
      in.size += n;
      data.remove_prefix(n);
      p.consumed += n;
      if (in.size == in.capacity)
        engine_.Submit(std::exchange(current_, nullptr));
    }
    HandOut(sink, false);
    total_in_ += p.consumed;
    p.produced = sink.used;
    return p;
  }

  void SubmitCurrent() {
    if (current_ == nullptr) return;
    if (current_->job.input && current_->job.input->size > 0) {
      engine_.Submit(current_);
    } else {
      engine_.Release(current_);
    }
    current_ = nullptr;
  }

  // Hands out the next ready bytes (waiting for them); false if none.
  bool HandOutSome(Sink& sink) {
    const std::span<const uint8_t> s = engine_.Next(true);
    if (s.empty()) return false;
    const size_t n = sink.Put(s);
    engine_.Consume(n);
    total_out_ += n;
    return n == s.size();
  }

  // Hands out everything ready (with `wait`: everything submitted, and the
  // trailer after Finish()) until the sink is full.
  void HandOut(Sink& sink, bool wait) {
    for (;;) {
      const std::span<const uint8_t> s = engine_.Next(wait);
      if (s.empty()) return;
      const size_t n = sink.Put(s);
      engine_.Consume(n);
      total_out_ += n;
      if (n < s.size()) return;
    }
  }

  Engine engine_;
  BlockSlot* current_ = nullptr;  // the slot being filled
  bool finishing_ = false;        // flush() or flush_into() started
  bool flushed_ = false;          // the whole stream was handed out
  uint64_t total_in_ = 0;
  uint64_t total_out_ = 0;
};

ParallelCompressor::ParallelCompressor(const ParallelOptions& options)
    : impl_(std::make_unique<Impl>(options)) {}
ParallelCompressor::~ParallelCompressor() = default;
std::string ParallelCompressor::compress(std::string_view data) {
  return impl_->Compress(data);
}
ParallelCompressor::Progress ParallelCompressor::compress_into(
    std::string_view data, std::span<uint8_t> out) {
  return impl_->CompressInto(data, out);
}
std::string ParallelCompressor::end_block() { return impl_->EndBlock(); }
std::string ParallelCompressor::flush() { return impl_->Flush(); }
ParallelCompressor::Progress ParallelCompressor::flush_into(
    std::span<uint8_t> out) {
  return impl_->FlushInto(out);
}
uint64_t ParallelCompressor::total_in() const { return impl_->total_in(); }
uint64_t ParallelCompressor::total_out() const { return impl_->total_out(); }
const ParallelOptions& ParallelCompressor::options() const {
  return impl_->options();
}

// ---------------------------------------------------------------------------
// The descriptor API: the calling thread reads, submits and writes.

CompressStats CompressFd(int in_fd, int out_fd, const ParallelOptions& options,
                         const ProgressFn& progress) {
  // A regular file is cut into ranges that the encoders read themselves with
  // pread(): no Block-sized input buffers at all. Anything else is read().
  struct stat st {};
  const off_t start = fstat(in_fd, &st) == 0 && S_ISREG(st.st_mode)
                          ? lseek(in_fd, 0, SEEK_CUR)
                          : -1;
  const bool ranges = start >= 0;
  ParallelOptions sized = options;  // kBlockSizeAuto: Blocks for this file
  if (ranges && !sized.input_size) {
    sized.input_size = std::max<off_t>(st.st_size - start, 0);
  }
  Engine engine(ResolveCompression(sized));
  CompressStats stats;

  // Writes what is ready; with `wait_for_block`, first waits until a Block
  // (the oldest) has been written.
  auto write = [&](bool wait_for_block) {
    for (;;) {
      const std::span<const uint8_t> s = engine.Next(wait_for_block);
      if (s.empty()) return;
      WriteFully(out_fd, s.data(), s.size(), stats.out_bytes);
      stats.out_bytes += s.size();
      if (!engine.Consume(s.size())) continue;
      ++stats.blocks;
      wait_for_block = false;
      if (progress && !progress(stats.in_bytes, stats.out_bytes)) {
        engine.Cancel();
        throw Error(ErrorCode::kCancelled, "compress", "cancelled");
      }
    }
  };

  uint64_t file_end = ranges ? static_cast<uint64_t>(st.st_size) : 0;
  uint64_t next = ranges ? static_cast<uint64_t>(start) : 0;
  const uint64_t block_size = engine.options().block_size;
  if (ranges) engine.set_file(in_fd);

  for (bool eof = false; !eof;) {
    BlockSlot* slot = engine.TryAcquire();
    if (slot == nullptr) {
      write(true);
      continue;
    }
    uint64_t got = 0;
    if (ranges) {
      if (next + block_size > file_end && fstat(in_fd, &st) == 0) {
        file_end = std::max<uint64_t>(file_end, st.st_size);  // grew?
      }
      slot->job.from_file = true;
      slot->job.file_offset = next;
      slot->job.file_size = std::min(block_size, file_end - next);
      got = slot->job.file_size;
      next += got;
    } else {
      ByteBuffer& in = engine.Input(*slot);
      in.size = ReadFully(in_fd, in.data.get(), in.capacity, stats.in_bytes);
      got = in.size;
    }
    stats.in_bytes += got;
    eof = got < block_size;
    if (got == 0) {
      engine.Release(slot);
      break;
    }
    engine.Submit(slot);
    write(false);
  }
  engine.Finish();
  while (!engine.complete()) write(true);

  // Leave the descriptor where a read() to the end would have left it.
  if (ranges) lseek(in_fd, static_cast<off_t>(next), SEEK_SET);
  return stats;
}

}  // namespace parxz
