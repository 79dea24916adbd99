// Memory of block-parallel compression next to xz 5.4's: what liblzma's
// threaded encoder (lzma_stream_encoder_mt_memusage, which `xz -T` plans its
// --memlimit-compress with) says for the same options, and how many Blocks
// parxz may keep in flight to stay at or below it.
//
//   uint64_t xz_says = parxz::XzThreadedMemoryUsage(options);
//   parxz::ParallelOptions o = parxz::WithinXzMemory(options, file_input);
//   // MemoryUsage(o, file_input) <= xz_says
//
// Why the two differ: xz's workers each own a Block-sized input buffer and
// the output queue holds 2 × threads Block-bound buffers; parxz keeps
// max_blocks_in_flight slots of an input buffer (none when CompressFd reads
// a regular file) and an output buffer each (MemoryUsage(), which counts
// our real allocation). Plans made with xz's figure are therefore never
// exceeded, and the command line's --memlimit-compress decisions (threads
// lowered, single-threaded mode) and messages are xz's. Single-threaded
// compression (core's Compressor) is lzma_raw_encoder_memusage, as xz -T1.
#ifndef PARXZ_PARALLEL_COMPRESS_COMPRESS_MEMORY_H_
#define PARXZ_PARALLEL_COMPRESS_COMPRESS_MEMORY_H_

#include <cstdint>

#include "parallel/compress/parallel_compressor.h"

namespace parxz {

// lzma_stream_encoder_mt_memusage() for these options (threads resolved as
// ResolveParallelOptions() does, but never clamped to the cores: xz plans
// for the -T it was given). Throws as ResolveParallelOptions().
uint64_t XzThreadedMemoryUsage(const ParallelOptions& options);

// The options resolved, with max_blocks_in_flight (when left 0) the largest
// number, at most the default 2 × threads + 1 and at least 1, for which
// MemoryUsage(result, file_input) <= XzThreadedMemoryUsage(options).
// block_size kBlockSizeAuto without input_size stays kBlockSizeAuto (for
// CompressFd to size from the file; no larger than the default counted
// here, and its lowered dictionary only needs less).
ParallelOptions WithinXzMemory(const ParallelOptions& options,
                               bool file_input);

}  // namespace parxz

#endif  // PARXZ_PARALLEL_COMPRESS_COMPRESS_MEMORY_H_
