#include "parallel/common/system_cpus.h"

#include <sched.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <utility>
#include <vector>

#include "parallel/common/cgroup.h"

namespace parxz {

namespace {

// A whole non-negative number, or nullopt.
std::optional<uint64_t> Number(const std::string& text) {
  uint64_t v = 0;
  const auto [end, ec] =
      std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) {
    return std::nullopt;
  }
  return v;
}

// ceil(quota / period), at least 1; nullopt for a zero period.
std::optional<unsigned> QuotaCpus(uint64_t quota, uint64_t period) {
  if (period == 0) return std::nullopt;
  const uint64_t cpus = quota / period + (quota % period != 0);
  return static_cast<unsigned>(std::clamp<uint64_t>(cpus, 1, UINT32_MAX));
}

// v2 cpu.max: "QUOTA PERIOD", QUOTA "max" for none.
std::optional<unsigned> ReadCpuMax(const std::string& dir) {
  const std::string text = ReadCgroupFile(dir + "/cpu.max");
  const size_t space = text.find(' ');
  if (space == std::string::npos) return std::nullopt;
  const auto quota = Number(text.substr(0, space));
  const auto period = Number(text.substr(space + 1));
  if (!quota || !period) return std::nullopt;  // "max" among them
  return QuotaCpus(*quota, *period);
}

// v1: cpu.cfs_quota_us (-1 for none) over cpu.cfs_period_us.
std::optional<unsigned> ReadCfsQuota(const std::string& dir) {
  const auto quota = Number(ReadCgroupFile(dir + "/cpu.cfs_quota_us"));
  const auto period = Number(ReadCgroupFile(dir + "/cpu.cfs_period_us"));
  if (!quota || !period) return std::nullopt;  // "-1" among them
  return QuotaCpus(*quota, *period);
}

template <typename Read>
std::optional<unsigned> Smallest(const std::vector<std::string>& dirs,
                                 Read read) {
  std::optional<unsigned> smallest;
  for (const std::string& dir : dirs) {
    const std::optional<unsigned> v = read(dir);
    if (v && (!smallest || *v < *smallest)) smallest = v;
  }
  return smallest;
}

}  // namespace

CpuLimit AvailableCpus(const CpuSources& s) {
  CpuLimit best{.cpus = s.affinity, .online = s.online};
  if (s.affinity == 0) {
    best.cpus = s.online == 0 ? 1 : s.online;
    best.source = CpuSource::kOnline;
  }
  const std::pair<std::optional<unsigned>, CpuSource> quotas[] = {
      {s.cgroup_v2, CpuSource::kCgroupV2},
      {s.cgroup_v1, CpuSource::kCgroupV1},
  };
  for (const auto& [value, source] : quotas) {
    if (value && *value < best.cpus) {
      best.cpus = std::max(*value, 1u);
      best.source = source;
    }
  }
  return best;
}

std::string DescribeCpuLimit(const CpuLimit& limit) {
  const char* what = "the CPU affinity mask";
  switch (limit.source) {
    case CpuSource::kAffinity:
      break;
    case CpuSource::kOnline:
      what = "the online CPUs";
      break;
    case CpuSource::kCgroupV2:
      what = "cgroup v2 cpu.max";
      break;
    case CpuSource::kCgroupV1:
      what = "cgroup v1 cpu.cfs_quota_us";
      break;
  }
  std::string s = std::string(what) + " (" + std::to_string(limit.cpus);
  if (limit.online != 0 && limit.source != CpuSource::kOnline) {
    s += " of " + std::to_string(limit.online);
  }
  return s + (limit.cpus == 1 && limit.online <= 1 ? " CPU)" : " CPUs)");
}

CpuSources ReadCgroupCpuLimits(const std::string& root) {
  const CgroupDirs dirs = FindCgroupDirs(root);
  CpuSources s;
  s.cgroup_v2 = Smallest(dirs.v2, ReadCpuMax);
  s.cgroup_v1 = Smallest(dirs.V1("cpu"), ReadCfsQuota);
  return s;
}

CpuSources ReadCpuSources() noexcept {
  static const CpuSources once = [] {
    CpuSources s;
    try {
      s = ReadCgroupCpuLimits("/");
    } catch (...) {
      s = CpuSources{};
    }
    // glibc reads /sys/devices/system/cpu/online for it: three system calls
    // that a small call should not pay each time.
    const long online = sysconf(_SC_NPROCESSORS_ONLN);
    if (online > 0) s.online = static_cast<unsigned>(online);
    return s;
  }();
  CpuSources s = once;
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof set, &set) == 0) {
    s.affinity = static_cast<unsigned>(CPU_COUNT(&set));
  }
  return s;
}

}  // namespace parxz
