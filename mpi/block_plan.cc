#include "mpi/block_plan.h"

#include <algorithm>

namespace parxz::mpi {

namespace {
uint64_t CeilDiv(uint64_t a, uint64_t b) { return a / b + (a % b != 0); }
}  // namespace

BlockPlan::BlockPlan(const std::vector<uint64_t>& sizes, uint64_t block_size)
    : block_size_(block_size) {
  start_.reserve(sizes.size() + 1);
  start_.push_back(0);
  for (uint64_t s : sizes) start_.push_back(start_.back() + s);
}

uint64_t BlockPlan::blocks() const { return CeilDiv(total(), block_size_); }

uint64_t BlockPlan::block_bytes(uint64_t b) const {
  return std::min(total(), (b + 1) * block_size_) - b * block_size_;
}

BlockPlan::Range BlockPlan::owned(int r) const {
  return {
      CeilDiv(start(r), block_size_),
      std::max(CeilDiv(start(r), block_size_), CeilDiv(end(r), block_size_))};
}

int BlockPlan::holder(uint64_t pos) const {
  // The last rank starting at or before `pos`; empty ranks share their
  // start with the next one, so this is the non-empty rank that holds it.
  auto it = std::upper_bound(start_.begin(), start_.end(), pos);
  return static_cast<int>(it - start_.begin()) - 1;
}

Piece BlockPlan::send(int r) const {
  if (start(r) == end(r) || start(r) % block_size_ == 0) return {};
  const uint64_t block = start(r) / block_size_;
  const uint64_t stop = std::min(end(r), (block + 1) * block_size_);
  return {holder(block * block_size_), start(r), stop - start(r)};
}

std::vector<Piece> BlockPlan::receive(int r) const {
  std::vector<Piece> pieces;
  const Range mine = owned(r);
  if (mine.count() == 0) return pieces;
  const uint64_t block_end =
      std::min(total(), mine.last * block_size_);  // end of the last Block
  for (int s = r + 1; s < ranks() && start(s) < block_end; ++s) {
    Piece p = send(s);
    if (p.size == 0) continue;
    p.peer = s;
    pieces.push_back(p);
  }
  return pieces;
}

std::vector<uint64_t> EvenBlockShares(uint64_t size, uint64_t block_size,
                                      int ranks) {
  const uint64_t blocks = CeilDiv(size, block_size);
  std::vector<uint64_t> sizes(ranks);
  for (int r = 0; r < ranks; ++r) {
    const uint64_t first = blocks * r / ranks;
    const uint64_t last = blocks * (r + 1) / ranks;
    sizes[r] =
        std::min(size, last * block_size) - std::min(size, first * block_size);
  }
  return sizes;
}

}  // namespace parxz::mpi
