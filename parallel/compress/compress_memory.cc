#include "parallel/compress/compress_memory.h"

#include <lzma.h>

#include "core/error.h"
#include "core/options.h"

namespace parxz {

uint64_t XzThreadedMemoryUsage(const ParallelOptions& options) {
  const ParallelOptions r = ResolveParallelOptions(options);
  const uint32_t preset = r.preset.value_or(kPresetDefault) |
                          (r.extreme ? kPresetExtreme : 0);
  LzmaFilters f =
      r.filters ? LzmaFilters::FromChain(*r.filters) : LzmaFilters::FromPreset(preset);
  lzma_mt mt{};
  mt.threads = options.threads == 0 ? r.threads : options.threads;
  mt.block_size = r.block_size;
  mt.filters = f.get();
  mt.check = static_cast<lzma_check>(r.check);
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
