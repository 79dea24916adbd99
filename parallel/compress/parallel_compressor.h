// Block-parallel .xz compression on oneTBB.
//
// The input is cut into Blocks of `block_size` bytes; worker threads compress
// them independently and the Blocks come out in order as one standard .xz
// stream (Stream Header, Blocks that record their sizes, Index, Footer). The
// bytes depend only on the input and the options (never on `threads` or on
// how the input is split into compress() calls) and equal what
// `xz -T2 --block-size=B` writes with the same preset, check and filters;
// only block_size = kBlockSizeAuto makes them depend on `threads` too.
//
//   parxz::ParallelCompressor c({.preset = 6, .threads = 0});  // all cores
//   std::string out;
//   while (read_some(chunk)) out += c.compress(chunk);  // returns finished
//   out += c.flush();                                   // Blocks in order
//
// For files and pipes, CompressFd() reads and writes descriptors itself; for
// a caller's buffer, compress_into()/flush_into() write into it directly.
//
// How it runs: the calling thread fills Blocks and hands each to a
// tbb::task_group task in the compressor's own tbb::task_arena of `threads`
// slots; it takes finished Blocks back in submission order itself (it is the
// sequencer), so no helper thread, queue or pipeline stage sits in between.
// oneTBB's shared pool has one worker fewer than there are cores, counting on
// the calling thread to work too: whenever the caller must wait (at the
// in-flight bound, in end_block()/flush()), it encodes the oldest Blocks
// that no worker has started, then waits inside the arena: up to
// threads - 1 workers plus the caller encode, Blocks roughly in stream order.
// A Block submitted by end_block()/flush() (or at the end of CompressFd's
// input) with no other Block in flight is not handed to a worker at all:
// the caller encodes it, so a small input (at most one Block) costs no
// thread wake-up and no arena (parallel/compress/compress_front.h).
//
// Memory: at most `max_blocks_in_flight` Blocks exist between filling and
// handing out; see MemoryUsage() for the formula (an upper bound: a slot's
// buffers grow with the data given, up to a Block's). A ParallelCompressor is
// used by one thread at a time; distinct compressors run concurrently and
// independently.
#ifndef PARXZ_PARALLEL_COMPRESS_PARALLEL_COMPRESSOR_H_
#define PARXZ_PARALLEL_COMPRESS_PARALLEL_COMPRESSOR_H_

#include <lzma.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "core/compressor.h"
#include "core/error.h"
#include "core/options.h"
#include "parallel/common/live_progress.h"
#include "parallel/compress/block_sizing.h"

