#include "parallel/common/system_memory.h"

#include <lzma.h>
#include <sys/resource.h>

#include <charconv>
#include <utility>
#include <vector>

#include "parallel/common/cgroup.h"

namespace parxz {

namespace {

constexpr uint64_t kMiB = uint64_t{1} << 20;
// v1 reports "no limit" as the largest page-aligned 63-bit number; anything
// this large is no limit on a real machine either.
constexpr uint64_t kNoLimitAbove = uint64_t{1} << 62;

// A limit file's value: a number of bytes; "max" (v2) or a huge number (v1)
// is none, and so is anything unreadable.
std::optional<uint64_t> ReadLimit(const std::string& path) {
  const std::string text = ReadCgroupFile(path);
  uint64_t v = 0;
  const auto [end, ec] =
      std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty() ||
      v >= kNoLimitAbove) {
    return std::nullopt;
  }
  return v;
}

// The smallest `file` in `dirs` (the process's cgroup up to the mount).
std::optional<uint64_t> SmallestLimit(const std::vector<std::string>& dirs,
                                      const char* file) {
  std::optional<uint64_t> smallest;
  for (const std::string& dir : dirs) {
    const std::optional<uint64_t> v = ReadLimit(dir + "/" + file);
    if (v && (!smallest || *v < *smallest)) smallest = v;
  }
  return smallest;
}

std::optional<uint64_t> Rlimit(int resource) {
  rlimit r{};
  if (getrlimit(resource, &r) != 0 || r.rlim_cur == RLIM_INFINITY) {
    return std::nullopt;
  }
  return static_cast<uint64_t>(r.rlim_cur);
}

}  // namespace

SoftLimit DefaultSoftLimit(const MemorySources& s) {
  SoftLimit best{.source = s.physmem == 0 ? MemorySource::kAssumed
                                          : MemorySource::kPhysmem,
                 .basis = s.physmem == 0 ? uint64_t{1} << 30 : s.physmem};
  const std::pair<std::optional<uint64_t>, MemorySource> others[] = {
      {s.cgroup_v2, MemorySource::kCgroupV2},
      {s.cgroup_v1, MemorySource::kCgroupV1},
      {s.rlimit_as, MemorySource::kRlimitAs},
      {s.rlimit_data, MemorySource::kRlimitData},
  };
  for (const auto& [value, source] : others) {
    if (value && *value < best.basis) {
      best.basis = *value;
      best.source = source;
    }
  }
  best.limit = best.basis / 4;
  return best;
}

std::string DescribeSoftLimit(const SoftLimit& limit) {
  const char* what = "the RAM";
  switch (limit.source) {
    case MemorySource::kPhysmem:
      break;
    case MemorySource::kAssumed:
      what = "the RAM (unknown, 1 GiB assumed)";
      break;
    case MemorySource::kCgroupV2:
      what = "cgroup v2 memory.max";
      break;
    case MemorySource::kCgroupV1:
      what = "cgroup v1 memory.limit_in_bytes";
      break;
    case MemorySource::kRlimitAs:
      what = "RLIMIT_AS";
      break;
    case MemorySource::kRlimitData:
      what = "RLIMIT_DATA";
      break;
  }
  return std::string("a quarter of ") + what + " (" +
         std::to_string((limit.basis + kMiB - 1) / kMiB) + " MiB)";
}

MemorySources ReadCgroupLimits(const std::string& root) {
  const CgroupDirs dirs = FindCgroupDirs(root);
  MemorySources s;
  s.cgroup_v2 = SmallestLimit(dirs.v2, "memory.max");
  s.cgroup_v1 = SmallestLimit(dirs.V1("memory"), "memory.limit_in_bytes");
  return s;
}

MemorySources ReadMemorySources() {
  static const MemorySources cgroups = ReadCgroupLimits("/");
  MemorySources s = cgroups;
  s.physmem = lzma_physmem();
  s.rlimit_as = Rlimit(RLIMIT_AS);
  s.rlimit_data = Rlimit(RLIMIT_DATA);
  return s;
}

}  // namespace parxz
