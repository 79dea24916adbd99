#include "parallel/decode/run_planner.h"

#include <lzma.h>

#include <algorithm>
#include <cstddef>

#include "core/options.h"

namespace parxz {

MemoryLimits ResolveMemoryLimits(std::optional<uint64_t> soft,
                                 std::optional<uint64_t> hard,
                                 const MemorySources& sources) {
  MemoryLimits m;
  m.hard = LzmaMemLimit(hard);
  m.soft =
      soft ? std::max<uint64_t>(1, *soft) : DefaultSoftLimit(sources).limit;
  m.soft = std::min(m.soft, m.hard);
  return m;
}

MemoryLimits ResolveMemoryLimits(std::optional<uint64_t> soft,
                                 std::optional<uint64_t> hard) {
  // The system is read only when the default is needed.
  return ResolveMemoryLimits(soft, hard,
                             soft ? MemorySources{} : ReadMemorySources());
}

uint64_t BlockMemory(const BlockBuffers& b, BufferUse use) {
  return (use.keeps_output ? b.out : 0) + (use.in_memory ? 0 : b.in);
}

uint64_t PlannedBlockMemory(const BlockBuffers& b, BufferUse use) {
  if (use.in_memory) return BlockMemory(b, use);
  const uint64_t bound = lzma_block_buffer_bound(
      static_cast<size_t>(std::min<uint64_t>(b.out, SIZE_MAX / 2)));
  return (use.keeps_output ? b.out : 0) + std::max<uint64_t>(b.in, bound);
}

std::optional<RunPlan> PlanRun(unsigned threads, uint64_t soft,
                               uint64_t decoder_memory, uint64_t block_memory) {
  using Wide = unsigned __int128;
  for (unsigned n = threads; n >= 2; --n) {
    const Wide decoders = Wide{n} * decoder_memory;
    if (decoders > soft) continue;
    Wide tokens = 2 * Wide{n};
    if (block_memory > 0) {
      tokens = std::min(tokens, (soft - decoders) / block_memory);
    }
    // Fewer Blocks in flight than threads would leave threads idle: that
    // plan is the one with fewer threads, tried next.
    if (tokens >= n) {
      return RunPlan{n, static_cast<unsigned>(tokens), block_memory,
                     decoder_memory};
    }
  }
  return std::nullopt;
}

}  // namespace parxz
