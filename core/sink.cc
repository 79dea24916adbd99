#include "core/sink.h"

#include <new>

namespace parxz {

void StringSink::Reserve(uint64_t n) {
  if (n > (uint64_t{1} << 40) || n > out_->max_size()) return;
  try {
    out_->reserve(static_cast<size_t>(n));
  } catch (const std::bad_alloc&) {
  }
}

}  // namespace parxz
