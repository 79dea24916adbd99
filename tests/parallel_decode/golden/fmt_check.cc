#include <cstdio>
#include "core/decompressor.h"
#include "parallel/parallel_decompressor.h"
#include "tests/parallel_decode/decode_test_util.h"
using namespace parxz;
using namespace parxz::testing;
int main(int argc, char** argv) {
  int bad = 0;
  for (int i = 1; i < argc; ++i) {
    std::string xz = ReadFile(argv[i]);
    for (std::string in : {xz, std::string("\x5d") + xz, xz.substr(0, 5), std::string(), std::string("hello world, not xz")}) {
      for (Format f : {Format::kXz, Format::kAlone, Format::kAuto}) {
        for (unsigned t : {1u, 2u}) {
          Verdict c = Capture([&] { return decompress(in, {.format = f}); });
          Verdict p = Capture([&] { return ParallelDecompress(in, {.threads = t, .format = f}); });
          if (c.ok != p.ok || (c.ok && c.output != p.output) || (!c.ok && (c.code != p.code || c.offset != p.offset))) {
            ++bad; std::printf("%s fmt=%d t=%u: core %s / par %s\n", argv[i], (int)f, t, Describe(c).c_str(), Describe(p).c_str());
          }
        }
      }
    }
  }
  std::printf("mismatches: %d\n", bad);
}
