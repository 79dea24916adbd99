#include "mpi/share_encoder.h"

#include <cstring>
#include <utility>

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

ShareEncoder::ShareEncoder(const ParallelOptions& options, BlockHook hook)
    : batch_(ResolveCompression(options), std::move(hook)) {}

void ShareEncoder::Encode(const std::vector<std::span<const uint8_t>>& blocks,
                          uint64_t first_block, EncodedBlocks& out) {
  batch_.Encode(blocks, first_block,
                [&](std::span<const uint8_t> block, const BlockRecord& r) {
                  // Only the compressed bytes stay; the window's buffer
                  // serves a later Block.
                  out.data.emplace_back(new uint8_t[block.size()]);
                  std::memcpy(out.data.back().get(), block.data(),
                              block.size());
                  out.sizes.push_back(block.size());
                  out.records.push_back(r);
                });
}

}  // namespace parxz::mpi
