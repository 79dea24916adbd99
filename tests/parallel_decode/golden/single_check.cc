#include <cstdio>
#include <cstdlib>
#include "parallel/parallel_decompressor.h"
#include "tests/parallel_decode/decode_test_util.h"
using namespace parxz;
using namespace parxz::testing;
int main(int argc, char** argv) {
  int bad = 0, n = 0;
  for (int i = 1; i < argc; ++i) {
    std::string xz = ReadFile(argv[i]);
    int rc = Run(std::string(getenv("XZMODE") ? "xz -dc " : "xz --single-stream -dc ") + argv[i] + " > /tmp/h3/ss.out 2>/dev/null");
    std::string want = ReadFile("/tmp/h3/ss.out");
    Verdict p = Capture([&] { return ParallelDecompress(xz, {.threads = 2, .mode = getenv("XZMODE") ? DecodeMode::kXz : DecodeMode::kSingleStream}); });
    ++n;
    bool xz_ok = rc == 0 || (rc >> 8) == 2 || rc == 2;
    if (xz_ok != p.ok || (p.ok && p.output != want)) {
      ++bad;
      std::printf("%s: xz rc=%d (%zu bytes), par %s\n", argv[i], rc, want.size(), Describe(p).c_str());
    }
  }
  std::printf("%d files, %d mismatches\n", n, bad);
}