namespace parxz {

struct ParallelOptions {
  // 0..9, default 6 (same as `xz -6`); may carry kPresetExtreme.
  std::optional<uint32_t> preset;
  bool extreme = false;
  // Integrity check of every Block; default CRC64 as xz.
  Check check = Check::kCrc64;
  // A custom chain instead of the preset (not together with preset/extreme).
  std::optional<FilterChain> filters;
  // Worker threads; 0 = the CPUs this process may run on (its affinity mask
  // and cgroup CPU quota: parallel/common/threads.h's PlanThreads(); the C API
  // defaults to 1 instead, see capi/parxz.h). N is N, as in xz, also beyond
  // those CPUs (the output is the same for every value anyway).
  unsigned threads = 0;
  // Uncompressed bytes per Block; 0 = xz's default, max(3 × dict_size, 1 MiB)
  // (24 MiB at -6). At most 2^50. kBlockSizeAuto
  // (parallel/compress/block_sizing.h): sized so that every thread gets a
  // Block, from `input_size` (CompressFd takes a regular file's size itself):
  // ceil(size / threads) in whole MiB, between 1 MiB and xz's default; below
  // the dictionary size the dictionary is lowered to the smallest LZMA2 size
  // (2^n or 2^n + 2^(n-1)) that holds a whole Block. The bytes then depend on
  // the input size and `threads` (as given; 0 = the cores); without a size,
  // xz's default.
  uint64_t block_size = 0;
  // The total input size, when known ahead; used by kBlockSizeAuto only.
  std::optional<uint64_t> input_size;
  // Blocks between filling and handing out; 0 = 2 × threads + 1. Lower it to
  // save memory at the cost of idle workers when Blocks finish out of order.
  unsigned max_blocks_in_flight = 0;
  // Optional live counters (parallel/common/live_progress.h) the encoders add
  // to while they work; not owned, must outlive the compressor or the call.
  LiveProgress* live = nullptr;
};

// The options with every default filled in (threads, block_size, ...);
// when kBlockSizeAuto lowered the dictionary, `filters` holds the chain
// with it (a preset becomes its LZMA2 filter) and preset/extreme are unset.
// Throws Error(kBadOptions / kUnsupported) for invalid options, with core's
// ValidateCompressOptions() checks and messages (CPython's) for what the
// options share with CompressOptions, so every compressor says the same.
ParallelOptions ResolveParallelOptions(const ParallelOptions& options);

// Resolved options with what every Block encoder for them is built from:
// the one place that turns ParallelOptions into liblzma's terms, for the
// compressor here and for drivers that encode Blocks themselves (mpi/,
// through parallel/compress/block_batch_encoder.h), so their Blocks are the
// compressor's byte for byte.
struct ResolvedCompression {
  ParallelOptions options;  // ResolveParallelOptions()'s
  // The preset's LZMA2 filter or the custom chain, with kBlockSizeAuto's
  // dictionary; LZMA_VLI_UNKNOWN-terminated.
  LzmaFilters filters;
  lzma_check check;  // options.check in liblzma's terms
};
// Throws as ResolveParallelOptions().
ResolvedCompression ResolveCompression(const ParallelOptions& options);

// Upper bound of the memory the compressor allocates, in bytes:
//   threads × encoder_memory(filters)              (~95 MiB each at -6)
//   + max_blocks_in_flight × block_size            (input buffers)
//   + max_blocks_in_flight × bound(block_size)     (output buffers)
// Each of the max_blocks_in_flight Block slots keeps its buffers for reuse.
// Output buffers are sized for incompressible data but only the pages that
// compressed bytes touch become resident. `file_input`: CompressFd() on a
// regular file, which needs no input buffers (encoders pread() their range
// through a 1 MiB chunk each): threads × 1 MiB instead. Defaults at -6 with
// 2 threads: 5 Blocks of 24 MiB in flight. xz's own estimate for the same
// options, and the Blocks in flight that stay below it:
// parallel/compress/compress_memory.h.
uint64_t MemoryUsage(const ParallelOptions& options, bool file_input = false);

// The largest output the parallel compressor can produce for `size` input
// bytes with these options (a whole stream: compress() calls plus flush(),
// without end_block()), for sizing a caller's buffer:
//   24                                   Stream Header and Footer
//   + full × lzma_block_buffer_bound(block_size) + lzma_block_buffer_bound(r)
//                                        full = size / block_size Blocks and
//                                        the last one of r = size % block_size
//                                        bytes (if r > 0); the encoder stores
//                                        a Block uncompressed rather than
//                                        exceed this
//   + the Index for those Blocks         with sizes at these bounds
// Incompressible data comes within 100 bytes per Block of it. Saturates at
// UINT64_MAX. With kBlockSizeAuto and no input_size, the Blocks are those
// of `size` input bytes. Throws Error(kBadOptions / kUnsupported) for
// invalid options.
uint64_t ParallelCompressBound(uint64_t size, const ParallelOptions& options);

class ParallelCompressor {
 public:
  // Throws Error(kBadOptions / kUnsupported) for invalid options.
  explicit ParallelCompressor(const ParallelOptions& options = {});
  // Stops the workers and discards unfinished work (never "finishes" the
  // stream: call flush() for that).
  ~ParallelCompressor();
  ParallelCompressor(const ParallelCompressor&) = delete;
  ParallelCompressor& operator=(const ParallelCompressor&) = delete;

  // Takes `data` (copied into Block buffers), hands every full Block to the
  // workers and returns the compressed bytes of the Blocks finished so far,
  // in order (the Stream Header first). Waits only while
  // max_blocks_in_flight Blocks are already in flight.
  std::string compress(std::string_view data);
  // Ends the current Block now (like LZMA_FULL_FLUSH) and waits until
  // everything given so far is compressed and returned, so that a decoder
  // can decode all of it. The next data starts a new Block.
  std::string end_block();
  // Ends the last Block, writes Index and Stream Footer, returns the rest.
  // Afterwards every call is a kMisuse error.
  std::string flush();

  // Zero-copy forms, as core's Compressor's: compressed bytes go straight
  // from the encoders' buffers into `out`.
  using Progress = Compressor::Progress;
  // Writes finished output into `out` and takes input, until all of `data`
  // is taken or `out` is full while max_blocks_in_flight Blocks wait to be
  // handed out (then consumed < data.size(): call again with more room).
  Progress compress_into(std::string_view data, std::span<uint8_t> out);
  // Ends the stream and writes as much of its rest as fits; call until
  // `finished`. Afterwards compress*() and flush() are kMisuse errors.
  Progress flush_into(std::span<uint8_t> out);

  // Uncompressed bytes taken / compressed bytes returned so far.
  uint64_t total_in() const;
  uint64_t total_out() const;
  const ParallelOptions& options() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

// What CompressFd() did.
struct CompressStats {
  uint64_t in_bytes = 0;
  uint64_t out_bytes = 0;
  uint64_t blocks = 0;
};

// CompressFd calls its ProgressFn (parallel/common/live_progress.h) from the
// writer, in order, after each Block is written, with the totals so far.

// Compresses everything readable from `in_fd` (read to EOF; a regular file is
// read in Block ranges with pread(), a pipe with read()) into one .xz stream
// written to `out_fd`. Output is identical to ParallelCompressor's. Throws
// Error: kIo (with errno text) on read/write failures, or the first Block's
// error; on error the output written so far is incomplete and must be
// discarded.
CompressStats CompressFd(int in_fd, int out_fd, const ParallelOptions& options,
                         const ProgressFn& progress = nullptr);

}  // namespace parxz

#endif  // PARXZ_PARALLEL_COMPRESS_PARALLEL_COMPRESSOR_H_
