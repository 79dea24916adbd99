#include "parallel/system_memory.h"

#include <lzma.h>
#include <sys/resource.h>

#include <algorithm>
#include <charconv>
#include <fstream>
#include <sstream>
#include <utility>
#include <vector>

namespace parxz {

namespace {

constexpr uint64_t kMiB = uint64_t{1} << 20;
// v1 reports "no limit" as the largest page-aligned 63-bit number; anything
// this large is no limit on a real machine either.
constexpr uint64_t kNoLimitAbove = uint64_t{1} << 62;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return {};
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<std::string> Split(const std::string& s, char sep) {
  std::vector<std::string> parts;
  std::string part;
  std::istringstream in(s);
  while (std::getline(in, part, sep)) parts.push_back(part);
  return parts;
}

// A limit file's value: a number of bytes; "max" (v2) or a huge number (v1)
// is none, and so is anything unreadable.
std::optional<uint64_t> ReadLimit(const std::string& path) {
  std::string text = ReadFile(path);
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) {
    text.pop_back();
  }
  uint64_t v = 0;
  const auto [end, ec] =
      std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty() ||
      v >= kNoLimitAbove) {
    return std::nullopt;
  }
  return v;
}

// mountinfo writes space, tab, newline and backslash in paths as \ooo.
std::string Unescape(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 3 < s.size()) {
      const std::string oct = s.substr(i + 1, 3);
      if (oct.size() == 3 && oct.find_first_not_of("01234567") == oct.npos) {
        out += static_cast<char>(std::stoi(oct, nullptr, 8));
        i += 3;
        continue;
      }
    }
    out += s[i];
  }
  return out;
}

// Where a hierarchy is mounted: the cgroup path shown at the mount point
// (`root`, "/" unless a subtree is bind-mounted) and the mount point.
struct Mount {
  std::string root;
  std::string point;
};

struct Mounts {
  std::optional<Mount> v2, v1_memory;
};

Mounts FindMounts(const std::string& fs_root) {
  Mounts m;
  const std::string text = ReadFile(fs_root + "/proc/self/mountinfo");
  for (const std::string& line : Split(text, '\n')) {
    const size_t dash = line.find(" - ");
    if (dash == std::string::npos) continue;
    const std::vector<std::string> left = Split(line.substr(0, dash), ' ');
    const std::vector<std::string> right = Split(line.substr(dash + 3), ' ');
    if (left.size() < 5 || right.size() < 3) continue;
    const Mount mount{Unescape(left[3]), Unescape(left[4])};
    if (right[0] == "cgroup2" && !m.v2) m.v2 = mount;
    if (right[0] == "cgroup" && !m.v1_memory) {
      for (const std::string& opt : Split(right[2], ',')) {
        if (opt == "memory") m.v1_memory = mount;
      }
    }
  }
  if (text.empty()) {
    // No mountinfo: the places systemd and container runtimes use.
    const std::string base = "/sys/fs/cgroup";
    const bool unified =
        !ReadFile(fs_root + base + "/cgroup.controllers").empty();
    m.v2 = Mount{"/", unified ? base : base + "/unified"};
    m.v1_memory = Mount{"/", base + "/memory"};
  }
  return m;
}

// The smallest `file` from the process's cgroup `path` up to the mount.
std::optional<uint64_t> SmallestOnPath(const std::string& fs_root,
                                       const Mount& mount, std::string path,
                                       const char* file) {
  // The part of `path` below the mount's root; a cgroup outside the mounted
  // subtree is not visible, so only the mount point's own limit is read.
  if (mount.root != "/") {
    const bool inside =
        path.compare(0, mount.root.size(), mount.root) == 0 &&
        (path.size() == mount.root.size() || path[mount.root.size()] == '/');
    path = inside ? path.substr(mount.root.size()) : "";
  }
  while (!path.empty() && path.back() == '/') path.pop_back();
  std::optional<uint64_t> smallest;
  for (;;) {
    const std::optional<uint64_t> v =
        ReadLimit(fs_root + mount.point + path + "/" + file);
    if (v && (!smallest || *v < *smallest)) smallest = v;
    if (path.empty()) break;
    path.erase(path.rfind('/'));
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
  const std::string fs_root = root == "/" ? "" : root;
  const Mounts mounts = FindMounts(fs_root);
  MemorySources s;
  // Lines are "hierarchy-id:controllers:path"; v2's is "0::path".
  for (const std::string& line :
       Split(ReadFile(fs_root + "/proc/self/cgroup"), '\n')) {
    const size_t a = line.find(':');
    const size_t b = line.find(':', a + 1);
    if (a == std::string::npos || b == std::string::npos) continue;
    const std::string controllers = line.substr(a + 1, b - a - 1);
    const std::string path = line.substr(b + 1);
    if (line.compare(0, a, "0") == 0 && controllers.empty() && mounts.v2) {
      s.cgroup_v2 = SmallestOnPath(fs_root, *mounts.v2, path, "memory.max");
    }
    for (const std::string& c : Split(controllers, ',')) {
      if (c == "memory" && mounts.v1_memory) {
        s.cgroup_v1 = SmallestOnPath(fs_root, *mounts.v1_memory, path,
                                     "memory.limit_in_bytes");
      }
    }
  }
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
