// Where this process's cgroups are: for each hierarchy it belongs to, the
// directories from its own cgroup up to the hierarchy's mount point, whose
// limit files the memory and CPU readers (parallel/common/system_memory.h,
// parallel/common/system_cpus.h) take the smallest of.
//
//   const CgroupDirs dirs = FindCgroupDirs("/");
//   for (const std::string& dir : dirs.v2) {
//     const std::string text = ReadCgroupFile(dir + "/memory.max");  // ...
//   }
//
// Why not a library: libcgroup is not on every machine and its answer for a
// container's own namespace differs; the layout read here is the kernel's
// (/proc/self/cgroup, /proc/self/mountinfo) and fits in a page.
//
// Thread safety: every function may be called from any thread.
#ifndef PARXZ_PARALLEL_COMMON_CGROUP_H_
#define PARXZ_PARALLEL_COMMON_CGROUP_H_

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace parxz {

struct CgroupDirs {
  // The unified (v2) hierarchy: the process's cgroup first, the mount point
  // last; empty when the process is in none or it is not mounted.
  std::vector<std::string> v2;
  // The same for each v1 controller ("memory", "cpu", ...).
  std::map<std::string, std::vector<std::string>, std::less<>> v1;

  // v1's directories for `controller`; empty when there are none.
  const std::vector<std::string>& V1(std::string_view controller) const;
};

// Reads /proc/self/cgroup for the process's cgroups and /proc/self/mountinfo
// for where the hierarchies are mounted (the usual /sys/fs/cgroup places
// when it cannot be read), all under `root` ("/" normally; a directory
// holding proc/self/... and the mount points for tests). The directories
// returned carry the `root` prefix. A cgroup outside a bind-mounted subtree
// (older container runtimes) gives only the mount point itself.
CgroupDirs FindCgroupDirs(const std::string& root = "/");

// The text of a small file with trailing spaces and newlines removed; ""
// when it cannot be read.
std::string ReadCgroupFile(const std::string& path);

}  // namespace parxz

#endif  // PARXZ_PARALLEL_COMMON_CGROUP_H_
