#include "mpi/share_encoder.h"

#include <oneapi/tbb/parallel_for.h>

#include <cstring>
#include <exception>

#include "core/error.h"

namespace parxz::mpi {

uint64_t EncodedBlocks::bytes() const {
  uint64_t n = 0;
  for (size_t s : sizes) n += s;
  return n;
}

std::vector<std::span<const uint8_t>> EncodedBlocks::pieces() const {
  std::vector<std::span<const uint8_t>> out;
  for (size_t i = 0; i < data.size(); ++i)
    out.emplace_back(data[i].get(), sizes[i]);
  return out;
}

LzmaFilters FiltersFor(const ParallelOptions& o) {
  // Kept in step with parallel_compressor.cc's Resolve() (which has no
  // room for a public form): the same preset-or-chain rule.
  if (o.filters) return LzmaFilters::FromChain(*o.filters);
  return LzmaFilters::FromPreset(o.preset.value_or(kPresetDefault) |
                                 (o.extreme ? kPresetExtreme : 0));
}

ShareEncoder::ShareEncoder(const ParallelOptions& resolved, BlockHook hook)
    : options_(resolved),
      filters_(FiltersFor(resolved)),
      check_(static_cast<lzma_check>(static_cast<int>(resolved.check))),
      hook_(std::move(hook)),
      arena_(resolved.threads) {}

ShareEncoder::~ShareEncoder() = default;

void ShareEncoder::Encode(const std::vector<std::span<const uint8_t>>& blocks,
                          uint64_t first_block, EncodedBlocks& out) {
  const size_t base = out.data.size();
  out.data.resize(base + blocks.size());
  out.sizes.resize(base + blocks.size());
  out.records.resize(base + blocks.size());
  std::vector<std::exception_ptr> errors(blocks.size());
  std::atomic<bool> cancel{false};
  auto encode = [&](size_t i) {
    std::unique_ptr<Worker> w;
    try {
      if (!idle_.try_pop(w)) {
        w = std::make_unique<Worker>(filters_.get(), check_,
                                     options_.block_size);
      }
      if (hook_) hook_(first_block + i);
      MemoryBlockInput in(blocks[i]);
      out.records[base + i] =
          w->encoder.Encode(in, w->scratch, &cancel, options_.live);
      // Keep only the compressed bytes; the scratch serves the next Block.
      out.data[base + i].reset(new uint8_t[w->scratch.size]);
      std::memcpy(out.data[base + i].get(), w->scratch.data.get(),
                  w->scratch.size);
      out.sizes[base + i] = w->scratch.size;
    } catch (...) {
      errors[i] = std::current_exception();
      cancel.store(true);
    }
    if (w) idle_.push(std::move(w));
  };
  arena_.execute([&] {
    tbb::parallel_for(
        tbb::blocked_range<size_t>(0, blocks.size(), 1),
        [&](const tbb::blocked_range<size_t>& r) {
          for (size_t i = r.begin(); i != r.end(); ++i) encode(i);
        },
        tbb::simple_partitioner());
  });
  // The first real failure in order; a kCancelled Block only followed one.
  std::exception_ptr cancelled;
  for (const std::exception_ptr& e : errors) {
    if (!e) continue;
    try {
      std::rethrow_exception(e);
    } catch (const Error& err) {
      if (err.code() == ErrorCode::kCancelled) {
        if (!cancelled) cancelled = e;
        continue;
      }
      throw;
    }
  }
  if (cancelled) std::rethrow_exception(cancelled);
}

}  // namespace parxz::mpi
