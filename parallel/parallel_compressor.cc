#include "parallel/parallel_compressor.h"

#include <oneapi/tbb/concurrent_queue.h>
#include <oneapi/tbb/info.h>
#include <oneapi/tbb/parallel_pipeline.h>
#include <oneapi/tbb/spin_mutex.h>
#include <oneapi/tbb/task_arena.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <exception>
#include <thread>
#include <utility>
#include <vector>

#include "parallel/block_encoder.h"
#include "parallel/fd_io.h"
#include "parallel/stream_assembler.h"

namespace parxz {

namespace {

constexpr uint64_t kMaxBlockSize = uint64_t{1} << 50;

// Options after validation, with the liblzma filter chain they describe.
struct Resolved {
  ParallelOptions options;
  LzmaFilters filters;
  lzma_check check;
};

Resolved Resolve(const ParallelOptions& in) {
  ParallelOptions o = in;
  if ((o.preset || o.extreme) && o.filters) {
    throw Error(ErrorCode::kBadOptions, "compressor init",
                "Cannot specify both preset and filter chain");
  }
  const uint32_t preset =
      o.preset.value_or(kPresetDefault) | (o.extreme ? kPresetExtreme : 0);
  LzmaFilters filters = o.filters ? LzmaFilters::FromChain(*o.filters)
                                  : LzmaFilters::FromPreset(preset);
  if (filters.get()[filters.size() - 1].id != LZMA_FILTER_LZMA2) {
    throw Error(ErrorCode::kBadOptions, "compressor init",
                "the .xz format needs LZMA2 as the last filter");
  }
  const int check = static_cast<int>(o.check);
  if (check < 0 || check > LZMA_CHECK_ID_MAX) {
    throw Error(ErrorCode::kBadOptions, "compressor init",
                "Invalid integrity check: " + std::to_string(check));
  }
  if (!IsCheckSupported(o.check)) {
    throw Error(ErrorCode::kUnsupported, "compressor init",
                "Unsupported integrity check");
  }
  if (o.threads == 0) {
    o.threads =
        static_cast<unsigned>(std::max(1, tbb::info::default_concurrency()));
  }
  if (o.block_size == 0) {
    o.block_size = std::max<uint64_t>(uint64_t{3} * filters.dict_size(),
                                      uint64_t{1} << 20);
  }
  if (o.block_size > kMaxBlockSize) {
    throw Error(ErrorCode::kBadOptions, "compressor init",
                "block_size is larger than 2^50 bytes");
  }
  if (o.max_blocks_in_flight == 0) o.max_blocks_in_flight = 2 * o.threads + 1;
  return {o, std::move(filters), static_cast<lzma_check>(check)};
}

// Buffers of one size, handed out last-in first-out: the buffer released last
// has its pages resident already, so reusing it first keeps the resident set
// as small as the number of buffers really in use at once. Thread-safe.
class BufferPool {
 public:
  explicit BufferPool(size_t capacity) : capacity_(capacity) {}

  std::unique_ptr<ByteBuffer> Take() {
    {
      tbb::spin_mutex::scoped_lock lock(mutex_);
      if (!free_.empty()) {
        std::unique_ptr<ByteBuffer> b = std::move(free_.back());
        free_.pop_back();
        b->size = 0;
        return b;
      }
    }
    return std::make_unique<ByteBuffer>(capacity_);
  }

  void Give(std::unique_ptr<ByteBuffer> b) {
    if (!b) return;
    tbb::spin_mutex::scoped_lock lock(mutex_);
    free_.push_back(std::move(b));
  }

 private:
  const size_t capacity_;
  tbb::spin_mutex mutex_;  // guards free_; held for a push or a pop only
  std::vector<std::unique_ptr<ByteBuffer>> free_;
};

// One Block on its way through the pipeline. Pipeline stages touch a Block in
// turn (reader, then one encoder, then the writer), never at the same time.
// Jobs are owned by the entry point (a vector of all of them), so a cancelled
// pipeline leaks nothing; the stages pass raw pointers.
struct BlockJob {
  // Either a byte range of the regular file being compressed (read by the
  // encoder itself, piece by piece), or ...
  bool from_file = false;
  uint64_t file_offset = 0;
  uint64_t file_size = 0;
  // ... an input buffer filled by the reader, back to the pool right after
  // encoding.
  std::unique_ptr<ByteBuffer> input;
  std::unique_ptr<ByteBuffer> output;  // filled by the encoder, back to the
                                       // pool once written (ReleaseOutput)
  BlockRecord record;
};

// State shared by both entry points: the arena, the pools of encoders and
// buffers, and the three stages of the pipeline.
class Engine {
 public:
  explicit Engine(Resolved r)
      : r_(std::move(r)),
        // More threads than the hardware has would only time-slice the same
        // cores (and make TBB warn), so the arena stops at the hardware.
        arena_(static_cast<int>(
            std::min<unsigned>(r_.options.threads,
                               std::max(1, tbb::info::default_concurrency())))),
        inputs_(r_.options.block_size),
        outputs_(BlockEncoder::OutputCapacity(r_.options.block_size)),
        assembler_(r_.check) {}

