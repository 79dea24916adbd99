// parallel/common/threads.h: threads = 0 is the CPUs the process may run on, an
// explicit N is N (also beyond them, as xz), and a ThreadArena really runs N
// threads where oneTBB alone would give the affinity mask's count. The
// affinity cases run in a fresh process (death-test style "threadsafe"
// re-executes this binary), because oneTBB reads the mask once, when it
// starts.
#include "parallel/common/threads.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <oneapi/tbb/info.h>
#include <oneapi/tbb/parallel_for.h>
#include <sched.h>
#include <unistd.h>

#include <chrono>
#include <mutex>
#include <set>
#include <thread>

namespace parxz {
namespace {

using testing::HasSubstr;
using testing::Not;

// Distinct threads that ran tasks in `arena` (each task spins 20 ms, so
// that idle threads join in).
template <typename Arena>
int ThreadsSeen(Arena& arena) {
  std::set<std::thread::id> ids;
  std::mutex m;
  arena.execute([&] {
    tbb::parallel_for(
        0, 64,
        [&](int) {
          {
            std::lock_guard<std::mutex> lock(m);
            ids.insert(std::this_thread::get_id());
          }
          const auto start = std::chrono::steady_clock::now();
          while (std::chrono::steady_clock::now() - start <
                 std::chrono::milliseconds(20)) {
          }
        },
        tbb::simple_partitioner());
  });
  return static_cast<int>(ids.size());
}

void BindToOneCpu() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof set, &set) != 0) _exit(100);
  for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu) {
    if (CPU_ISSET(cpu, &set)) {
      CPU_ZERO(&set);
      CPU_SET(cpu, &set);
      if (sched_setaffinity(0, sizeof set, &set) != 0) _exit(101);
      return;
    }
  }
  _exit(102);
}

TEST(ThreadsTest, ZeroIsTheAvailableCpus) {
  const ThreadPlan p = PlanThreads(0);
  EXPECT_EQ(p.threads, AvailableCpus(ReadCpuSources()).cpus);
  EXPECT_EQ(p.cpus.cpus, p.threads);
  EXPECT_EQ(PlanThreads(7).threads, 7u);
  EXPECT_EQ(PlanThreads(7).cpus.cpus, p.cpus.cpus);
}

TEST(ThreadsTest, AnApplicationLimitHoldsBoth) {
  if (tbb::info::default_concurrency() < 2) GTEST_SKIP() << "one CPU";
  tbb::global_control limit(tbb::global_control::max_allowed_parallelism, 1);
  EXPECT_EQ(PlanThreads(0).threads, 1u);
  EXPECT_EQ(PlanThreads(4).threads, 1u);
  ThreadArena arena(4);
  EXPECT_EQ(arena.threads(), 1u);
}

TEST(ThreadsDeathTest, BoundToOneCpu) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  // threads = 0: one thread.
  EXPECT_EXIT(
      {
        BindToOneCpu();
        ThreadArena arena(0);
        if (arena.threads() != 1 || PlanThreads(0).threads != 1 ||
            PlanThreads(0).cpus.cpus != 1) {
          _exit(1);
        }
        _exit(ThreadsSeen(arena) == 1 ? 0 : 2);
      },
      testing::ExitedWithCode(0), "");
  // -T3 under `taskset -c 0`: three threads, as xz, and no oneTBB warning.
  EXPECT_EXIT(
      {
        BindToOneCpu();
        ThreadArena arena(3);
        if (arena.threads() != 3 || PlanThreads(3).cpus.cpus != 1) _exit(1);
        _exit(ThreadsSeen(arena));
      },
      testing::ExitedWithCode(3), Not(HasSubstr("TBB Warning")));
}

TEST(ThreadsTest, ArenaBeyondTheCpusHere) {
  // Unbound: an arena of more slots than CPUs runs them all, one after the
  // other's raise has gone.
  const unsigned cpus = PlanThreads(0).cpus.cpus;
  {
    ThreadArena arena(cpus + 2);
    EXPECT_EQ(ThreadsSeen(arena), static_cast<int>(cpus + 2));
  }
  ThreadArena again(cpus + 1);
  EXPECT_EQ(ThreadsSeen(again), static_cast<int>(cpus + 1));
}

}  // namespace
}  // namespace parxz
