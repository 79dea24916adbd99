// The C++ API's output for the settings of example.c (2 threads, 1 MiB
// Blocks, preset 6, CRC64), for the install test to compare with.
// Usage: cpp_reference FILE OUT.xz
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

#include "core/error.h"
#include "parallel/compress/parallel_compressor.h"

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: cpp_reference FILE OUT.xz\n";
    return 2;
  }
  std::ifstream in(argv[1], std::ios::binary);
  std::stringstream data;
  data << in.rdbuf();
  try {
    parxz::ParallelCompressor c({.threads = 2, .block_size = 1 << 20});
    std::string xz = c.compress(data.str());
    xz += c.flush();
    std::ofstream out(argv[2], std::ios::binary);
    out.write(xz.data(), static_cast<std::streamsize>(xz.size()));
    if (!out.flush()) return 1;
  } catch (const parxz::Error& e) {
    std::cerr << e.what() << "\n";
    return 1;
  }
  return 0;
}
