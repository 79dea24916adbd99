// mpi/block_plan: for many decompositions, every Block is encoded by
// exactly one rank, which holds its first byte, and what the ranks send
// covers the rest of each Block exactly once.
#include "mpi/block_plan.h"

#include <gtest/gtest.h>

#include <random>
#include <vector>

namespace parxz::mpi {
namespace {

// Checks the plan against a byte-by-byte model of the concatenation.
void CheckPlan(const std::vector<uint64_t>& sizes, uint64_t bs) {
  const BlockPlan plan(sizes, bs);
  const int n = static_cast<int>(sizes.size());
  const uint64_t total = plan.total();
  // who[i]: the rank that supplies byte i to its Block's encoder (-1: none).
  std::vector<int> encoder_of(total, -1);
  uint64_t blocks_seen = 0;
  for (int r = 0; r < n; ++r) {
    const BlockPlan::Range owned = plan.owned(r);
    for (uint64_t b = owned.first; b < owned.last; ++b) {
      ++blocks_seen;
      EXPECT_GE(b * bs, plan.start(r));
      EXPECT_LT(b * bs, plan.end(r));
      for (uint64_t i = b * bs; i < b * bs + plan.block_bytes(b); ++i) {
        if (i < plan.end(r)) {
          EXPECT_EQ(encoder_of[i], -1);
          encoder_of[i] = r;
        }
      }
    }
    // Received pieces fill the rest of the last Block, in order.
    uint64_t next = plan.end(r);
    for (const Piece& p : plan.receive(r)) {
      EXPECT_EQ(p.offset, next);
      EXPECT_EQ(plan.send(p.peer).peer, r);
      for (uint64_t i = p.offset; i < p.offset + p.size; ++i) {
        EXPECT_EQ(encoder_of[i], -1);
        encoder_of[i] = r;
      }
      next += p.size;
    }
    if (owned.count() > 0) {
      EXPECT_EQ(next, std::max(plan.end(r), std::min(total, owned.last * bs)));
    }
  }
  EXPECT_EQ(blocks_seen, plan.blocks());
  for (uint64_t i = 0; i < total; ++i) {
    ASSERT_NE(encoder_of[i], -1) << "byte " << i;
    EXPECT_EQ(encoder_of[i], plan.holder(i / bs * bs));
  }
  // Every sent piece is received by its peer.
  for (int r = 0; r < n; ++r) {
    const Piece s = plan.send(r);
    if (s.peer < 0) continue;
    bool found = false;
    for (const Piece& p : plan.receive(s.peer)) found |= p.peer == r;
    EXPECT_TRUE(found) << "rank " << r;
  }
}

TEST(BlockPlan, HandPicked) {
  CheckPlan({100, 0, 5000, 1}, 1024);
  CheckPlan({0, 0, 0}, 10);
  CheckPlan({1, 1, 1, 1}, 10);
  CheckPlan({10, 10, 10}, 10);
  CheckPlan({5, 0, 0, 3, 2, 40}, 10);
  const BlockPlan p({100, 0, 5000, 1}, 1024);
  EXPECT_EQ(p.owned(2).first, 1u);
  EXPECT_EQ(p.owned(2).last, 5u);
  EXPECT_EQ(p.send(2).peer, 0);
  EXPECT_EQ(p.send(2).size, 924u);
  EXPECT_EQ(p.send(3).peer, 2);
  EXPECT_EQ(p.owned(1).count(), 0u);
}

TEST(BlockPlan, Random) {
  std::mt19937 rng(5);
  for (int iter = 0; iter < 300; ++iter) {
    const int n = 1 + rng() % 9;
    const uint64_t bs = 1 + rng() % 40;
    std::vector<uint64_t> sizes(n);
    for (auto& s : sizes) s = rng() % 4 == 0 ? 0 : rng() % 90;
    CheckPlan(sizes, bs);
  }
}

TEST(BlockPlan, EvenBlockSharesAreWholeBlocks) {
  for (uint64_t size : {0u, 1u, 99u, 100u, 1001u}) {
    for (int n = 1; n <= 5; ++n) {
      const std::vector<uint64_t> s = EvenBlockShares(size, 100, n);
      const BlockPlan plan(s, 100);
      EXPECT_EQ(plan.total(), size);
      for (int r = 0; r < n; ++r) {
        EXPECT_EQ(plan.send(r).peer, -1);
        EXPECT_TRUE(plan.receive(r).empty());
      }
    }
  }
}

}  // namespace
}  // namespace parxz::mpi
