// parallel/common/system_memory.h: which source the default soft limit comes from
// (a pure choice), and reading cgroup limits from fake /proc and cgroup
// trees laid out as cgroup v2, v1, hybrid and container hosts show them.
#include "parallel/common/system_memory.h"

#include <gtest/gtest.h>
#include <lzma.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include <algorithm>
#include <string>

#include "tests/parallel/fake_root.h"

namespace parxz {
namespace {

constexpr uint64_t kMiB = 1 << 20;
constexpr uint64_t kGiB = uint64_t{1} << 30;

TEST(SystemMemoryTest, ChoosesTheSmallestSource) {
  const uint64_t ram = 64 * kGiB;
  SoftLimit d = DefaultSoftLimit({.physmem = ram});
  EXPECT_EQ(d.limit, 16 * kGiB);
  EXPECT_EQ(d.source, MemorySource::kPhysmem);
  // Unknown RAM: 1 GiB, as xz.
  d = DefaultSoftLimit({});
  EXPECT_EQ(d.limit, 256 * kMiB);
  EXPECT_EQ(d.source, MemorySource::kAssumed);
  d = DefaultSoftLimit({.physmem = ram, .cgroup_v2 = 2 * kGiB});
  EXPECT_EQ(d.limit, 512 * kMiB);
  EXPECT_EQ(d.source, MemorySource::kCgroupV2);
  EXPECT_EQ(DescribeSoftLimit(d),
            "a quarter of cgroup v2 memory.max (2048 MiB)");
  d = DefaultSoftLimit({.physmem = ram,
                        .cgroup_v2 = 8 * kGiB,
                        .cgroup_v1 = 4 * kGiB,
                        .rlimit_as = 3 * kGiB,
                        .rlimit_data = 5 * kGiB});
  EXPECT_EQ(d.limit, 768 * kMiB);
  EXPECT_EQ(d.source, MemorySource::kRlimitAs);
  EXPECT_EQ(DescribeSoftLimit(d), "a quarter of RLIMIT_AS (3072 MiB)");
  d = DefaultSoftLimit({.physmem = ram, .cgroup_v1 = kGiB + 1});
  EXPECT_EQ(d.source, MemorySource::kCgroupV1);
  EXPECT_EQ(DescribeSoftLimit(d),
            "a quarter of cgroup v1 memory.limit_in_bytes (1025 MiB)");
  d = DefaultSoftLimit({.physmem = ram, .rlimit_data = 100 * kMiB});
  EXPECT_EQ(d.limit, 25 * kMiB);
  EXPECT_EQ(d.source, MemorySource::kRlimitData);
  // A limit equal to the RAM is xz's rule: the RAM is named.
  d = DefaultSoftLimit({.physmem = ram, .cgroup_v2 = ram, .rlimit_as = ram});
  EXPECT_EQ(d.source, MemorySource::kPhysmem);
  EXPECT_EQ(DescribeSoftLimit(d), "a quarter of the RAM (65536 MiB)");
}

TEST(SystemMemoryTest, CgroupV2SmallestOnThePath) {
  FakeRoot r("v2");
  r.Write("/proc/self/cgroup", "0::/user.slice/job/step\n");
  r.Write("/proc/self/mountinfo",
          std::string("22 1 8:1 / / rw - ext4 /dev/sda1 rw\n") + kV2Mount);
  r.Write("/sys/fs/cgroup/user.slice/job/step/memory.max", "max\n");
  r.Write("/sys/fs/cgroup/user.slice/job/memory.max", "2147483648\n");
  r.Write("/sys/fs/cgroup/user.slice/memory.max", "8589934592\n");
  const MemorySources s = ReadCgroupLimits(r.path());
  EXPECT_EQ(s.cgroup_v2, 2 * kGiB);
  EXPECT_EQ(s.cgroup_v1, std::nullopt);
  // The reading sets nothing else.
  EXPECT_EQ(s.physmem, 0u);
  EXPECT_EQ(s.rlimit_as, std::nullopt);
}

TEST(SystemMemoryTest, CgroupV2Container) {
  // A container with its own cgroup namespace sees itself as "/".
  FakeRoot r("v2ns");
  r.Write("/proc/self/cgroup", "0::/\n");
  r.Write("/proc/self/mountinfo", kV2Mount);
  r.Write("/sys/fs/cgroup/memory.max", "536870912\n");
  EXPECT_EQ(ReadCgroupLimits(r.path()).cgroup_v2, 512 * kMiB);
  // "max" everywhere: no limit.
  r.Write("/sys/fs/cgroup/memory.max", "max\n");
  EXPECT_EQ(ReadCgroupLimits(r.path()).cgroup_v2, std::nullopt);
  // Unreadable content counts as no limit, too.
  r.Write("/sys/fs/cgroup/memory.max", "12ab\n");
  EXPECT_EQ(ReadCgroupLimits(r.path()).cgroup_v2, std::nullopt);
}

TEST(SystemMemoryTest, CgroupV1Hybrid) {
  // As on many hosts: v1 controllers, and v2 mounted beside them with no
  // memory controller.
  FakeRoot r("hybrid");
  r.Write("/proc/self/cgroup",
          "9:name=systemd:/\n4:memory:/process_api/7cba\n3:cpuset:/\n0::/\n");
  r.Write("/proc/self/mountinfo",
          "35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup "
          "rw,memory\n"
          "34 31 0:31 / /sys/fs/cgroup/cpuset rw,relatime - cgroup cgroup "
          "rw,cpuset\n"
          "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 "
          "rw\n");
  // v1's "unlimited" is a huge page-aligned number.
  r.Write("/sys/fs/cgroup/memory/process_api/7cba/memory.limit_in_bytes",
          "9223372036854771712\n");
  r.Write("/sys/fs/cgroup/memory/process_api/memory.limit_in_bytes",
          "3221225472\n");
  r.Write("/sys/fs/cgroup/memory/memory.limit_in_bytes",
          "9223372036854771712\n");
  // cpuset's directory has no memory files; a stray one must not count.
  r.Write("/sys/fs/cgroup/cpuset/memory.limit_in_bytes", "1\n");
  const MemorySources s = ReadCgroupLimits(r.path());
  EXPECT_EQ(s.cgroup_v1, 3 * kGiB);
  EXPECT_EQ(s.cgroup_v2, std::nullopt);
}

TEST(SystemMemoryTest, CgroupV1BindMountedSubtree) {
  // Older container runtimes mount the container's own v1 cgroup at the
  // usual place; /proc/self/cgroup still shows the host's path.
  FakeRoot r("v1bind");
  r.Write("/proc/self/cgroup", "7:hugetlb,memory:/docker/abc\n");
  r.Write("/proc/self/mountinfo",
          "40 31 0:33 /docker/abc /sys/fs/cgroup/memory ro - cgroup cgroup "
          "rw,hugetlb,memory\n");
  r.Write("/sys/fs/cgroup/memory/memory.limit_in_bytes", "1073741824\n");
  EXPECT_EQ(ReadCgroupLimits(r.path()).cgroup_v1, kGiB);
}

TEST(SystemMemoryTest, EscapedMountPointAndMissingMountinfo) {
  FakeRoot r("escaped");
  r.Write("/proc/self/cgroup", "0::/a\n");
  r.Write("/proc/self/mountinfo",
          "30 23 0:26 / /cg\\040root rw - cgroup2 none rw\n");
  r.Write("/cg root/a/memory.max", "1048576\n");
  EXPECT_EQ(ReadCgroupLimits(r.path()).cgroup_v2, kMiB);
  // Without mountinfo, v2 is looked for at /sys/fs/cgroup.
  FakeRoot m("nomountinfo");
  m.Write("/proc/self/cgroup", "0::/a\n");
  m.Write("/sys/fs/cgroup/cgroup.controllers", "cpu memory\n");
  m.Write("/sys/fs/cgroup/a/memory.max", "4194304\n");
  EXPECT_EQ(ReadCgroupLimits(m.path()).cgroup_v2, 4 * kMiB);
  // Nothing at all: no limits.
  FakeRoot e("empty");
  const MemorySources none = ReadCgroupLimits(e.path());
  EXPECT_EQ(none.cgroup_v2, std::nullopt);
  EXPECT_EQ(none.cgroup_v1, std::nullopt);
}

TEST(SystemMemoryTest, ReadsThisProcess) {
  const MemorySources s = ReadMemorySources();
  EXPECT_EQ(s.physmem, lzma_physmem());
  rlimit as{};
  ASSERT_EQ(getrlimit(RLIMIT_AS, &as), 0);
  if (as.rlim_cur == RLIM_INFINITY) {
    EXPECT_EQ(s.rlimit_as, std::nullopt);
  } else {
    EXPECT_EQ(s.rlimit_as, as.rlim_cur);
  }
  const SoftLimit d = DefaultSoftLimit(s);
  EXPECT_LE(d.limit, std::max<uint64_t>(lzma_physmem(), kGiB) / 4);
  EXPECT_GT(d.limit, 0u);
}

}  // namespace
}  // namespace parxz
