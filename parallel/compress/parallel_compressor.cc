#include "parallel/compress/parallel_compressor.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <utility>

#include "core/compressor.h"
#include "parallel/common/fd_io.h"
#include "parallel/common/in_order_window.h"
#include "parallel/common/threads.h"
#include "parallel/compress/block_encoder.h"
#include "parallel/compress/block_sizing.h"
#include "parallel/compress/compress_engine.h"

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
      ByteBuffer& in = engine_.Input(*current_, data.size());
      const size_t n = std::min(data.size(), in.capacity() - in.size());
      std::memcpy(in.data() + in.size(), data.data(), n);
      in.resize(in.size() + n);
      data.remove_prefix(n);
      p.consumed += n;
      if (in.size() == engine_.options().block_size)
        engine_.Submit(std::exchange(current_, nullptr));
    }
    HandOut(sink, false);
    total_in_ += p.consumed;
    p.produced = sink.used;
    return p;
  }

  // Every caller waits for the Block next (end_block, flush): with nothing
  // else in flight, it is encoded on this thread.
  void SubmitCurrent() {
    if (current_ == nullptr) return;
    if (current_->job.input && current_->job.input->size() > 0) {
      engine_.Submit(current_, /*owner_runs=*/engine_.idle());
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

  CompressEngine engine_;
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
  CompressEngine engine(ResolveCompression(sized));
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
      ByteBuffer& in = engine.Input(*slot, block_size);
      in.resize(ReadFully(in_fd, in.data(), in.capacity(), stats.in_bytes));
      got = in.size();
    }
    stats.in_bytes += got;
    eof = got < block_size;
    if (got == 0) {
      engine.Release(slot);
      break;
    }
    // The last Block with nothing before it in flight: encoded here.
    engine.Submit(slot, /*owner_runs=*/eof && engine.idle());
    write(false);
  }
  engine.Finish();
  while (!engine.complete()) write(true);

  // Leave the descriptor where a read() to the end would have left it.
  if (ranges) lseek(in_fd, static_cast<off_t>(next), SEEK_SET);
  return stats;
}

}  // namespace parxz
