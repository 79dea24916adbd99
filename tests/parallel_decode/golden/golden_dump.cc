// Temporary: dumps verdicts of the parallel decoder for behaviour comparison.
#include <fcntl.h>
#include <unistd.h>
#include <sys/mman.h>

#include <cstdio>
#include <functional>
#include <string>

#include "parallel/parallel_decompressor.h"
#include "parallel/random_access.h"
#include "tests/parallel_decode/decode_test_util.h"

using namespace parxz;
using namespace parxz::testing;

static std::string H(const std::string& s) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : s) { h ^= c; h *= 1099511628211ull; }
  return std::to_string(s.size()) + ":" + std::to_string(h);
}
static std::string D(const Verdict& v) {
  std::string r = v.ok ? "ok" : "err " + std::to_string(static_cast<int>(v.code)) +
      " @" + (v.offset ? std::to_string(*v.offset) : "-") + " " + v.what;
  return r + " out=" + H(v.output);
}
static int MemFd(const std::string& s) {
  int fd = memfd_create("g", 0);
  if (write(fd, s.data(), s.size()) != (ssize_t)s.size()) return -1;
  lseek(fd, 0, SEEK_SET);
  return fd;
}
int main(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    const std::string xz = ReadFile(argv[i]);
    std::printf("== %s\n", argv[i]);
    for (int mode = 0; mode < 2; ++mode)
      for (unsigned threads : {1u, 2u, 3u})
        for (int idx = 0; idx < 2; ++idx)
          for (int lim = 0; lim < 3; ++lim) {
            ParallelDecodeOptions o;
            o.threads = threads;
            o.mode = mode ? DecodeMode::kXz : DecodeMode::kPython;
            o.use_index = idx;
            if (lim == 1) o.memlimit_hard = 1 << 20;
            if (lim == 2) o.memlimit_soft = 1 << 20;
            std::string tag = std::to_string(mode) + std::to_string(threads) +
                              std::to_string(idx) + std::to_string(lim);
            std::printf("mem %s %s\n", tag.c_str(),
                        D(Capture([&] { return ParallelDecompress(xz, o); })).c_str());
            std::printf("tst %s %s\n", tag.c_str(), D(Capture([&] {
              DecompressStats st = ParallelTest(xz, o);
              return std::to_string(st.out_bytes) + "/" + std::to_string(st.in_bytes) +
                     "/" + std::to_string(st.streams) + "/" + std::to_string(st.blocks) +
                     "/" + std::to_string(st.unsupported_check);
            })).c_str());
            if (lim == 0) {
              for (int pipe_in = 0; pipe_in < 2; ++pipe_in) {
                std::printf("fd%d %s %s\n", pipe_in, tag.c_str(), D(Capture([&] {
                  int in;
                  if (pipe_in) {
                    std::string tmp = "/tmp/h3/golden_in";
                    int p[2]; pipe(p);
                    if (fork() == 0) { close(p[0]); size_t off=0; while (off<xz.size()) { ssize_t w=write(p[1], xz.data()+off, xz.size()-off); if (w<=0) break; off+=w;} _exit(0);} 
                    close(p[1]); in = p[0];
                  } else in = MemFd(xz);
                  int out = MemFd("");
                  std::string res;
                  try {
                    DecompressStats st = DecompressFd(in, out, o);
                    res = std::to_string(st.in_bytes) + "/" + std::to_string(st.streams);
                  } catch (...) { close(in); while (pipe_in && false) {} close(out); throw; }
                  off_t n = lseek(out, 0, SEEK_END);
                  std::string b(n, 0); pread(out, b.data(), n, 0);
                  close(in); close(out);
                  return res + " " + H(b);
                })).c_str());
              }
            }
          }
    for (int lim = 0; lim < 2; ++lim) {
      std::printf("ra%d %s\n", lim, D(Capture([&] {
        RandomAccessOptions ro; ro.threads = 2; if (lim) ro.memlimit = 1 << 20;
        XzRandomAccess ra = XzRandomAccess::OpenBuffer(xz, ro);
        std::string all = ra.Read(0, 64 << 20);
        std::string part = ra.Read(ra.size() / 3, 100000);
        return H(all) + " " + H(part) + " " + std::to_string(ra.info().streams.size());
      })).c_str());
      std::printf("info%d %s\n", lim, D(Capture([&] {
        XzFileInfo fi = ReadXzFileInfo(xz, true, lim ? (1 << 20) : UINT64_MAX);
        std::string r = std::to_string(fi.blocks.size()) + " " + std::to_string(fi.memusage_max);
        for (auto& b : fi.blocks) r += " " + b.filters;
        return r;
      })).c_str());
    }
  }
}
