#include "tests/faults/fault_util.h"

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <sstream>

namespace parxz::faults {

std::string TestData(size_t size, uint64_t seed) {
  static constexpr std::string_view kWords[] = {
      "block ", "stream ", "index ", "parallel ", "check ", "filter ",
      "lzma2 ", "xz ",     "header ", "footer "};
  std::string out;
  out.reserve(size + 16);
  uint64_t s = seed * 0x9E3779B97F4A7C15ull + 7;
  uint64_t n = 0;
  while (out.size() < size) {
    s ^= s << 13;
    s ^= s >> 7;
    s ^= s << 17;
    if (s % 11 == 0) {
      out += std::to_string(n++);
    } else if (s % 13 == 0) {
      out.push_back(static_cast<char>(s >> 24));
    } else {
      out += kWords[s % std::size(kWords)];
    }
  }
  out.resize(size);
  return out;
}

std::string TempPath(std::string_view stem) {
  static int counter = 0;
  const char* dir = std::getenv("TEST_TMPDIR");
  return std::string(dir != nullptr ? dir : "/tmp") + "/" + std::string(stem) +
         "." + std::to_string(::getpid()) + "." + std::to_string(counter++);
}

std::string ReadFileOrDie(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    ADD_FAILURE() << "cannot read " << path;
    return "";
  }
  return std::string((std::istreambuf_iterator<char>(in)),
                     std::istreambuf_iterator<char>());
}

void WriteFileOrDie(const std::string& path, std::string_view data) {
  std::ofstream out(path, std::ios::binary);
  out.write(data.data(), static_cast<std::streamsize>(data.size()));
  if (!out) ADD_FAILURE() << "cannot write " << path;
}

}  // namespace parxz::faults
