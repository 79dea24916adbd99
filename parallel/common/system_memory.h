// How much memory this process may plan for: the smallest of the physical
// RAM, the cgroup memory limit (v2 memory.max, v1 memory.limit_in_bytes)
// and RLIMIT_AS / RLIMIT_DATA; the default soft limit is a quarter of it.
//
//   const SoftLimit d = DefaultSoftLimit(ReadMemorySources());
//   // d.limit: plan threads within it; DescribeSoftLimit(d): "a quarter of
//   // cgroup v2 memory.max (2048 MiB)" for --info-memory
//
// Why: xz 5.4 takes a quarter of lzma_physmem(), the host's RAM, so in a
// 2 GiB container or under `ulimit -v` on a large node it plans threads for
// memory the process can never get and is killed or fails instead. Where
// no limit is below the RAM, the result is xz's. Reading the sources
// (ReadMemorySources) is kept apart from choosing (DefaultSoftLimit, pure)
// so that tests can give any combination, and the cgroup files are read
// under a root directory that tests can point at a fake tree.
//
// Thread safety: every function may be called from any thread; the reading
// opens a few small files under /proc and the cgroup mount each time.
#ifndef PARXZ_PARALLEL_COMMON_SYSTEM_MEMORY_H_
#define PARXZ_PARALLEL_COMMON_SYSTEM_MEMORY_H_

#include <cstdint>
#include <optional>
#include <string>

namespace parxz {

// Each a limit in bytes; nullopt where there is none (or it is unknown).
struct MemorySources {
  uint64_t physmem = 0;  // lzma_physmem(); 0 = unknown (1 GiB is assumed)
  // The smallest memory.max on the path from the process's cgroup v2 up to
  // the root of the mounted hierarchy ("max" = none).
  std::optional<uint64_t> cgroup_v2;
  // The same with the v1 memory controller's memory.limit_in_bytes (its
  // "unlimited" is a huge number, which counts as none).
  std::optional<uint64_t> cgroup_v1;
  std::optional<uint64_t> rlimit_as;    // getrlimit(RLIMIT_AS) soft limit
  std::optional<uint64_t> rlimit_data;  // getrlimit(RLIMIT_DATA) soft limit
};

enum class MemorySource {
  kPhysmem,  // the RAM, as xz
  kAssumed,  // RAM unknown: 1 GiB assumed, as xz
  kCgroupV2,
  kCgroupV1,
  kRlimitAs,
  kRlimitData,
};

// The default soft limit and what it is a quarter of.
struct SoftLimit {
  uint64_t limit = 0;  // basis / 4
  MemorySource source = MemorySource::kPhysmem;
  uint64_t basis = 0;  // the smallest source's value
};

// A quarter of the smallest source (the RAM on a tie, so that a limit
// equal to the RAM reads as xz's rule). Pure.
SoftLimit DefaultSoftLimit(const MemorySources& sources);

// "a quarter of cgroup v2 memory.max (2048 MiB)", "a quarter of the RAM
// (24106 MiB)", ... (sizes rounded up to whole MiB, as xz's figures).
std::string DescribeSoftLimit(const SoftLimit& limit);

// Reads the cgroup limits of the calling process from the cgroups that
// parallel/common/cgroup.h's FindCgroupDirs(root) finds (`root` "/" normally, a
// fake tree in tests). Only `cgroup_v2` and `cgroup_v1` are set.
MemorySources ReadCgroupLimits(const std::string& root = "/");

// Everything: lzma_physmem(), the cgroup limits under "/", and the rlimits.
// The cgroup files are read once per process (every threaded decoder asks,
// and reading them took ~90 us, more than decoding a small buffer); the
// rlimits and the RAM are asked each time (one system call each), so a
// setrlimit() in the process counts from the next call on.
MemorySources ReadMemorySources();

}  // namespace parxz

#endif  // PARXZ_PARALLEL_COMMON_SYSTEM_MEMORY_H_