  const ParallelOptions& options() const { return r_.options; }
  StreamAssembler& assembler() { return assembler_; }
  // The regular file that jobs with from_file refer to.
  void set_file(int fd) { file_fd_ = fd; }
  std::atomic<bool>& cancel() { return cancel_; }

  // Gives `job` an empty input buffer, reusing one an encoder released.
  void AttachInput(BlockJob& job) {
    if (!job.input) job.input = inputs_.Take();
    job.input->size = 0;
  }

  // Called by the writer once the Block's bytes are out.
  void ReleaseOutput(BlockJob& job) { outputs_.Give(std::move(job.output)); }

  // Runs the pipeline until `read` returns null. `read` (serial, in order)
  // supplies filled Blocks, `write` (serial, in order) takes encoded ones.
  // Rethrows the first error; in-flight Blocks are dropped.
  template <class ReadFn, class WriteFn>
  void Run(ReadFn&& read, WriteFn&& write) {
    arena_.execute([&] {
      tbb::parallel_pipeline(
          r_.options.max_blocks_in_flight,
          tbb::make_filter<void, BlockJob*>(
              tbb::filter_mode::serial_in_order,
              [&](tbb::flow_control& fc) -> BlockJob* {
                BlockJob* job = cancel_.load() ? nullptr : read();
                if (job == nullptr) fc.stop();
                return job;
              }) &
              tbb::make_filter<BlockJob*, BlockJob*>(tbb::filter_mode::parallel,
                                                     [&](BlockJob* job) {
                                                       Encode(*job);
                                                       return job;
                                                     }) &
              tbb::make_filter<BlockJob*, void>(
                  tbb::filter_mode::serial_in_order, [&](BlockJob* job) {
                    assembler_.AddBlock(job->record);
                    write(job);
                  }));
    });
  }

 private:
  void Encode(BlockJob& job) {
    std::unique_ptr<BlockEncoder> encoder;
    if (!encoders_.try_pop(encoder)) {
      encoder = std::make_unique<BlockEncoder>(r_.filters.get(), r_.check,
                                               r_.options.block_size);
    }
    if (!job.output) job.output = outputs_.Take();
    if (job.from_file) {
      FileBlockInput in(file_fd_, job.file_offset, job.file_size,
                        encoder->chunk_buffer());
      job.record = encoder->Encode(in, *job.output, &cancel_);
    } else {
      MemoryBlockInput in(
          std::span<const uint8_t>(job.input->data.get(), job.input->size));
      job.record = encoder->Encode(in, *job.output, &cancel_);
    }
    encoders_.push(std::move(encoder));
    // The input is no longer needed while the Block waits for the writer:
    // the reader reuses it, so only Blocks being read or encoded hold one.
    inputs_.Give(std::move(job.input));
  }

  Resolved r_;
  tbb::task_arena arena_;
  // Idle encoders; at most `threads` exist because at most that many encode
  // stages run at once. Any worker pushes and pops.
  tbb::concurrent_queue<std::unique_ptr<BlockEncoder>> encoders_;
  // Idle buffers: encoders give inputs back, the reader (or the push API's
  // owner) takes them; the encoder takes outputs, the writer gives them back.
  BufferPool inputs_;
  BufferPool outputs_;
  // Written by the writer/the owner; read by the encode stage.
  std::atomic<bool> cancel_{false};
  int file_fd_ = -1;  // set before Run(), read by encoders
  // Only the serial writer stage touches the assembler while running.
  StreamAssembler assembler_;
};

}  // namespace

ParallelOptions ResolveParallelOptions(const ParallelOptions& options) {
  return Resolve(options).options;
}

uint64_t MemoryUsage(const ParallelOptions& options) {
  Resolved r = Resolve(options);
  const uint64_t per_encoder = lzma_raw_encoder_memusage(r.filters.get());
  const uint64_t per_block =
      r.options.block_size + BlockEncoder::OutputCapacity(r.options.block_size);
  return r.options.threads * per_encoder +
         r.options.max_blocks_in_flight * per_block;
}

// ---------------------------------------------------------------------------
// The push API. A driver thread runs the pipeline; compress() hands it full
// Blocks through `submitted_` and collects finished output from `finished_`.

class ParallelCompressor::Impl {
 public:
  explicit Impl(const ParallelOptions& options) : engine_(Resolve(options)) {
    pending_ = engine_.assembler().Header();
    driver_ = std::thread([this] { Drive(); });
  }

