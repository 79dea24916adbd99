// How many CPUs this process may run on: the CPUs of its affinity mask
// (taskset, an MPI launcher's binding, a cpuset) and its cgroup CPU quota
// (v2 cpu.max, v1 cpu.cfs_quota_us / cpu.cfs_period_us, the smallest on the
// path from its cgroup up, rounded up), whichever is smaller, never below 1.
//
//   const CpuLimit c = AvailableCpus(ReadCpuSources());
//   // c.cpus: what threads = 0 means (parallel/common/threads.h);
//   // DescribeCpuLimit(c): "cgroup v2 cpu.max (2 CPUs)" for -vv
//
// Why: oneTBB 2021 and xz 5.4 count the affinity mask only, so in a
// container limited by `docker run --cpus=2` on a 64-core host -T0 starts 64
// encoders that the quota throttles. As in parallel/common/system_memory.h,
// reading (ReadCpuSources) is kept apart from choosing (AvailableCpus, pure),
// and the cgroup files are read under a root directory tests point at a fake
// tree.
//
// Thread safety: every function may be called from any thread.
#ifndef PARXZ_PARALLEL_COMMON_SYSTEM_CPUS_H_
#define PARXZ_PARALLEL_COMMON_SYSTEM_CPUS_H_

#include <optional>
#include <string>

namespace parxz {

struct CpuSources {
  unsigned affinity = 0;  // CPUs in sched_getaffinity()'s mask; 0 = unknown
  unsigned online = 0;    // sysconf(_SC_NPROCESSORS_ONLN); 0 = unknown
  // ceil(quota / period) of the smallest quota on the path from the
  // process's cgroup up to the mount; nullopt where there is none ("max",
  // -1) or it is unreadable.
  std::optional<unsigned> cgroup_v2;  // cpu.max
  std::optional<unsigned> cgroup_v1;  // cpu.cfs_quota_us / cpu.cfs_period_us
};

enum class CpuSource {
  kAffinity,  // the affinity mask (xz's and oneTBB's count)
  kOnline,    // the mask unknown: the online CPUs (1 if unknown too)
  kCgroupV2,
  kCgroupV1,
};

struct CpuLimit {
  unsigned cpus = 1;  // at least 1
  CpuSource source = CpuSource::kAffinity;
  unsigned online = 0;  // the machine's online CPUs, for the description
  // Whether fewer CPUs than the machine has online: then -vv names the bound.
  bool bounded() const { return online != 0 && cpus < online; }
};

// The smallest source (the affinity mask on a tie, so that a quota equal to
// the mask reads as the usual count). Pure.
CpuLimit AvailableCpus(const CpuSources& sources);

// "the CPU affinity mask (1 of 2 CPUs)", "cgroup v2 cpu.max (2 of 64 CPUs)",
// "cgroup v1 cpu.cfs_quota_us (3 CPUs)" (without "of" where the online
// count is unknown).
std::string DescribeCpuLimit(const CpuLimit& limit);

// The cgroup CPU quotas of the calling process, from the cgroups that
// parallel/common/cgroup.h's FindCgroupDirs(root) finds. Only `cgroup_v2` and
// `cgroup_v1` are set.
CpuSources ReadCgroupCpuLimits(const std::string& root = "/");

// Everything: the cgroup quotas under "/" and the online CPUs, read once per
// process (as the memory limits: a file read each, too much for every small
// call), and the affinity mask, asked each call (one system call), so that a
// sched_setaffinity() in the process, as some MPI libraries do in MPI_Init,
// counts from the next call on. Never throws: where reading the cgroup files
// fails (out of memory), there is no quota.
CpuSources ReadCpuSources() noexcept;

}  // namespace parxz

#endif  // PARXZ_PARALLEL_COMMON_SYSTEM_CPUS_H_
