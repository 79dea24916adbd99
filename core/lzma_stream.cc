#include "core/lzma_stream.h"

#include <mutex>
#include <utility>

namespace parxz {
namespace {

struct Spare {
  std::unique_ptr<LzmaStream> stream;
  // The first stream offered is ended, not kept: glibc raises its mmap and
  // trim thresholds when a big mapped block is freed, as the standard
  // module's tables are after every call; a process that never freed one
  // trims its heap on every free and faults it back in. Measured: the
  // numcodecs loop's decoding of 64 KiB chunks after encoding them, 1.09x
  // slower than stock with the first spare kept, 0.99x with it ended
  // (bench/RESULTS.md "Session 11").
  bool first_offered = false;
};

std::mutex mu;
Spare spares[2];  // by SpareRole; guarded by mu

Spare& Of(SpareRole role) {
  return spares[role == SpareRole::kEncoder ? 0 : 1];
}

}  // namespace

std::unique_ptr<LzmaStream> TakeSpareStream(SpareRole role) {
  {
    std::lock_guard<std::mutex> lock(mu);
    if (Of(role).stream) return std::move(Of(role).stream);
  }
  return std::make_unique<LzmaStream>();
}

void KeepSpareStream(SpareRole role, std::unique_ptr<LzmaStream> s) {
  std::lock_guard<std::mutex> lock(mu);
  Spare& spare = Of(role);
  if (!spare.first_offered) {
    spare.first_offered = true;
    return;  // `s` is ended here
  }
  if (!spare.stream) spare.stream = std::move(s);
}

bool SpareStreamHeld(SpareRole role) {
  std::lock_guard<std::mutex> lock(mu);
  return Of(role).stream != nullptr;
}

}  // namespace parxz
