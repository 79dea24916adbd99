// How many threads a parallel call uses, decided in one place for the
// compressors, the decoders, random access and the bindings.
//
//   ThreadArena arena(options.threads);   // 0 = the CPUs it may run on
//   arena.execute([&] { tbb::parallel_for(...); });   // arena.threads()
//
// 0 means the CPUs this process may run on (parallel/common/system_cpus.h: its
// affinity mask and its cgroup CPU quota), so that a rank an MPI launcher
// bound to one core, or a container with --cpus=2, never oversubscribes
// unasked. An explicit N means N, as in xz, even beyond those CPUs (xz -T4
// under `taskset -c 0` runs 4 threads): oneTBB alone would give an arena of
// N slots only as many threads as the affinity mask it saw at start-up (and
// print "TBB Warning: The number of workers is currently limited"), so a
// ThreadArena raises tbb::global_control's max_allowed_parallelism to N
// while it lives. Where the application itself lowered that limit, both 0
// and N are held to it.
//
// Where arenas live, and what a small call pays. oneTBB's worker threads
// are one pool per process, started with the first arena that runs a task
// and kept (asleep when idle) across calls; arenas are cheap views on it
// (BM_ThreadArena in bench/small_calls_bench.cc: ~10 us to make, run a task
// on and drop). Each object that runs Blocks over many calls owns one
// arena for its life: ParallelCompressor, ThreadedDecompressor and
// XzRandomAccess (their window's or their own), initialized by oneTBB on its
// first task only, so an object that never needs a worker never starts one.
// A one-shot call that runs Blocks in parallel (ParallelDecompress,
// CompressFd, CompressInto of 2+ Blocks) makes one for the call: it has at
// least two Blocks of work (milliseconds), and a single arena per process
// would put concurrent callers (a Dask or Zarr pool calling decompress on
// many threads) on the same `threads` slots, one call waiting for another.
// Calls below two Blocks, the small calls, take no arena and wake no worker:
// the fronts send them to the calling thread (parallel/decode/decode_front.h,
// parallel/compress/compress_front.h), and the objects run a Block that
// nothing else can overlap with on the caller (InOrderWindow::Submit's
// owner_runs). PlanThreads itself costs one system call (the affinity mask;
// the online CPUs and cgroup quotas are read once per process).
//
// Thread safety: every function may be called from any thread. oneTBB takes
// the smallest max_allowed_parallelism of all live controls, so two
// ThreadArenas beyond the CPUs alive at once get the smaller count of the
// two.
#ifndef PARXZ_PARALLEL_COMMON_THREADS_H_
#define PARXZ_PARALLEL_COMMON_THREADS_H_

#include <oneapi/tbb/global_control.h>
#include <oneapi/tbb/task_arena.h>

#include <optional>
#include <utility>

#include "parallel/common/system_cpus.h"

namespace parxz {

struct ThreadPlan {
  unsigned threads = 1;  // what the call uses
  CpuLimit cpus;         // the CPUs this process may run on, and why
};

// The rule: 0 -> cpus.cpus; N -> N; either at most an application's own
// (lowered) oneTBB max_allowed_parallelism. Never throws (the C APIs call it
// as is).
ThreadPlan PlanThreads(unsigned requested) noexcept;

// A tbb::task_arena of PlanThreads(requested).threads slots, with oneTBB's
// thread limit raised to it while the arena lives where it exceeds it.
class ThreadArena {
 public:
  explicit ThreadArena(unsigned requested);
  ThreadArena(const ThreadArena&) = delete;
  ThreadArena& operator=(const ThreadArena&) = delete;

  unsigned threads() const { return threads_; }

  template <typename F>
  decltype(auto) execute(F&& f) {
    return arena_.execute(std::forward<F>(f));
  }
  // Runs `f` on the arena's workers, the caller not waiting.
  template <typename F>
  void enqueue(F&& f) {
    arena_.enqueue(std::forward<F>(f));
  }

 private:
  unsigned threads_;
  std::optional<tbb::global_control> raise_;  // before the arena: outlives it
  tbb::task_arena arena_;
};

}  // namespace parxz

#endif  // PARXZ_PARALLEL_COMMON_THREADS_H_
