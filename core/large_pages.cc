#include "core/large_pages.h"

#include <sys/mman.h>

#include <cstdint>
#include <cstdlib>
#include <new>

namespace parxz {
namespace {

constexpr uintptr_t kHugePage = uintptr_t{2} << 20;

// The ranges this thread advised last (a dictionary; an encoder's buffer,
// hash and tree): a freed allocation that malloc hands back at the same
// address is advised already.
struct Range {
  uintptr_t begin = 0, end = 0;
};
constexpr size_t kRemembered = 4;
thread_local Range advised[kRemembered];
thread_local size_t next_slot = 0;

void Advise(void* p, size_t n) {
  const auto start = reinterpret_cast<uintptr_t>(p);
  // The whole huge pages inside: the part before the first boundary (a
  // megabyte on average) stays in small pages.
  const uintptr_t begin = (start + kHugePage - 1) & ~(kHugePage - 1);
  const uintptr_t end = (start + n) & ~(kHugePage - 1);
  if (end <= begin) return;
  for (const Range& r : advised) {
    if (begin >= r.begin && end <= r.end) return;
  }
  if (madvise(reinterpret_cast<void*>(begin), end - begin, MADV_HUGEPAGE) ==
      0) {
    advised[next_slot] = {begin, end};
    next_slot = (next_slot + 1) % kRemembered;
  }
}

void* LzmaAlloc(void*, size_t nmemb, size_t size) {
  return AllocateLarge(nmemb * size);  // liblzma passes nmemb 1
}
void LzmaFree(void*, void* p) { std::free(p); }

constexpr lzma_allocator kAllocator = {&LzmaAlloc, &LzmaFree, nullptr};

}  // namespace

void* AllocateLarge(size_t n) {
  void* p = std::malloc(n);
  if (p != nullptr && n >= 2 * kHugePage) Advise(p, n);
  return p;
}

LargeBytes AllocateLargeBytes(size_t n) {
  LargeBytes p(static_cast<uint8_t*>(AllocateLarge(n == 0 ? 1 : n)));
  if (p == nullptr) throw std::bad_alloc();
  return p;
}

const lzma_allocator* LargePageLzmaAllocator() { return &kAllocator; }

}  // namespace parxz
