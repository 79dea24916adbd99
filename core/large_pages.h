// Transparent huge pages for the big buffers that a coder fills for long:
// liblzma's dictionaries and match-finder tables (every lzma_stream parxz
// makes, through LzmaStream) and the engines' Block buffers (ByteBuffer).
// Touching fresh memory costs a page fault per 4 KiB page, and an LZMA
// dictionary is read at random; with the kernel's transparent huge pages in
// "madvise" mode (Debian's default) a 2 MiB page costs one fault and one TLB
// entry instead of 512. Measured on the 2-core VM against the code before
// (bench/RESULTS.md, "Session 9"): -6 -T2 compression ~9% faster (page
// faults 49,000 -> 4,600), the C streaming decoder with two threads 9%.
//
//   LargeBytes buf = AllocateLargeBytes(n);  // malloc, advised when n is big
//
// In an allocation of 4 MiB or more, only the whole 2 MiB pages that start
// at least 1 MiB in are advised: the first megabyte and the rest up to the
// next 2 MiB boundary (two megabytes on average) stay in small pages, so a
// small input, which touches the start of a dictionary or a match-finder tree
// alone, pays no 2 MiB fault. Advice is skipped for a range advised recently
// (malloc hands a freed dictionary back at the same address), so repeated small
// calls make no system call; a range that free() unmaps (glibc maps 32 MiB and
// more on their own) is forgotten there. Thread-safe. Memory that malloc later
// hands to other uses keeps the advice, as with glibc's own
// glibc.malloc.hugetlb=1 (which advises all of the heap). With huge pages
// "never", prctl(PR_SET_THP_DISABLE) or no kernel support, nothing changes.
#ifndef PARXZ_CORE_LARGE_PAGES_H_
#define PARXZ_CORE_LARGE_PAGES_H_

#include <lzma.h>

#include <cstddef>
#include <cstdint>
#include <memory>

namespace parxz {

// malloc(n) (nullptr when it fails), with huge pages advised as above. Give
// it back with FreeLarge::Free.
void* AllocateLarge(size_t n);

// The same, owned, uninitialized; throws std::bad_alloc when it fails. The
// chunks of ChunkedOutput.
struct FreeLarge {
  static void Free(void* p);  // free(p), forgetting its advice
  void operator()(uint8_t* p) const { Free(p); }
};
using LargeBytes = std::unique_ptr<uint8_t[], FreeLarge>;
LargeBytes AllocateLargeBytes(size_t n);

// For a buffer that is filled from its start to its end (the engines' Block
// buffers, ByteBuffer): from 2 MiB up, aligned to 2 MiB and advised from its
// first byte, so that a 4 MiB Block costs two faults rather than about 530
// (the C streaming decoder of 4 MiB Blocks with two threads: 8,500 -> 5,400
// page faults, bench/RESULTS.md "Session 10"). The tail past its last whole 2
// MiB page keeps small pages: it never holds more memory than malloc(n) would.
// Smaller: as AllocateLargeBytes.
LargeBytes AllocateFilledBytes(size_t n);
// The huge page size those rules use, for callers that round a buffer's
// capacity to whole huge pages.
inline constexpr size_t kHugePageBytes = size_t{2} << 20;

// The allocator LzmaStream gives liblzma: AllocateLarge and FreeLarge::Free.
const lzma_allocator* LargePageLzmaAllocator();

}  // namespace parxz

#endif  // PARXZ_CORE_LARGE_PAGES_H_
