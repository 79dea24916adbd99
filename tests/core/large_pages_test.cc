// core/large_pages: which memory is advised to the kernel's transparent huge
// pages, read back from /proc/self/smaps (the "hg" VmFlag that
// madvise(MADV_HUGEPAGE) sets), and that every lzma_stream parxz makes uses it.
#include "core/large_pages.h"

#include <gtest/gtest.h>
#include <lzma.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "core/lzma_stream.h"

namespace parxz {
namespace {

constexpr uintptr_t kHuge = kHugePageBytes;
constexpr uintptr_t kSmallHead = uintptr_t{1} << 20;  // large_pages.cc

bool KernelHasHugePages() {
  return std::ifstream("/sys/kernel/mm/transparent_hugepage/enabled").good();
}

// The VmFlags of the mapping that holds `addr` ("" when none does).
std::string VmFlagsAt(uintptr_t addr) {
  std::ifstream smaps("/proc/self/smaps");
  std::string line;
  bool inside = false;
  while (std::getline(smaps, line)) {
    unsigned long long lo = 0, hi = 0;
    char dash = 0;
    std::istringstream head(line);
    if (head >> std::hex >> lo >> dash >> hi && dash == '-') {
      inside = lo <= addr && addr < hi;
      continue;
    }
    if (inside && line.rfind("VmFlags:", 0) == 0) return line;
  }
  return "";
}

bool Advised(uintptr_t addr) {
  return VmFlagsAt(addr).find(" hg") != std::string::npos;
}

TEST(LargePages, BigAllocationsAreAdvisedFromTheFirstWholeHugePagePastAMiB) {
  if (!KernelHasHugePages()) GTEST_SKIP() << "no transparent huge pages";
  // Small first: nothing advised in this process yet.
  void* small = AllocateLarge(size_t{1} << 20);
  ASSERT_NE(small, nullptr);
  EXPECT_FALSE(Advised(reinterpret_cast<uintptr_t>(small)))
      << VmFlagsAt(reinterpret_cast<uintptr_t>(small));

  const size_t n = size_t{16} << 20;
  void* big = AllocateLarge(n);
  ASSERT_NE(big, nullptr);
  const auto p = reinterpret_cast<uintptr_t>(big);
  const uintptr_t first = (p + kSmallHead + kHuge - 1) & ~(kHuge - 1);
  const uintptr_t last = ((p + n) & ~(kHuge - 1)) - kHuge;
  EXPECT_TRUE(Advised(first)) << VmFlagsAt(first);
  EXPECT_TRUE(Advised(last)) << VmFlagsAt(last);
  FreeLarge::Free(big);
  FreeLarge::Free(small);
}

// An allocation that free() unmaps and malloc maps again, often at the same
// address: the new mapping is advised too (the advice of the old one went
// with it). Big enough that glibc, ASan's and TSan's allocators all map it
// on its own.
TEST(LargePages, AMappingMadeAgainAtTheSameAddressIsAdvisedAgain) {
  if (!KernelHasHugePages()) GTEST_SKIP() << "no transparent huge pages";
  const size_t n = size_t{64} << 20;
  for (int round = 0; round < 3; ++round) {
    void* p = AllocateLarge(n);
    ASSERT_NE(p, nullptr);
    const auto start = reinterpret_cast<uintptr_t>(p);
    const uintptr_t a = (start + kSmallHead + kHuge - 1) & ~(kHuge - 1);
    EXPECT_TRUE(Advised(a)) << "round " << round << ": " << VmFlagsAt(a);
    FreeLarge::Free(p);
  }
}

// The first megabyte keeps small pages wherever a mapping's first 2 MiB
// boundary falls (the kernel often places one a page below a boundary):
// a small call touching only the start of a 64 MiB match-finder tree pays
// no 2 MiB fault. Mappings of several sizes, kept at once, so that their
// starts fall at different distances from a boundary.
TEST(LargePages, TheFirstMegabyteKeepsSmallPages) {
  if (!KernelHasHugePages()) GTEST_SKIP() << "no transparent huge pages";
  std::vector<void*> held;
  int near_boundary = 0;  // starts that the first-boundary rule would advise
  for (size_t k = 0; k < 8; ++k) {
    const size_t n = (size_t{64} << 20) + k * (size_t{256} << 10) + 4096;
    void* p = AllocateLarge(n);
    ASSERT_NE(p, nullptr);
    held.push_back(p);
    const auto start = reinterpret_cast<uintptr_t>(p);
    const uintptr_t boundary = (start + kHuge - 1) & ~(kHuge - 1);
    if (boundary - start < kSmallHead) ++near_boundary;
    EXPECT_FALSE(Advised(start)) << k << ": " << VmFlagsAt(start);
    EXPECT_FALSE(Advised(start + kSmallHead - 1))
        << k << ": " << VmFlagsAt(start + kSmallHead - 1);
    const uintptr_t first = (start + kSmallHead + kHuge - 1) & ~(kHuge - 1);
    EXPECT_TRUE(Advised(first)) << k << ": " << VmFlagsAt(first);
  }
  for (void* p : held) FreeLarge::Free(p);
  // Whether a start fell near a boundary depends on the kernel's placement:
  // said, so that a run where none did is seen to prove less.
  std::printf("%d of 8 mappings started within 1 MiB of a 2 MiB boundary\n",
              near_boundary);
}

// A buffer filled from start to end: aligned to 2 MiB and advised from its
// first byte to the end of its last whole huge page; below 2 MiB, as
// AllocateLarge (not advised).
TEST(LargePages, FilledBuffersAreHugePagesFromTheirFirstByte) {
  if (!KernelHasHugePages()) GTEST_SKIP() << "no transparent huge pages";
  for (const size_t n : {size_t{2} << 20, (size_t{4} << 20) + 4096}) {
    LargeBytes b = AllocateFilledBytes(n);
    const auto p = reinterpret_cast<uintptr_t>(b.get());
    EXPECT_EQ(p % kHuge, 0u) << n;
    EXPECT_TRUE(Advised(p)) << n << ": " << VmFlagsAt(p);
    const uintptr_t last = p + (n & ~(kHuge - 1)) - kHuge;
    EXPECT_TRUE(Advised(last)) << n << ": " << VmFlagsAt(last);
    b[0] = 1;  // the memory is there, first byte to last
    b[n - 1] = 2;
  }
  const size_t small_n = size_t{1} << 20;
  LargeBytes small = AllocateFilledBytes(small_n);
  ASSERT_NE(small, nullptr);
  small[small_n - 1] = 3;
}

TEST(LargePages, EveryLzmaStreamAllocatesThroughIt) {
  LzmaStream strm;
  EXPECT_EQ(strm->allocator, LargePageLzmaAllocator());
  // And liblzma's own allocations work through it: an 8 MiB dictionary
  // decoder, a round trip of 1 MiB.
  std::vector<uint8_t> data(size_t{1} << 20);
  for (size_t i = 0; i < data.size(); ++i) data[i] = (i * 7919) >> 11;
  std::vector<uint8_t> xz(lzma_stream_buffer_bound(data.size()));
  size_t xz_size = 0;
  ASSERT_EQ(
      lzma_easy_buffer_encode(6, LZMA_CHECK_CRC64, nullptr, data.data(),
                              data.size(), xz.data(), &xz_size, xz.size()),
      LZMA_OK);
  ASSERT_EQ(lzma_stream_decoder(strm.get(), UINT64_MAX, 0), LZMA_OK);
  std::vector<uint8_t> out(data.size() + 1);
  strm->next_in = xz.data();
  strm->avail_in = xz_size;
  strm->next_out = out.data();
  strm->avail_out = out.size();
  EXPECT_EQ(lzma_code(strm.get(), LZMA_FINISH), LZMA_STREAM_END);
  out.resize(strm->total_out);
  EXPECT_EQ(out, data);
}

}  // namespace
}  // namespace parxz
