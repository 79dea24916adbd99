// parallel/common/system_cpus.h: which bound threads = 0 comes from (a pure
// choice), and reading cgroup CPU quotas from fake /proc and cgroup trees
// laid out as cgroup v2, v1 and container hosts show them.
#include "parallel/common/system_cpus.h"

#include <gtest/gtest.h>
#include <sched.h>
#include <unistd.h>

#include <string>

#include "parallel/common/system_memory.h"
#include "tests/parallel/fake_root.h"

namespace parxz {
namespace {

TEST(SystemCpusTest, ChoosesTheSmallestSource) {
  CpuLimit c = AvailableCpus({.affinity = 64, .online = 64});
  EXPECT_EQ(c.cpus, 64u);
  EXPECT_EQ(c.source, CpuSource::kAffinity);
  EXPECT_FALSE(c.bounded());
  EXPECT_EQ(DescribeCpuLimit(c), "the CPU affinity mask (64 of 64 CPUs)");
  // docker run --cpus=2 on a 64-core host.
  c = AvailableCpus({.affinity = 64, .online = 64, .cgroup_v2 = 2});
  EXPECT_EQ(c.cpus, 2u);
  EXPECT_EQ(c.source, CpuSource::kCgroupV2);
  EXPECT_TRUE(c.bounded());
  EXPECT_EQ(DescribeCpuLimit(c), "cgroup v2 cpu.max (2 of 64 CPUs)");
  // A rank bound to one core.
  c = AvailableCpus({.affinity = 1, .online = 2});
  EXPECT_EQ(c.cpus, 1u);
  EXPECT_TRUE(c.bounded());
  EXPECT_EQ(DescribeCpuLimit(c), "the CPU affinity mask (1 of 2 CPUs)");
  // A quota equal to the mask: the mask is named.
  c = AvailableCpus({.affinity = 4, .online = 8, .cgroup_v1 = 4});
  EXPECT_EQ(c.source, CpuSource::kAffinity);
  c = AvailableCpus(
      {.affinity = 16, .online = 16, .cgroup_v2 = 8, .cgroup_v1 = 3});
  EXPECT_EQ(c.cpus, 3u);
  EXPECT_EQ(c.source, CpuSource::kCgroupV1);
  EXPECT_EQ(DescribeCpuLimit(c), "cgroup v1 cpu.cfs_quota_us (3 of 16 CPUs)");
  // A quota above the mask does not raise it.
  c = AvailableCpus({.affinity = 2, .online = 64, .cgroup_v2 = 8});
  EXPECT_EQ(c.cpus, 2u);
  EXPECT_EQ(c.source, CpuSource::kAffinity);
  // Mask unknown: the online CPUs; nothing known: 1.
  c = AvailableCpus({.online = 8});
  EXPECT_EQ(c.cpus, 8u);
  EXPECT_EQ(c.source, CpuSource::kOnline);
  EXPECT_EQ(DescribeCpuLimit(c), "the online CPUs (8 CPUs)");
  c = AvailableCpus({});
  EXPECT_EQ(c.cpus, 1u);
  EXPECT_FALSE(c.bounded());
  EXPECT_EQ(DescribeCpuLimit(c), "the online CPUs (1 CPU)");
  // Never below 1.
  EXPECT_EQ(AvailableCpus({.affinity = 4, .cgroup_v2 = 0}).cpus, 1u);
}

constexpr char kV2Process[] = "0::/user.slice/job/step\n";

struct QuotaCase {
  const char* step;  // cpu.max of the process's own cgroup ("" = no file)
  const char* job;   // its parent's
  const char* user;  // its grandparent's
  std::optional<unsigned> cpus;
};

TEST(SystemCpusTest, CgroupV2Table) {
  const QuotaCase cases[] = {
      {"150000 100000", "", "", 2},          // 1.5 CPUs, rounded up
      {"max 100000", "", "", std::nullopt},  // no quota: the mask counts
      {"200000 100000", "", "", 2},
      {"50000 100000", "", "", 1},  // half a CPU: never below 1
      {"1000 100000", "", "", 1},
      {"max 100000", "300000 100000", "150000 100000", 2},  // nested
      {"800000 100000", "max 100000", "300000 100000", 3},
      {"100000 50000", "500000 100000", "", 2},  // another period
      {"", "", "", std::nullopt},                // controller not enabled
      {"12ab 100000", "", "", std::nullopt},     // unreadable
      {"150000", "", "", std::nullopt},          // no period
      {"150000 0", "", "", std::nullopt},
  };
  for (const QuotaCase& c : cases) {
    SCOPED_TRACE(std::string(c.step) + " / " + c.job + " / " + c.user);
    FakeRoot r("cpu_v2");
    r.Write("/proc/self/cgroup", kV2Process);
    r.Write("/proc/self/mountinfo",
            std::string("22 1 8:1 / / rw - ext4 /dev/sda1 rw\n") + kV2Mount);
    const std::string base = "/sys/fs/cgroup/user.slice";
    if (*c.step) r.Write(base + "/job/step/cpu.max", std::string(c.step));
    if (*c.job) r.Write(base + "/job/cpu.max", std::string(c.job) + "\n");
    if (*c.user) r.Write(base + "/cpu.max", std::string(c.user) + "\n");
    const CpuSources s = ReadCgroupCpuLimits(r.path());
    EXPECT_EQ(s.cgroup_v2, c.cpus);
    EXPECT_EQ(s.cgroup_v1, std::nullopt);
    EXPECT_EQ(s.affinity, 0u);  // the reading sets nothing else
    // And what threads = 0 then means on a 64-CPU mask.
    const CpuLimit l =
        AvailableCpus({.affinity = 64, .online = 64, .cgroup_v2 = s.cgroup_v2});
    EXPECT_EQ(l.cpus, c.cpus.value_or(64));
  }
}

TEST(SystemCpusTest, CgroupV1CoMountedCpuAndCpuacct) {
  // Docker on a v1 host: cpu and cpuacct share a hierarchy; the memory
  // limit comes from the same layout, through the same directory finder.
  FakeRoot r("cpu_v1");
  r.Write("/proc/self/cgroup",
          "9:name=systemd:/docker/abc\n4:memory:/docker/abc\n"
          "3:cpu,cpuacct:/docker/abc\n2:cpuset:/docker/abc\n");
  r.Write("/proc/self/mountinfo",
          "31 30 0:28 / /sys/fs/cgroup/cpu,cpuacct rw,relatime - cgroup "
          "cgroup rw,cpu,cpuacct\n"
          "33 30 0:30 / /sys/fs/cgroup/cpuset rw,relatime - cgroup cgroup "
          "rw,cpuset\n"
          "34 30 0:31 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup "
          "rw,memory\n");
  const std::string cpu = "/sys/fs/cgroup/cpu,cpuacct";
  r.Write(cpu + "/docker/abc/cpu.cfs_quota_us", "150000\n");
  r.Write(cpu + "/docker/abc/cpu.cfs_period_us", "100000\n");
  r.Write(cpu + "/docker/cpu.cfs_quota_us", "-1\n");
  r.Write(cpu + "/docker/cpu.cfs_period_us", "100000\n");
  r.Write(cpu + "/cpu.cfs_quota_us", "-1\n");
  r.Write(cpu + "/cpu.cfs_period_us", "100000\n");
  // A stray quota file under another controller must not count.
  r.Write("/sys/fs/cgroup/cpuset/docker/abc/cpu.cfs_quota_us", "1000\n");
  r.Write("/sys/fs/cgroup/cpuset/docker/abc/cpu.cfs_period_us", "100000\n");
  r.Write("/sys/fs/cgroup/memory/docker/abc/memory.limit_in_bytes",
          "1073741824\n");
  CpuSources s = ReadCgroupCpuLimits(r.path());
  EXPECT_EQ(s.cgroup_v1, 2u);
  EXPECT_EQ(s.cgroup_v2, std::nullopt);
  EXPECT_EQ(ReadCgroupLimits(r.path()).cgroup_v1, uint64_t{1} << 30);
  // Nested: the parent's smaller quota counts.
  r.Write(cpu + "/docker/cpu.cfs_quota_us", "100000\n");
  EXPECT_EQ(ReadCgroupCpuLimits(r.path()).cgroup_v1, 1u);
  // No quota anywhere: none (the mask counts).
  r.Write(cpu + "/docker/abc/cpu.cfs_quota_us", "-1\n");
  r.Write(cpu + "/docker/cpu.cfs_quota_us", "-1\n");
  EXPECT_EQ(ReadCgroupCpuLimits(r.path()).cgroup_v1, std::nullopt);
}

TEST(SystemCpusTest, ContainerWithoutMountinfo) {
  // Its own cgroup namespace ("/"), no /proc/self/mountinfo: v2 at
  // /sys/fs/cgroup, v1 controllers at /sys/fs/cgroup/<controller>.
  FakeRoot r("cpu_nomountinfo");
  r.Write("/proc/self/cgroup", "0::/\n");
  r.Write("/sys/fs/cgroup/cgroup.controllers", "cpu memory\n");
  r.Write("/sys/fs/cgroup/cpu.max", "200000 100000\n");
  EXPECT_EQ(ReadCgroupCpuLimits(r.path()).cgroup_v2, 2u);
  FakeRoot v1("cpu_nomountinfo_v1");
  v1.Write("/proc/self/cgroup", "3:cpu,cpuacct:/\n");
  v1.Write("/sys/fs/cgroup/cpu/cpu.cfs_quota_us", "400000\n");
  v1.Write("/sys/fs/cgroup/cpu/cpu.cfs_period_us", "100000\n");
  EXPECT_EQ(ReadCgroupCpuLimits(v1.path()).cgroup_v1, 4u);
  FakeRoot e("cpu_empty");
  const CpuSources none = ReadCgroupCpuLimits(e.path());
  EXPECT_EQ(none.cgroup_v2, std::nullopt);
  EXPECT_EQ(none.cgroup_v1, std::nullopt);
}

TEST(SystemCpusTest, ReadsThisProcess) {
  const CpuSources s = ReadCpuSources();
  cpu_set_t set;
  ASSERT_EQ(sched_getaffinity(0, sizeof set, &set), 0);
  EXPECT_EQ(s.affinity, static_cast<unsigned>(CPU_COUNT(&set)));
  EXPECT_EQ(s.online, static_cast<unsigned>(sysconf(_SC_NPROCESSORS_ONLN)));
  const CpuLimit c = AvailableCpus(s);
  EXPECT_GE(c.cpus, 1u);
  EXPECT_LE(c.cpus, s.affinity);
  // The mask is asked each call: one CPU from here on.
  cpu_set_t one;
  CPU_ZERO(&one);
  for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu) {
    if (CPU_ISSET(cpu, &set)) {
      CPU_SET(cpu, &one);
      break;
    }
  }
  ASSERT_EQ(sched_setaffinity(0, sizeof one, &one), 0);
  EXPECT_EQ(ReadCpuSources().affinity, 1u);
  EXPECT_EQ(AvailableCpus(ReadCpuSources()).cpus, 1u);
  ASSERT_EQ(sched_setaffinity(0, sizeof set, &set), 0);
}

}  // namespace
}  // namespace parxz
