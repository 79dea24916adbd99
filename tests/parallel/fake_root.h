// A fake file system root under TEST_TMPDIR for the cgroup readers
// (parallel/common/system_memory.h, parallel/common/system_cpus.h): files are written with
// their parents, and path() is what the readers take as `root`.
#ifndef PARXZ_TESTS_PARALLEL_FAKE_ROOT_H_
#define PARXZ_TESTS_PARALLEL_FAKE_ROOT_H_

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

namespace parxz {

class FakeRoot {
 public:
  explicit FakeRoot(const std::string& name) {
    const char* tmp = std::getenv("TEST_TMPDIR");
    root_ = std::filesystem::path(tmp ? tmp : "/tmp") / ("fake_" + name);
    std::filesystem::remove_all(root_);
    std::filesystem::create_directories(root_);
  }
  void Write(const std::string& path, const std::string& text) const {
    const std::filesystem::path p = root_ / path.substr(1);
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p) << text;
  }
  std::string path() const { return root_.string(); }

 private:
  std::filesystem::path root_;
};

// mountinfo's line for cgroup v2 at /sys/fs/cgroup.
inline constexpr char kV2Mount[] =
    "30 23 0:26 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw\n";

}  // namespace parxz

#endif  // PARXZ_TESTS_PARALLEL_FAKE_ROOT_H_
