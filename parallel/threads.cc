#include "parallel/threads.h"

#include <oneapi/tbb/global_control.h>

#include <algorithm>
#include <cstddef>

namespace parxz {

unsigned ResolveThreads(unsigned requested) {
  const size_t limit = std::max<size_t>(
      1, tbb::global_control::active_value(
             tbb::global_control::max_allowed_parallelism));
  if (requested == 0) return static_cast<unsigned>(limit);
  return static_cast<unsigned>(std::min<size_t>(requested, limit));
}

}  // namespace parxz
