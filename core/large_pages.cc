#include "core/large_pages.h"

#include <malloc.h>
#include <sys/mman.h>

#include <cstdint>
#include <cstdlib>
#include <mutex>
#include <new>

namespace parxz {
namespace {

constexpr uintptr_t kHugePage = kHugePageBytes;
// AllocateLarge leaves at least this much at the start in small pages.
constexpr uintptr_t kSmallHead = uintptr_t{1} << 20;
// glibc serves every allocation this big with a mapping of its own, which
// free() unmaps (DEFAULT_MMAP_THRESHOLD_MAX on 64-bit); smaller ones come
// from the heap once one of their size was freed, and keep their advice.
constexpr size_t kAlwaysMapped = size_t{32} << 20;

// The ranges advised last (a dictionary; an encoder's buffer, hash and
// tree): a freed allocation that malloc hands back at the same address is
// advised already. A range whose mapping free() removes is forgotten there,
// or a new mapping at the same address would go without the advice.
struct Range {
  uintptr_t begin = 0, end = 0;
};
constexpr size_t kRemembered = 4;
std::mutex mu;
Range advised[kRemembered];  // guarded by mu
size_t next_slot = 0;        // guarded by mu

// Advises [begin, end), whole huge pages.
void Advise(uintptr_t begin, uintptr_t end) {
  if (end <= begin) return;
  std::lock_guard<std::mutex> lock(mu);
  for (const Range& r : advised) {
    if (begin >= r.begin && end <= r.end) return;
  }
  if (madvise(reinterpret_cast<void*>(begin), end - begin, MADV_HUGEPAGE) ==
      0) {
    advised[next_slot] = {begin, end};
    next_slot = (next_slot + 1) % kRemembered;
  }
}

void Forget(void* p) {
  const size_t n = malloc_usable_size(p);
  if (n < kAlwaysMapped) return;
  const auto begin = reinterpret_cast<uintptr_t>(p);
  std::lock_guard<std::mutex> lock(mu);
  for (Range& r : advised) {
    if (r.begin < begin + n && begin < r.end) r = Range{};
  }
}

void* LzmaAlloc(void*, size_t nmemb, size_t size) {
  return AllocateLarge(nmemb * size);  // liblzma passes nmemb 1
}
void LzmaFree(void*, void* p) { FreeLarge::Free(p); }

constexpr lzma_allocator kAllocator = {&LzmaAlloc, &LzmaFree, nullptr};

}  // namespace

void* AllocateLarge(size_t n) {
  void* p = std::malloc(n);
  if (p != nullptr && n >= 2 * kHugePage) {
    // The whole huge pages from 1 MiB in: at least the first megabyte (two
    // on average) stays in small pages. A boundary just past the start
    // (the kernel often places a big mapping one page below one) would
    // otherwise put a small call's first bytes on a 2 MiB page, zeroed
    // and unmapped on every call (a -6 encoder's 64 MiB tree).
    const auto start = reinterpret_cast<uintptr_t>(p);
    Advise((start + kSmallHead + kHugePage - 1) & ~(kHugePage - 1),
           (start + n) & ~(kHugePage - 1));
  }
  return p;
}

void FreeLarge::Free(void* p) {
  if (p == nullptr) return;
  Forget(p);
  std::free(p);
}

LargeBytes AllocateLargeBytes(size_t n) {
  LargeBytes p(static_cast<uint8_t*>(AllocateLarge(n == 0 ? 1 : n)));
  if (p == nullptr) throw std::bad_alloc();
  return p;
}

LargeBytes AllocateFilledBytes(size_t n) {
  if (n < kHugePage) return AllocateLargeBytes(n);
  void* p = nullptr;
  if (posix_memalign(&p, kHugePage, n) != 0) throw std::bad_alloc();
  LargeBytes bytes(static_cast<uint8_t*>(p));
  const auto start = reinterpret_cast<uintptr_t>(p);
  Advise(start, start + (n & ~(kHugePage - 1)));
  return bytes;
}

const lzma_allocator* LargePageLzmaAllocator() { return &kAllocator; }

}  // namespace parxz
