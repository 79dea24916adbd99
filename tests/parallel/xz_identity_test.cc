// The parallel compressor's output must equal what the xz program's
// multi-threaded encoder writes for the same settings, byte for byte.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <string>
#include <tuple>
#include <vector>

#include "parallel/compress/parallel_compressor.h"
#include "tests/parallel/test_util.h"

namespace parxz {
namespace {

using testing::MixedData;
using testing::RandomData;
using testing::RunCommand;
using testing::WriteTempFile;

struct Case {
  std::string name;
  uint32_t preset;
  bool extreme;
  Check check;
  uint64_t block_size;  // 0 = default
  std::string input;    // kind, see MakeInput
  size_t size;
};

std::string CheckArg(Check c) {
  switch (c) {
    case Check::kNone:
      return "none";
    case Check::kCrc32:
      return "crc32";
    case Check::kSha256:
      return "sha256";
    default:
      return "crc64";
  }
}

uint64_t DefaultBlock(uint32_t preset) {
  ParallelOptions o;
  o.preset = preset;
  return ResolveParallelOptions(o).block_size;
}

std::string MakeInput(const Case& c) {
  if (c.input == "random") return RandomData(c.size, 7);
  return MixedData(c.size, 11);
}

// What `xz -T2` writes for the case, from a file piped through stdin.
std::string XzOutput(const Case& c, const std::string& path) {
  std::string cmd = "xz -T2 -c -" + std::to_string(c.preset) +
                    (c.extreme ? "e" : "") + " --check=" + CheckArg(c.check);
  if (c.block_size) cmd += " --block-size=" + std::to_string(c.block_size);
  int status = 0;
  std::string out = RunCommand("cat '" + path + "' | " + cmd, &status);
  EXPECT_EQ(status, 0) << cmd;
  return out;
}

ParallelOptions Options(const Case& c, unsigned threads) {
  ParallelOptions o;
  o.preset = c.preset;
  o.extreme = c.extreme;
  o.check = c.check;
  o.block_size = c.block_size;
  o.threads = threads;
  return o;
}

void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

class XzIdentity : public ::testing::TestWithParam<Case> {};

TEST_P(XzIdentity, PushApiAndFdApiEqualXz) {
  const Case& c = GetParam();
  const std::string data = MakeInput(c);
  const std::string path = WriteTempFile("in_" + c.name, data);
  const std::string expected = XzOutput(c, path);
  ASSERT_FALSE(expected.empty());

  // Push API, fed in 100 KiB pieces.
  ParallelCompressor pc(Options(c, 2));
  std::string pushed;
  for (size_t i = 0; i < data.size(); i += 100 << 10) {
    pushed += pc.compress(std::string_view(data).substr(i, 100 << 10));
  }
  pushed += pc.flush();
  EXPECT_TRUE(pushed == expected)
      << "push API differs from xz for " << c.name << ": " << pushed.size()
      << " vs " << expected.size() << " bytes";

  // Descriptor API.
  const std::string out_path = path + ".xz";
  const int in = open(path.c_str(), O_RDONLY);
  const int out = open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  ASSERT_GE(in, 0);
  ASSERT_GE(out, 0);
  const CompressStats stats = CompressFd(in, out, Options(c, 2));
  close(in);
  close(out);
  EXPECT_EQ(stats.in_bytes, data.size());
  EXPECT_TRUE(testing::ReadFile(out_path) == expected)
      << "CompressFd differs from xz for " << c.name;
  EXPECT_EQ(stats.out_bytes, expected.size());
}

std::vector<Case> Cases() {
  std::vector<Case> cases;
  const std::vector<std::pair<uint32_t, bool>> presets = {
      {0, false}, {1, false}, {6, false}, {6, true}};
  const std::vector<Check> checks = {Check::kNone, Check::kCrc32, Check::kCrc64,
                                     Check::kSha256};
  // Every preset and check with 64 KiB Blocks on several Blocks of data.
  for (auto [p, e] : presets) {
    for (Check ch : checks) {
      cases.push_back({"p" + std::to_string(p) + (e ? "e" : "") + "_" +
                           CheckArg(ch) + "_64k",
                       p, e, ch, 64 << 10, "mixed", 300000});
    }
  }
  // Edge sizes around one Block, for 64 KiB, 1 MiB and the default size.
  for (uint64_t bs : {uint64_t{64} << 10, uint64_t{1} << 20, uint64_t{0}}) {
    const uint32_t preset = bs == 0 ? 0 : 6;  // -0's default Block is 1 MiB
    const uint64_t block = bs == 0 ? DefaultBlock(0) : bs;
    const std::string tag =
        "p" + std::to_string(preset) + "_bs" +
        (bs == 0 ? std::string("default") : std::to_string(bs));
    for (auto [kind, size] : std::vector<std::pair<std::string, size_t>>{
             {"empty", 0},
             {"one_byte", 1},
             {"one_block", block},
             {"block_plus_1", block + 1},
             {"random", 2 * block + 999}}) {
      cases.push_back({tag + "_" + kind, preset, false, Check::kCrc64, bs,
                       kind == "random" ? "random" : "mixed", size});
    }
  }
  // The real default at -6 (24 MiB Blocks) on a small input, and -1's 3 MiB.
  cases.push_back(
      {"p6_default_small", 6, false, Check::kCrc64, 0, "mixed", 200000});
  cases.push_back({"p1_default_two_blocks", 1, false, Check::kCrc64, 0, "mixed",
                   DefaultBlock(1) + 12345});
  return cases;
}

INSTANTIATE_TEST_SUITE_P(AllSettings, XzIdentity, ::testing::ValuesIn(Cases()),
                         [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace parxz
