#include "tests/core/test_util.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <sstream>

namespace parxz::testing {

namespace {

class Xorshift {
 public:
  explicit Xorshift(uint64_t seed) : state_(seed * 0x9E3779B97F4A7C15ULL + 1) {}
  uint64_t Next() {
    state_ ^= state_ << 13;
    state_ ^= state_ >> 7;
    state_ ^= state_ << 17;
    return state_;
  }
  uint64_t Below(uint64_t n) { return Next() % n; }

 private:
  uint64_t state_;
};

constexpr const char* kWords[] = {
    "the",   "quick", "brown",  "fox",    "jumps",  "over",  "lazy",
    "dog",   "xz",    "stream", "block",  "index",  "check", "filter",
    "delta", "lzma",  "parxz",  "thread", "offset", "byte",  "\n"};

}  // namespace

std::string MixedData(size_t size, uint64_t seed) {
  Xorshift rng(seed);
  std::string out;
  out.reserve(size + 64);
  while (out.size() < size) {
    const size_t run = 64 + rng.Below(4096);
    switch (rng.Below(4)) {
      case 0: {  // text
        const size_t start = out.size();
        while (out.size() - start < run) {
          out += kWords[rng.Below(std::size(kWords))];
          out += ' ';
        }
        break;
      }
      case 1:  // random binary
        for (size_t i = 0; i < run; ++i) out += static_cast<char>(rng.Next());
        break;
      case 2:  // a repeated byte
        out.append(run, static_cast<char>(rng.Next()));
        break;
      default:  // little-endian counters, like a table of integers
        for (uint32_t i = 0, base = rng.Next(); i < run / 4; ++i) {
          const uint32_t v = base + i * 3;
          out.append(reinterpret_cast<const char*>(&v), 4);
        }
        break;
    }
  }
  out.resize(size);
  return out;
}

std::string RandomData(size_t size, uint64_t seed) {
  Xorshift rng(seed);
  std::string out(size, '\0');
  for (char& c : out) c = static_cast<char>(rng.Next() >> 24);
  return out;
}

std::string TempPath(std::string_view stem) {
  static std::atomic<int> counter{0};
  const char* dir = std::getenv("TEST_TMPDIR");
  return std::string(dir != nullptr ? dir : "/tmp") + "/" + std::string(stem) +
         "." + std::to_string(getpid()) + "." + std::to_string(counter++);
}

void WriteFile(const std::string& path, std::string_view data) {
  std::ofstream f(path, std::ios::binary);
  f.write(data.data(), static_cast<std::streamsize>(data.size()));
  ASSERT_TRUE(f.good()) << "cannot write " << path;
}

std::string ReadFile(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  EXPECT_TRUE(f.good()) << "cannot read " << path;
  std::ostringstream s;
  s << f.rdbuf();
  return s.str();
}

CommandResult RunCommand(const std::string& command, std::string_view input) {
  const std::string in_path = TempPath("stdin");
  WriteFile(in_path, input);
  CommandResult result;
  FILE* pipe = popen((command + " < '" + in_path + "'").c_str(), "r");
  if (pipe == nullptr) {
    ADD_FAILURE() << "popen failed for: " << command;
    return result;
  }
  char buf[1 << 16];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, pipe)) > 0) result.out.append(buf, n);
  const int status = pclose(pipe);
  if (status != -1 && WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
  std::remove(in_path.c_str());
  return result;
}

std::string PythonCommand(const std::string& script) {
  const std::string path = TempPath("script") + ".py";
  WriteFile(path, script);
  return "python3 '" + path + "'";
}

std::string Sha256Hex(std::string_view data) {
  CommandResult r = RunCommand("sha256sum", data);
  EXPECT_EQ(r.exit_code, 0) << "sha256sum failed";
  return r.out.substr(0, r.out.find(' '));
}

}  // namespace parxz::testing
