#include "parallel/compress/compress_memory.h"

#include <lzma.h>

#include "core/error.h"

namespace parxz {

uint64_t XzThreadedMemoryUsage(const ParallelOptions& options) {
  const ResolvedCompression r = ResolveCompression(options);
  lzma_mt mt{};
  mt.threads = options.threads == 0 ? r.options.threads : options.threads;
  mt.block_size = r.options.block_size;
  mt.filters = r.filters.get();
  mt.check = r.check;
  const uint64_t m = lzma_stream_encoder_mt_memusage(&mt);
  if (m == UINT64_MAX) {
    throw Error(ErrorCode::kBadOptions, "compress_memusage",
                "Invalid or unsupported options");
  }
  return m;
}

ParallelOptions WithinXzMemory(const ParallelOptions& options,
                               bool file_input) {
  ParallelOptions r = ResolveParallelOptions(options);
  if (options.max_blocks_in_flight != 0) return r;
  const uint64_t xz = XzThreadedMemoryUsage(options);
  while (r.max_blocks_in_flight > 1 && MemoryUsage(r, file_input) > xz) {
    --r.max_blocks_in_flight;
  }
  // Auto without a size stays auto, for CompressFd to size from the file
  // and the threads asked for; the Blocks in flight were counted at xz's
  // default, auto's largest.
  if (options.block_size == kBlockSizeAuto && !options.input_size) {
    r.block_size = kBlockSizeAuto;
    if (options.threads != 0) r.threads = options.threads;
  }
  return r;
}

}  // namespace parxz
