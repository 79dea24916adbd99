// The one compress front: every binding (capi/, python/, tools/) states what
// it wants as a CompressRequest, this file picks the engine, and every
// binding pushes data through one surface, PushCompressor, whichever engine
// is inside.
//
//   parxz::PushCompressor c(parxz::PlanCompress({.threads = 4}));
//   std::string out = c.compress(part1);
//   out += c.end_block();       // a decoder can decode all of part1 now
//   out += c.compress(part2);
//   out += c.flush();
//
// The rule (PlanCompress), after the options are validated (core's
// ValidateCompressOptions, then ResolveParallelOptions, with CPython's
// messages):
//
//   format   sequential   engine        bytes
//   kXz      false        kParallel     `xz -T2 --block-size=B` for every
//                                       thread count (ParallelCompressor)
//   kXz      true         kSequential   `xz -T1`: one Block without sizes
//                                       (core's Compressor)
//   kAlone,  any          kSequential   core's Compressor
//   kRaw
//
// Small inputs stay on the calling thread: threads share the work by Blocks,
// so the parallel engine encodes a Block that nothing else can overlap with
// (the last one, at end_block()/flush() or the end of CompressFd's input,
// with no other Block in flight: every input of at most one Block,
// block_size bytes) on the calling thread, with the same Block encoder and
// the same bytes, waking no worker; and its Block buffers grow with the data
// instead of taking block_size (24 MiB at -6) at once. One-shot input of a
// Block or less thus costs what liblzma's own one-shot encoder costs.
//
// `threads` never switches the format (the bytes stay those of the engine's
// format for every thread count); `sequential` does, and each binding sets it
// from its own surface (the C API's `sequential`, Python's LZMACompressor vs
// ParallelCompressor, the command line's -T1). threads other than 1,
// block_size and max_blocks_in_flight are refused for kSequential.
#ifndef PARXZ_PARALLEL_COMPRESS_COMPRESS_FRONT_H_
#define PARXZ_PARALLEL_COMPRESS_COMPRESS_FRONT_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "core/compressor.h"
#include "core/options.h"
#include "parallel/common/live_progress.h"
#include "parallel/compress/parallel_compressor.h"

namespace parxz {

// The one options vocabulary of compression.
struct CompressRequest {
  Format format = Format::kXz;  // kXz, kAlone or kRaw
  std::optional<Check> check;   // default kCrc64 for kXz
  std::optional<uint32_t> preset;
  bool extreme = false;
  std::optional<FilterChain> filters;
  // xz's single-threaded .xz format (core's Compressor) instead of the
  // block-parallel one.
  bool sequential = false;
  // Parallel engine only (ParallelOptions): threads (0 = the CPUs this
  // process may run on), Block size, the whole input's size when known (for
  // kBlockSizeAuto), Blocks in flight.
  unsigned threads = 1;
  uint64_t block_size = 0;
  std::optional<uint64_t> input_size;
  unsigned max_blocks_in_flight = 0;
  LiveProgress* live = nullptr;
};

enum class CompressEngine : int {
  kSequential = 0,  // core's Compressor
  kParallel = 1,    // ParallelCompressor
};

// "sequential", "parallel".
const char* CompressEngineName(CompressEngine engine);

// A validated request in its engine's options: exactly one of `sequential`
// and `parallel` is meaningful, as `engine` says.
struct CompressPlan {
  CompressEngine engine = CompressEngine::kParallel;
  CompressOptions sequential;
  ParallelOptions parallel;  // resolved (ResolveParallelOptions)
};

// The rule above. Throws Error(kBadOptions / kUnsupported).
CompressPlan PlanCompress(const CompressRequest& request);

// Upper bound of the one-shot output for `size` input bytes (saturates).
uint64_t CompressBound(uint64_t size, const CompressPlan& plan);
// Memory the engine allocates at most, in bytes.
uint64_t CompressMemory(const CompressPlan& plan);
// One-shot into a caller's buffer; returns the bytes written. kTruncated
// when `out` is too small (CompressBound() is enough).
size_t CompressInto(std::string_view data, std::span<uint8_t> out,
                    const CompressPlan& plan);

// One push surface over both engines. compress() may buffer input (the
// parallel engine until a Block is full, liblzma inside the sequential one);
// end_block() returns everything given so far, decodable; flush() ends the
// stream, once. Errors are parxz::Error; after flush() every call is a
// kMisuse error (the engines' own). One thread at a time per object.
class PushCompressor {
 public:
  explicit PushCompressor(const CompressPlan& plan);
  // An engine's own options (the command line fits them to its memory
  // limit first).
  explicit PushCompressor(const CompressOptions& sequential);
  explicit PushCompressor(const ParallelOptions& parallel);
  ~PushCompressor();
  PushCompressor(PushCompressor&&) noexcept;
  PushCompressor& operator=(PushCompressor&&) noexcept;

  using Progress = Compressor::Progress;
  std::string compress(std::string_view data);
  // Ends the current Block now (.xz: LZMA_FULL_FLUSH / a parallel Block
  // boundary; raw: LZMA_SYNC_FLUSH; .lzma: kUnsupported).
  std::string end_block();
  std::string flush();
  // Zero-copy forms: until all input is taken or `out` is full; flush_into()
  // until `finished`.
  Progress compress_into(std::string_view data, std::span<uint8_t> out);
  Progress flush_into(std::span<uint8_t> out);

  // Uncompressed bytes taken / compressed bytes returned so far.
  uint64_t total_in() const { return total_in_; }
  uint64_t total_out() const { return total_out_; }
  CompressEngine engine() const;

 private:
  std::unique_ptr<Compressor> sequential_;
  std::unique_ptr<ParallelCompressor> parallel_;
  uint64_t total_in_ = 0;
  uint64_t total_out_ = 0;
};

// The engine the last PlanCompress() of this thread chose (also when the
// call then failed): how the bindings' tests see the choice.
CompressEngine LastCompressEngine();

}  // namespace parxz

#endif  // PARXZ_PARALLEL_COMPRESS_COMPRESS_FRONT_H_
