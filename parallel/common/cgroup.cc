#include "parallel/common/cgroup.h"

#include <fstream>
#include <optional>
#include <sstream>

namespace parxz {

namespace {

std::vector<std::string> Split(const std::string& s, char sep) {
  std::vector<std::string> parts;
  std::string part;
  std::istringstream in(s);
  while (std::getline(in, part, sep)) parts.push_back(part);
  return parts;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return {};
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// mountinfo writes space, tab, newline and backslash in paths as \ooo.
std::string Unescape(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 3 < s.size()) {
      const std::string oct = s.substr(i + 1, 3);
      if (oct.find_first_not_of("01234567") == oct.npos) {
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
  std::optional<Mount> v2;
  std::map<std::string, Mount, std::less<>> v1;  // by controller
  // No mountinfo: v1 controllers are looked for at base/controller.
  std::string v1_fallback_base;
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
    if (right[0] == "cgroup") {
      // The super options name the controllers ("rw,cpu,cpuacct"); the
      // first mount of each counts.
      for (const std::string& opt : Split(right[2], ',')) {
        m.v1.emplace(opt, mount);
      }
    }
  }
  if (text.empty()) {
    // No mountinfo: the places systemd and container runtimes use.
    const std::string base = "/sys/fs/cgroup";
    const bool unified =
        !ReadFile(fs_root + base + "/cgroup.controllers").empty();
    m.v2 = Mount{"/", unified ? base : base + "/unified"};
    m.v1_fallback_base = base;
  }
  return m;
}

// The directories from the process's cgroup `path` up to the mount point.
std::vector<std::string> DirsOnPath(const std::string& fs_root,
                                    const Mount& mount, std::string path) {
  // The part of `path` below the mount's root; a cgroup outside the mounted
  // subtree is not visible, so only the mount point's own directory counts.
  if (mount.root != "/") {
    const bool inside =
        path.compare(0, mount.root.size(), mount.root) == 0 &&
        (path.size() == mount.root.size() || path[mount.root.size()] == '/');
    path = inside ? path.substr(mount.root.size()) : "";
  }
  while (!path.empty() && path.back() == '/') path.pop_back();
  std::vector<std::string> dirs;
  for (;;) {
    dirs.push_back(fs_root + mount.point + path);
    if (path.empty()) break;
    path.erase(path.rfind('/'));
  }
  return dirs;
}

}  // namespace

const std::vector<std::string>& CgroupDirs::V1(
    std::string_view controller) const {
  static const std::vector<std::string> kNone;
  const auto it = v1.find(controller);
  return it == v1.end() ? kNone : it->second;
}

CgroupDirs FindCgroupDirs(const std::string& root) {
  const std::string fs_root = root == "/" ? "" : root;
  const Mounts mounts = FindMounts(fs_root);
  CgroupDirs dirs;
  // Lines are "hierarchy-id:controllers:path"; v2's is "0::path".
  for (const std::string& line :
       Split(ReadFile(fs_root + "/proc/self/cgroup"), '\n')) {
    const size_t a = line.find(':');
    const size_t b = line.find(':', a + 1);
    if (a == std::string::npos || b == std::string::npos) continue;
    const std::string controllers = line.substr(a + 1, b - a - 1);
    const std::string path = line.substr(b + 1);
    if (line.compare(0, a, "0") == 0 && controllers.empty() && mounts.v2) {
      dirs.v2 = DirsOnPath(fs_root, *mounts.v2, path);
    }
    for (const std::string& c : Split(controllers, ',')) {
      if (c.empty() || dirs.v1.count(c)) continue;
      if (const auto it = mounts.v1.find(c); it != mounts.v1.end()) {
        dirs.v1[c] = DirsOnPath(fs_root, it->second, path);
      } else if (!mounts.v1_fallback_base.empty()) {
        dirs.v1[c] = DirsOnPath(
            fs_root, Mount{"/", mounts.v1_fallback_base + "/" + c}, path);
      }
    }
  }
  return dirs;
}

std::string ReadCgroupFile(const std::string& path) {
  std::string text = ReadFile(path);
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) {
    text.pop_back();
  }
  return text;
}

}  // namespace parxz