  ~Impl() {
    if (driver_.joinable()) {
      engine_.cancel().store(true);
      submitted_.push(nullptr);
      driver_.join();
    }
  }

  std::string Compress(std::string_view data) {
    CheckUsable();
    total_in_ += data.size();
    while (!data.empty()) {
      if (!current_) current_ = TakeJob();
      ByteBuffer& in = *current_->input;
      const size_t n = std::min(data.size(), in.capacity - in.size);
      std::memcpy(in.data.get() + in.size, data.data(), n);
      in.size += n;
      data.remove_prefix(n);
      if (in.size == in.capacity) Submit();
    }
    return TakeOutput(false);
  }

  std::string EndBlock() {
    CheckUsable();
    if (current_ && current_->input->size > 0) Submit();
    return TakeOutput(true);
  }

  std::string Flush() {
    CheckUsable();
    if (current_ && current_->input->size > 0) Submit();
    std::string out = TakeOutput(true);
    flushed_ = true;
    submitted_.push(nullptr);
    driver_.join();
    std::string trailer = engine_.assembler().Trailer();
    total_out_ += trailer.size();
    return out + trailer;
  }

  uint64_t total_in() const { return total_in_; }
  uint64_t total_out() const { return total_out_; }
  const ParallelOptions& options() const { return engine_.options(); }

 private:
  // A finished Block's bytes, or (job == nullptr) the pipeline failed.
  struct Finished {
    std::string bytes;
    BlockJob* job = nullptr;
  };

  void CheckUsable() {
    if (error_) std::rethrow_exception(error_);
    if (flushed_) {
      throw Error(ErrorCode::kMisuse, "compress",
                  "Compressor has been flushed");
    }
  }

  BlockJob* TakeJob() {
    BlockJob* job = nullptr;
    while (!free_jobs_.try_pop(job)) {
      if (jobs_.size() < engine_.options().max_blocks_in_flight) {
        jobs_.push_back(std::make_unique<BlockJob>());
        job = jobs_.back().get();
        break;
      }
      ReceiveOne();  // at the in-flight bound: a Block must come back first
    }
    engine_.AttachInput(*job);
    return job;
  }

  void Submit() {
    ++in_flight_;
    submitted_.push(std::exchange(current_, nullptr));
  }

  // Blocks until one finished Block arrives; appends it to pending_.
  void ReceiveOne() {
    Finished f;
    finished_.pop(f);
    if (!f.job) {
      error_ = driver_error_;
      std::rethrow_exception(error_);
    }
    --in_flight_;
    pending_ += f.bytes;
    free_jobs_.push(f.job);
  }

  std::string TakeOutput(bool wait_for_all) {
    Finished f;
    while (in_flight_ > 0) {
      if (wait_for_all) {
        ReceiveOne();
        continue;
      }
      if (!finished_.try_pop(f)) break;
      if (!f.job) {
        error_ = driver_error_;
        std::rethrow_exception(error_);
      }
      --in_flight_;
      pending_ += f.bytes;
      free_jobs_.push(f.job);
    }
    total_out_ += pending_.size();
    return std::exchange(pending_, std::string());
  }

  // Runs on driver_.
  void Drive() {
    try {
      engine_.Run(
          [this]() -> BlockJob* {
            BlockJob* job = nullptr;
            submitted_.pop(job);
            return job;
          },
          [this](BlockJob* job) {
            Finished f;
            f.bytes.assign(
                reinterpret_cast<const char*>(job->output->data.get()),
                job->output->size);
            engine_.ReleaseOutput(*job);
            f.job = job;
            finished_.push(std::move(f));
          });
    } catch (...) {
      driver_error_ = std::current_exception();
      finished_.push(Finished{});  // wakes the owner with the error
    }
  }

