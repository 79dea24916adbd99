// How much of a .xz file the parallel decoder decodes at once: memory limits
// in, threads and Blocks in flight out. Pure arithmetic, no I/O, no threads
// (but for ResolveMemoryLimits(soft, hard), which reads the system's limits).
//
//   const MemoryLimits limits = ResolveMemoryLimits(soft, hard);
//   const BlockBuffers need{.in = compressed, .out = uncompressed};
//   if (std::optional<RunPlan> plan = PlanRun(
//           threads, limits.soft, decoder_memory,
//           PlannedBlockMemory(need, how))) {
//     ... decode up to plan->tokens Blocks at once on plan->threads ...
//   }
//
// The two limits are those of liblzma's threaded decoder (lzma_mt in
// lzma/container.h, lzma_stream_decoder_mt):
//   memlimit_threading (our soft limit): threads are reduced until the
//     memory fits; when even the fewest threads would not fit, decoding goes
//     on single-threaded and may exceed it. It never causes an error.
//   memlimit_stop (our hard limit): a Block whose filters need more fails
//     with LZMA_MEMLIMIT_ERROR even when decoding single-threaded.
// As there, a soft limit above the hard one is the hard one, and a limit of
// 0 counts as 1 (stream_decoder_mt.c: my_max(1, ...)). The default soft limit
// is a quarter of the memory the process may use (parallel/common/system_memory.h:
// the smallest of the RAM, the cgroup limit and RLIMIT_AS/RLIMIT_DATA; xz's
// default for --memlimit-mt-decompress is a quarter of the RAM alone); the
// default hard limit is none.
//
// A parallel run costs
//   threads × decoder_memory + tokens × block_memory
// where decoder_memory is lzma_raw_decoder_memusage() of the Block's filters
// and block_memory what one Block in flight holds: its output (unless only
// verifying) and, for inputs that are not in memory, its compressed bytes.
// Each decoder's 1 MiB scratch is not counted (as xz does not count its
// buffers).
#ifndef PARXZ_PARALLEL_DECODE_RUN_PLANNER_H_
#define PARXZ_PARALLEL_DECODE_RUN_PLANNER_H_

#include <cstdint>
#include <optional>

#include "parallel/common/system_memory.h"

namespace parxz {

struct MemoryLimits {
  uint64_t soft;  // memlimit_threading
  uint64_t hard;  // memlimit_stop
};

// `soft`/`hard` as the options give them (nullopt: the default soft limit
// of `sources`, parallel/common/system_memory.h's DefaultSoftLimit()).
MemoryLimits ResolveMemoryLimits(std::optional<uint64_t> soft,
                                 std::optional<uint64_t> hard,
                                 const MemorySources& sources);
// The same with this process's sources (ReadMemorySources()).
MemoryLimits ResolveMemoryLimits(std::optional<uint64_t> soft,
                                 std::optional<uint64_t> hard);

// The sizes of one Block in flight.
struct BlockBuffers {
  uint64_t in = 0;   // bytes after its header, to the end of its Check
  uint64_t out = 0;  // uncompressed size
};

// How a run holds Blocks: whether output is kept (not when only
// verifying), and whether the input is in memory (Blocks are then views
// into it, costing nothing).
struct BufferUse {
  bool keeps_output = true;
  bool in_memory = true;
};

// What `b` holds while in flight.
uint64_t BlockMemory(const BlockBuffers& b, BufferUse use);

// What a run plans per Block in flight, from its first Block `b`: the same
// output, and input up to what the format allows for that output
// (lzma_block_buffer_bound), so that Blocks of the same size that compressed
// a little worse still fit the run (ending a run idles a thread while the
// pipeline drains).
uint64_t PlannedBlockMemory(const BlockBuffers& b, BufferUse use);

// A parallel run: at most `tokens` Blocks in flight, decoded by `threads`.
struct RunPlan {
  unsigned threads = 0;
  unsigned tokens = 0;
  uint64_t block_memory = 0;    // per Block in flight
  uint64_t decoder_memory = 0;  // per decoding thread
  uint64_t total() const {
    return threads * decoder_memory + tokens * block_memory;
  }
  // A later Block joins the run only if it needs no more than planned.
  bool Fits(uint64_t block, uint64_t decoder) const {
    return block <= block_memory && decoder <= decoder_memory;
  }
};

// The most threads (at most `threads`), then the most Blocks in flight
// (2 per thread, down to one per thread), whose cost stays within `soft`;
// nullopt when even two threads would not fit: decode sequentially, as
// lzma_stream_decoder_mt falls back to single-threaded decoding.
std::optional<RunPlan> PlanRun(unsigned threads, uint64_t soft,
                               uint64_t decoder_memory, uint64_t block_memory);

}  // namespace parxz

#endif  // PARXZ_PARALLEL_DECODE_RUN_PLANNER_H_
