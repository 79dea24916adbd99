// The run planner on its own: memory limits as lzma_mt's memlimit_threading
// and memlimit_stop, and the threads and Blocks in flight that fit them.
#include "parallel/decode/run_planner.h"

#include <gtest/gtest.h>
#include <lzma.h>

#include <optional>
#include <vector>

namespace parxz {
namespace {

constexpr uint64_t kMiB = 1 << 20;

TEST(RunPlanner, ResolveMemoryLimits) {
  struct Case {
    std::optional<uint64_t> soft, hard;
    uint64_t physmem;
    uint64_t want_soft, want_hard;
  };
  const std::vector<Case> cases = {
      // Defaults: a quarter of the RAM (xz), no hard limit.
      {std::nullopt, std::nullopt, 16ull << 30, 4ull << 30, UINT64_MAX},
      // RAM unknown (lzma_physmem() == 0): 1 GiB assumed.
      {std::nullopt, std::nullopt, 0, 256 * kMiB, UINT64_MAX},
      // Given values stand.
      {64 * kMiB, 128 * kMiB, 16ull << 30, 64 * kMiB, 128 * kMiB},
      // The soft limit never exceeds the hard one (lzma_mt).
      {512 * kMiB, 128 * kMiB, 16ull << 30, 128 * kMiB, 128 * kMiB},
      {std::nullopt, 1 * kMiB, 16ull << 30, 1 * kMiB, 1 * kMiB},
      // 0 counts as 1, as in liblzma.
      {0, 0, 16ull << 30, 1, 1},
      {0, std::nullopt, 16ull << 30, 1, UINT64_MAX},
  };
  for (const Case& c : cases) {
    const MemoryLimits m = ResolveMemoryLimits(
        c.soft, c.hard, MemorySources{.physmem = c.physmem});
    EXPECT_EQ(m.soft, c.want_soft)
        << c.soft.value_or(-1) << " " << c.hard.value_or(-1);
    EXPECT_EQ(m.hard, c.want_hard)
        << c.soft.value_or(-1) << " " << c.hard.value_or(-1);
  }
}

// The default soft limit follows the smallest of the sources: a container's
// or a ulimit's memory below the RAM.
TEST(RunPlanner, DefaultSoftLimitSeesContainers) {
  const uint64_t ram = 64ull << 30;
  struct Case {
    MemorySources sources;
    uint64_t want_soft;
  };
  const std::vector<Case> cases = {
      {{.physmem = ram}, ram / 4},
      {{.physmem = ram, .cgroup_v2 = 2ull << 30}, 512 * kMiB},
      {{.physmem = ram, .cgroup_v1 = 1ull << 30}, 256 * kMiB},
      {{.physmem = ram, .rlimit_as = 3ull << 30}, 768 * kMiB},
      {{.physmem = ram, .rlimit_data = 400 * kMiB}, 100 * kMiB},
      // Limits above the RAM change nothing.
      {{.physmem = ram, .cgroup_v2 = 128ull << 30, .rlimit_as = ram + 1},
       ram / 4},
      {{.physmem = ram,
        .cgroup_v2 = 8ull << 30,
        .cgroup_v1 = 4ull << 30,
        .rlimit_as = 6ull << 30,
        .rlimit_data = 16ull << 30},
       1ull << 30},
  };
  for (const Case& c : cases) {
    const MemoryLimits m =
        ResolveMemoryLimits(std::nullopt, std::nullopt, c.sources);
    EXPECT_EQ(m.soft, c.want_soft);
    EXPECT_EQ(m.hard, UINT64_MAX);
    // The plan for -9-sized decoders (65 MiB each, 64 MiB Blocks) stays
    // within the limit, or is no parallel plan at all.
    const std::optional<RunPlan> plan =
        PlanRun(16, m.soft, 65 * kMiB, 64 * kMiB);
    if (plan) {
      EXPECT_LE(plan->total(), m.soft);
    }
  }
  // A given soft limit stands; the hard one still caps it.
  const MemorySources small{.physmem = ram, .cgroup_v2 = 1ull << 30};
  EXPECT_EQ(ResolveMemoryLimits(2ull << 30, std::nullopt, small).soft,
            2ull << 30);
  EXPECT_EQ(ResolveMemoryLimits(std::nullopt, 100 * kMiB, small).soft,
            100 * kMiB);
  // In a 1 GiB container on a 64 GiB host: 3 threads, not 16.
  const MemoryLimits in_container =
      ResolveMemoryLimits(std::nullopt, std::nullopt, small);
  const std::optional<RunPlan> plan =
      PlanRun(16, in_container.soft, 65 * kMiB, 16 * kMiB);
  ASSERT_TRUE(plan.has_value());
  EXPECT_EQ(plan->threads, 3u);
}

TEST(RunPlanner, BlockMemory) {
  const BlockBuffers b{.in = 1000, .out = 4 * kMiB};
  const uint64_t bound = lzma_block_buffer_bound(4 * kMiB);
  struct Case {
    BufferUse use;
    uint64_t holds, planned;
  };
  const std::vector<Case> cases = {
      // Memory input kept as a view: only the output counts.
      {{.keeps_output = true, .in_memory = true}, 4 * kMiB, 4 * kMiB},
      {{.keeps_output = false, .in_memory = true}, 0, 0},
      // Read input: its bytes, planned as large as LZMA2 allows.
      {{.keeps_output = true, .in_memory = false},
       4 * kMiB + 1000,
       4 * kMiB + bound},
      {{.keeps_output = false, .in_memory = false}, 1000, bound},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(BlockMemory(b, c.use), c.holds);
    EXPECT_EQ(PlannedBlockMemory(b, c.use), c.planned);
  }
  // Incompressible input larger than the bound stays what it is.
  const BlockBuffers big_in{.in = 2 * bound, .out = 4 * kMiB};
  EXPECT_EQ(PlannedBlockMemory(big_in, {true, false}), 4 * kMiB + 2 * bound);
}

TEST(RunPlanner, PlanRun) {
  const uint64_t dec = 9 * kMiB, item = 5 * kMiB;
  struct Case {
    unsigned threads;
    uint64_t soft;
    uint64_t decoder, block;
    std::optional<RunPlan> want;  // threads, tokens
  };
  const std::vector<Case> cases = {
      // Plenty: every thread, two Blocks each.
      {4, UINT64_MAX, dec, item, RunPlan{4, 8, item, dec}},
      {4, 4 * dec + 8 * item, dec, item, RunPlan{4, 8, item, dec}},
      // Less: fewer Blocks in flight first, down to one per thread.
      {4, 4 * dec + 8 * item - 1, dec, item, RunPlan{4, 7, item, dec}},
      {4, 4 * dec + 4 * item, dec, item, RunPlan{4, 4, item, dec}},
      // Then fewer threads (with as many Blocks as fit, up to two each).
      {4, 4 * dec + 4 * item - 1, dec, item, RunPlan{3, 5, item, dec}},
      {4, 2 * dec + 2 * item, dec, item, RunPlan{2, 2, item, dec}},
      // Not even two threads with a Block each: sequential.
      {4, 2 * dec + 2 * item - 1, dec, item, std::nullopt},
      {4, 1, dec, item, std::nullopt},
      // One thread asked for: never a parallel run.
      {1, UINT64_MAX, dec, item, std::nullopt},
      // Verifying a memory input: Blocks cost nothing, decoders decide.
      {8, 3 * dec, dec, 0, RunPlan{3, 6, 0, dec}},
      // Huge numbers do not overflow.
      {64, UINT64_MAX, UINT64_MAX / 2, UINT64_MAX / 2, std::nullopt},
  };
  for (const Case& c : cases) {
    const std::optional<RunPlan> got =
        PlanRun(c.threads, c.soft, c.decoder, c.block);
    const std::string what =
        std::to_string(c.threads) + " threads, soft " + std::to_string(c.soft);
    ASSERT_EQ(got.has_value(), c.want.has_value()) << what;
    if (!got) continue;
    EXPECT_EQ(got->threads, c.want->threads) << what;
    EXPECT_EQ(got->tokens, c.want->tokens) << what;
    EXPECT_EQ(got->block_memory, c.block) << what;
    EXPECT_EQ(got->decoder_memory, c.decoder) << what;
    EXPECT_LE(got->total(), c.soft) << what;
  }
}

TEST(RunPlanner, FitsOnlyBlocksNoLargerThanPlanned) {
  const RunPlan plan{2, 4, 5 * kMiB, 9 * kMiB};
  EXPECT_TRUE(plan.Fits(5 * kMiB, 9 * kMiB));
  EXPECT_TRUE(plan.Fits(1, 1));
  EXPECT_FALSE(plan.Fits(5 * kMiB + 1, 9 * kMiB));
  EXPECT_FALSE(plan.Fits(5 * kMiB, 9 * kMiB + 1));
}

}  // namespace
}  // namespace parxz
