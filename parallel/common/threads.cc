#include "parallel/common/threads.h"

#include <oneapi/tbb/info.h>

#include <algorithm>
#include <cstddef>

namespace parxz {

namespace {

using tbb::global_control;

size_t TbbLimit() {
  return std::max<size_t>(
      1, global_control::active_value(global_control::max_allowed_parallelism));
}

// The application's own lowered limit, if any: oneTBB's active value below
// its default (the affinity mask it saw at start-up). A ThreadArena's raise
// is never below the default, so it does not count as one.
std::optional<unsigned> ApplicationLimit() {
  const size_t limit = TbbLimit();
  const size_t fallback =
      static_cast<size_t>(std::max(1, tbb::info::default_concurrency()));
  if (limit >= fallback) return std::nullopt;
  return static_cast<unsigned>(limit);
}

}  // namespace

ThreadPlan PlanThreads(unsigned requested) noexcept {
  ThreadPlan plan{.cpus = AvailableCpus(ReadCpuSources())};
  plan.threads = requested == 0 ? plan.cpus.cpus : requested;
  if (const std::optional<unsigned> app = ApplicationLimit()) {
    plan.threads = std::min(plan.threads, *app);
  }
  return plan;
}

ThreadArena::ThreadArena(unsigned requested)
    : threads_(PlanThreads(requested).threads),
      arena_(static_cast<int>(threads_)) {
  // The arena is created lazily, on its first execute(): the raise is in
  // place before then.
  if (threads_ > TbbLimit()) {
    raise_.emplace(global_control::max_allowed_parallelism, threads_);
  }
}

}  // namespace parxz
