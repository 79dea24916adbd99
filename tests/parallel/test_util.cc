#include "tests/parallel/test_util.h"

#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace parxz::testing {

namespace {
uint64_t Next(uint64_t& s) {
  uint64_t z = (s += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}
}  // namespace

std::string MixedData(size_t size, uint64_t seed) {
  static const char* kWords[] = {"parallel ", "block ",  "stream ", "index ",
                                 "the ",      "of ",     "xz ",     "data\n",
                                 "compress ", "thread ", "LZMA2 ",  "ratio "};
  std::string out;
  out.reserve(size);
  uint64_t s = seed;
  while (out.size() < size) {
    const uint64_t kind = Next(s) % 4;
    const size_t run = 1024 + Next(s) % 8192;
    for (size_t i = 0; i < run && out.size() < size; ++i) {
      if (kind <= 1) {
        const char* w = kWords[Next(s) % 12];
        out += w;
        i += 5;
      } else if (kind == 2) {
        out += static_cast<char>((i * 7 + (Next(s) % 3)) & 0xff);
      } else {
        out += static_cast<char>(Next(s));
      }
    }
  }
  out.resize(size);
  return out;
}

std::string RandomData(size_t size, uint64_t seed) {
  std::string out(size, '\0');
  uint64_t s = seed;
  for (char& c : out) c = static_cast<char>(Next(s));
  return out;
}

std::string WriteTempFile(const std::string& name,
                          const std::string& contents) {
  const char* dir = std::getenv("TEST_TMPDIR");
  const std::string path = std::string(dir ? dir : "/tmp") + "/" + name;
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f.write(contents.data(), static_cast<std::streamsize>(contents.size()));
  if (!f) throw std::runtime_error("cannot write " + path);
  return path;
}

std::string ReadFile(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

std::string RunCommand(const std::string& command, int* status) {
  FILE* p = popen(command.c_str(), "r");
  if (p == nullptr) throw std::runtime_error("popen failed: " + command);
  std::string out;
  char buf[1 << 16];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  const int rc = pclose(p);
  *status = WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
  return out;
}

}  // namespace parxz::testing