  Engine engine_;
  // Owner -> driver: filled Blocks, then nullptr to stop. Ownership passes.
  tbb::concurrent_bounded_queue<BlockJob*> submitted_;
  // Driver -> owner: encoded Blocks in stream order.
  tbb::concurrent_bounded_queue<Finished> finished_;
  // Owner only: every job ever made, and those ready for filling.
  std::vector<std::unique_ptr<BlockJob>> jobs_;
  tbb::concurrent_queue<BlockJob*> free_jobs_;
  std::exception_ptr driver_error_;  // written by driver before its last push
  std::thread driver_;
  // Owner-thread state.
  BlockJob* current_ = nullptr;
  unsigned in_flight_ = 0;
  std::string pending_;
  std::exception_ptr error_;
  bool flushed_ = false;
  uint64_t total_in_ = 0;
  uint64_t total_out_ = 0;
};

ParallelCompressor::ParallelCompressor(const ParallelOptions& options)
    : impl_(std::make_unique<Impl>(options)) {}
ParallelCompressor::~ParallelCompressor() = default;
std::string ParallelCompressor::compress(std::string_view data) {
  return impl_->Compress(data);
}
std::string ParallelCompressor::end_block() { return impl_->EndBlock(); }
std::string ParallelCompressor::flush() { return impl_->Flush(); }
uint64_t ParallelCompressor::total_in() const { return impl_->total_in(); }
uint64_t ParallelCompressor::total_out() const { return impl_->total_out(); }
const ParallelOptions& ParallelCompressor::options() const {
  return impl_->options();
}

// ---------------------------------------------------------------------------
// The descriptor API: the calling thread runs the pipeline itself.

CompressStats CompressFd(int in_fd, int out_fd, const ParallelOptions& options,
                         const ProgressFn& progress) {
  Engine engine(Resolve(options));
  std::vector<std::unique_ptr<BlockJob>> owned;  // all jobs, freed at the end
  tbb::concurrent_queue<BlockJob*> free_jobs;    // reader pops, writer pushes
  CompressStats stats;
  bool eof = false;

  const std::string header = engine.assembler().Header();
  WriteFully(out_fd, reinterpret_cast<const uint8_t*>(header.data()),
             header.size(), 0);
  stats.out_bytes = header.size();

  // A regular file is cut into ranges that the encoders read themselves with
  // pread(): no Block-sized input buffers at all. Anything else is read().
  struct stat st {};
  const off_t start = fstat(in_fd, &st) == 0 && S_ISREG(st.st_mode)
                          ? lseek(in_fd, 0, SEEK_CUR)
                          : -1;
  const bool ranges = start >= 0;
  uint64_t file_end = ranges ? static_cast<uint64_t>(st.st_size) : 0;
  uint64_t next = ranges ? static_cast<uint64_t>(start) : 0;
  const uint64_t block_size = engine.options().block_size;
  if (ranges) engine.set_file(in_fd);

  engine.Run(
      [&]() -> BlockJob* {  // serial reader
        if (eof) return nullptr;
        BlockJob* job = nullptr;
        if (!free_jobs.try_pop(job)) {
          // At most max_blocks_in_flight tokens are in flight, so at most
          // that many jobs exist.
          owned.push_back(std::make_unique<BlockJob>());
          job = owned.back().get();
        }
        if (ranges) {
          if (next + block_size > file_end && fstat(in_fd, &st) == 0) {
            file_end = std::max<uint64_t>(file_end, st.st_size);  // grew?
          }
          job->from_file = true;
          job->file_offset = next;
          job->file_size = std::min(block_size, file_end - next);
          next += job->file_size;
          stats.in_bytes += job->file_size;
          if (job->file_size < block_size) eof = true;
          if (job->file_size > 0) return job;
          free_jobs.push(job);
          return nullptr;
        }
        engine.AttachInput(*job);
        ByteBuffer& in = *job->input;
        in.size = ReadFully(in_fd, in.data.get(), in.capacity, stats.in_bytes);
        stats.in_bytes += in.size;
        if (in.size < in.capacity) eof = true;
        if (in.size == 0) {
          free_jobs.push(job);
          return nullptr;
        }
        return job;
      },
      [&](BlockJob* job) {  // serial writer
        WriteFully(out_fd, job->output->data.get(), job->output->size,
                   stats.out_bytes);
        stats.out_bytes += job->output->size;
        ++stats.blocks;
        engine.ReleaseOutput(*job);
        free_jobs.push(job);
        if (progress && !progress(stats.in_bytes, stats.out_bytes)) {
          engine.cancel().store(true);
          throw Error(ErrorCode::kCancelled, "compress", "cancelled");
        }
      });

  // Leave the descriptor where a read() to the end would have left it.
  if (ranges) lseek(in_fd, static_cast<off_t>(next), SEEK_SET);
  const std::string trailer = engine.assembler().Trailer();
  WriteFully(out_fd, reinterpret_cast<const uint8_t*>(trailer.data()),
             trailer.size(), stats.out_bytes);
  stats.out_bytes += trailer.size();
  return stats;
}

}  // namespace parxz
