#include "parallel/compress/compress_front.h"

#include <cstdint>
#include <utility>
#include <vector>

#include "core/error.h"

namespace parxz {
namespace {

thread_local CompressEngine last_engine = CompressEngine::kParallel;

constexpr char kInit[] = "compressor init";

}  // namespace

const char* CompressEngineName(CompressEngine engine) {
  return engine == CompressEngine::kSequential ? "sequential" : "parallel";
}

CompressPlan PlanCompress(const CompressRequest& r) {
  CompressOptions c{.format = r.format,
                    .check = r.check,
                    .preset = r.preset,
                    .extreme = r.extreme,
                    .filters = r.filters};
  CompressPlan p;
  p.engine = c.format == Format::kXz && !r.sequential
                 ? CompressEngine::kParallel
                 : CompressEngine::kSequential;
  last_engine = p.engine;
  ValidateCompressOptions(c);
  if (p.engine == CompressEngine::kSequential) {
    if (r.threads != 1 || r.block_size != 0 || r.max_blocks_in_flight != 0) {
      throw Error(ErrorCode::kBadOptions, kInit,
                  "threads, block_size and max_blocks_in_flight apply to the "
                  "block-parallel .xz compressor only (not to sequential, "
                  ".lzma or raw)");
    }
    p.sequential = std::move(c);
    return p;
  }
  ParallelOptions& o = p.parallel;
  o.preset = c.preset;
  o.extreme = c.extreme;
  if (c.check) o.check = *c.check;
  o.filters = std::move(c.filters);
  o.threads = r.threads;
  o.block_size = r.block_size;
  o.input_size = r.input_size;
  o.max_blocks_in_flight = r.max_blocks_in_flight;
  o.live = r.live;
  o = ResolveParallelOptions(o);
  return p;
}

uint64_t CompressBound(uint64_t size, const CompressPlan& p) {
  if (p.engine == CompressEngine::kParallel) {
    return ParallelCompressBound(size, p.parallel);
  }
  if (size > SIZE_MAX) return UINT64_MAX;
  const size_t b = CompressBound(static_cast<size_t>(size), p.sequential);
  return b == SIZE_MAX ? UINT64_MAX : b;
}

uint64_t CompressMemory(const CompressPlan& p) {
  return p.engine == CompressEngine::kParallel
             ? MemoryUsage(p.parallel)
             : CompressMemoryUsage(p.sequential);
}

size_t CompressInto(std::string_view data, std::span<uint8_t> out,
                    const CompressPlan& p) {
  if (p.engine == CompressEngine::kSequential) {
    return CompressInto(data, out, p.sequential);
  }
  // Blocks go from the encoders' buffers straight into `out`.
  ParallelCompressor c(p.parallel);
  const auto body = c.compress_into(data, out);
  if (body.consumed == data.size()) {
    const auto rest = c.flush_into(out.subspan(body.produced));
    if (rest.finished) return body.produced + rest.produced;
  }
  throw Error(
      ErrorCode::kTruncated, "compress",
      "output buffer of " + std::to_string(out.size()) + " bytes is too small");
}

PushCompressor::PushCompressor(const CompressPlan& plan) {
  if (plan.engine == CompressEngine::kParallel) {
    parallel_ = std::make_unique<ParallelCompressor>(plan.parallel);
  } else {
    sequential_ = std::make_unique<Compressor>(plan.sequential);
  }
}

PushCompressor::PushCompressor(const CompressOptions& sequential)
    : sequential_(std::make_unique<Compressor>(sequential)) {}

PushCompressor::PushCompressor(const ParallelOptions& parallel)
    : parallel_(std::make_unique<ParallelCompressor>(parallel)) {}

PushCompressor::~PushCompressor() = default;
PushCompressor::PushCompressor(PushCompressor&&) noexcept = default;
PushCompressor& PushCompressor::operator=(PushCompressor&&) noexcept = default;

CompressEngine PushCompressor::engine() const {
  return parallel_ ? CompressEngine::kParallel : CompressEngine::kSequential;
}

std::string PushCompressor::compress(std::string_view data) {
  std::string out =
      parallel_ ? parallel_->compress(data) : sequential_->compress(data);
  total_in_ += data.size();
  total_out_ += out.size();
  return out;
}

std::string PushCompressor::end_block() {
  std::string out;
  if (parallel_) {
    out = parallel_->end_block();
  } else {
    // The sequential engine ends its Block through a caller's buffer.
    std::vector<uint8_t> piece(64 << 10);
    for (;;) {
      const Progress p = sequential_->end_block_into(piece);
      out.append(reinterpret_cast<const char*>(piece.data()), p.produced);
      if (p.finished) break;
    }
  }
  total_out_ += out.size();
  return out;
}

std::string PushCompressor::flush() {
  std::string out = parallel_ ? parallel_->flush() : sequential_->flush();
  total_out_ += out.size();
  return out;
}

PushCompressor::Progress PushCompressor::compress_into(std::string_view data,
                                                       std::span<uint8_t> out) {
  const Progress p = parallel_ ? parallel_->compress_into(data, out)
                               : sequential_->compress_into(data, out);
  total_in_ += p.consumed;
  total_out_ += p.produced;
  return p;
}

PushCompressor::Progress PushCompressor::flush_into(std::span<uint8_t> out) {
  const Progress p =
      parallel_ ? parallel_->flush_into(out) : sequential_->flush_into(out);
  total_out_ += p.produced;
  return p;
}

CompressEngine LastCompressEngine() { return last_engine; }

}  // namespace parxz
