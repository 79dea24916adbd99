// Parallel decompression and random access against the sequential decoder.
//
//   bazel build -c opt //bench:decode_bench
//   bazel-bin/bench/decode_bench --xz=sil7.tar.xz            # Google Benchmark
//   bazel-bin/bench/decode_bench --xz=F --decompress --threads=2 >out
//   bazel-bin/bench/decode_bench --xz=F --decompress --sequential >out
//   bazel-bin/bench/decode_bench --xz=F --random_read=OFFSET:LENGTH [--runs=5]
//
// --xz=FILE (or $PARXZ_DECODE_XZ) is the .xz to decode; bench/decode_compare.sh
// makes it from bench/corpus.sh's sample with `xz -6 -T2 --block-size=4MiB`.
// Without one, 32 MiB of generated data compressed at -1 in 1 MiB Blocks.
//
// The --decompress modes write FILE's contents to stdout with DecompressFd
// (mapped input, the pipeline) or, with --sequential, with core's
// Decompressor, so that decode_compare.sh can time them beside `xz -d` and
// `pixz -d`. --random_read prints the median time of reading LENGTH bytes at
// OFFSET through XzRandomAccess and of decoding sequentially up to
// OFFSET + LENGTH, and their ratio.
#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <lzma.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <random>
#include <span>
#include <sstream>
#include <string>
#include <vector>

#include "core/decompressor.h"
#include "parallel/access/random_access.h"
#include "parallel/decode/parallel_decompressor.h"

namespace {

std::string g_path;
std::string g_xz;
uint64_t g_plain_size = 0;

std::string GeneratedXz() {
  std::mt19937_64 rng(42);
  std::string data;
  const size_t size = 32 << 20;
  data.reserve(size);
  static const char* kWords[] = {"alpha ",  "beta ", "gamma ",
                                 "delta\n", "xz ",   "block "};
  while (data.size() < size) {
    if (rng() % 4 == 0) {
      for (int i = 0; i < 256; ++i) data.push_back(static_cast<char>(rng()));
    } else {
      for (int i = 0; i < 512; ++i) data += kWords[rng() % 6];
    }
  }
  data.resize(size);
  lzma_stream s = LZMA_STREAM_INIT;
  lzma_mt mt{};
  mt.threads = 2;
  mt.block_size = 1 << 20;
  mt.preset = 1;
  mt.check = LZMA_CHECK_CRC64;
  if (lzma_stream_encoder_mt(&s, &mt) != LZMA_OK) std::abort();
  std::string out(lzma_stream_buffer_bound(size), '\0');
  s.next_in = reinterpret_cast<const uint8_t*>(data.data());
  s.avail_in = data.size();
  s.next_out = reinterpret_cast<uint8_t*>(out.data());
  s.avail_out = out.size();
  while (lzma_code(&s, LZMA_FINISH) == LZMA_OK) {
  }
  out.resize(out.size() - s.avail_out);
  lzma_end(&s);
  return out;
}

void Load() {
  if (g_path.empty()) {
    if (const char* env = std::getenv("PARXZ_DECODE_XZ")) g_path = env;
  }
  if (g_path.empty()) {
    g_xz = GeneratedXz();
    g_path = "(generated)";
  } else {
    std::ifstream f(g_path, std::ios::binary);
    if (!f) {
      std::fprintf(stderr, "decode_bench: cannot read %s\n", g_path.c_str());
      std::exit(2);
    }
    std::ostringstream ss;
    ss << f.rdbuf();
    g_xz = ss.str();
  }
  g_plain_size = parxz::XzRandomAccess::open_buffer(g_xz).size();
}

// The sequential reference: core's one-shot decoder.
void BM_CoreDecompress(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(parxz::Decompress(g_xz));
  state.SetBytesProcessed(
      static_cast<int64_t>(state.iterations() * g_plain_size));
}
BENCHMARK(BM_CoreDecompress)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_ParallelDecompress(benchmark::State& state) {
  const parxz::ParallelDecodeOptions opts{
      .threads = static_cast<unsigned>(state.range(0))};
  for (auto _ : state)
    benchmark::DoNotOptimize(parxz::ParallelDecompress(g_xz, opts));
  state.SetBytesProcessed(
      static_cast<int64_t>(state.iterations() * g_plain_size));
}
BENCHMARK(BM_ParallelDecompress)
    ->ArgName("threads")
    ->Arg(1)
    ->Arg(2)
    ->Arg(4)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// `xz -t`: verification only, no output kept.
void BM_ParallelTest(benchmark::State& state) {
  const parxz::ParallelDecodeOptions opts{
      .threads = static_cast<unsigned>(state.range(0))};
  for (auto _ : state)
    benchmark::DoNotOptimize(parxz::ParallelTest(g_xz, opts));
  state.SetBytesProcessed(
      static_cast<int64_t>(state.iterations() * g_plain_size));
}
BENCHMARK(BM_ParallelTest)
    ->ArgName("threads")
    ->Arg(1)
    ->Arg(2)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// The command line's path: mapped file in, descriptor out.
void BM_DecompressFdToDevNull(benchmark::State& state) {
  const parxz::ParallelDecodeOptions opts{
      .threads = static_cast<unsigned>(state.range(0)),
      .mode = parxz::DecodeMode::kXz};
  const int in = open(g_path.c_str(), O_RDONLY);
  const int out = open("/dev/null", O_WRONLY);
  if (in < 0) {
    state.SkipWithError("needs --xz=FILE");
    if (out >= 0) close(out);
    return;
  }
  for (auto _ : state) {
    lseek(in, 0, SEEK_SET);
    benchmark::DoNotOptimize(parxz::DecompressFd(in, out, opts));
  }
  close(in);
  close(out);
  state.SetBytesProcessed(
      static_cast<int64_t>(state.iterations() * g_plain_size));
}
BENCHMARK(BM_DecompressFdToDevNull)
    ->ArgName("threads")
    ->Arg(1)
    ->Arg(2)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

constexpr uint64_t kReadLength = 1 << 20;

// 1 MiB from the middle, no cache: only the Blocks holding it are decoded.
void BM_RandomRead1MiBMiddle(benchmark::State& state) {
  parxz::XzRandomAccess ra = parxz::XzRandomAccess::open_buffer(
      g_xz,
      {.threads = static_cast<unsigned>(state.range(0)), .cache_blocks = 0});
  const uint64_t offset = g_plain_size / 2;
  for (auto _ : state) benchmark::DoNotOptimize(ra.read(offset, kReadLength));
  state.SetBytesProcessed(
      static_cast<int64_t>(state.iterations() * kReadLength));
}
BENCHMARK(BM_RandomRead1MiBMiddle)
    ->ArgName("threads")
    ->Arg(1)
    ->Arg(2)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// What random access saves: decoding sequentially up to the end of the range.
uint64_t DecodeUpTo(uint64_t end) {
  parxz::Decompressor d;
  std::vector<uint8_t> buf(1 << 20);
  uint64_t total = 0;
  size_t pos = 0;
  while (total < end && !d.eof()) {
    std::string_view in;
    if (d.needs_input()) {
      in = std::string_view(g_xz).substr(pos, 1 << 16);
      pos += in.size();
    }
    const size_t want =
        static_cast<size_t>(std::min<uint64_t>(buf.size(), end - total));
    total += d.decompress_into(in, std::span<uint8_t>(buf.data(), want));
  }
  return total;
}

void BM_SequentialUpToMiddle(benchmark::State& state) {
  const uint64_t end = g_plain_size / 2 + kReadLength;
  for (auto _ : state) benchmark::DoNotOptimize(DecodeUpTo(end));
  state.SetBytesProcessed(
      static_cast<int64_t>(state.iterations() * kReadLength));
}
BENCHMARK(BM_SequentialUpToMiddle)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// ----- modes for decode_compare.sh ---------------------------------------

int Decompress(unsigned threads, bool sequential) {
  const int in = open(g_path.c_str(), O_RDONLY);
  if (in < 0) {
    std::perror(g_path.c_str());
    return 1;
  }
  try {
    if (!sequential) {
      parxz::DecompressFd(in, STDOUT_FILENO,
                          {.threads = threads, .mode = parxz::DecodeMode::kXz});
      return 0;
    }
    parxz::Decompressor d;
    std::vector<char> inbuf(1 << 20);
    std::vector<uint8_t> outbuf(1 << 20);
    while (!d.eof()) {
      std::string_view chunk;
      if (d.needs_input()) {
        const ssize_t n = read(in, inbuf.data(), inbuf.size());
        if (n <= 0) return 1;
        chunk = std::string_view(inbuf.data(), static_cast<size_t>(n));
      }
      const size_t got = d.decompress_into(chunk, outbuf);
      if (got > 0 && write(STDOUT_FILENO, outbuf.data(), got) !=
                         static_cast<ssize_t>(got)) {
        return 1;
      }
    }
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "decode_bench: %s\n", e.what());
    return 1;
  }
}

template <class F>
double MedianSeconds(int runs, F&& f) {
  std::vector<double> t;
  for (int i = 0; i < runs; ++i) {
    const auto start = std::chrono::steady_clock::now();
    f();
    t.push_back(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
            .count());
  }
  std::sort(t.begin(), t.end());
  return t[t.size() / 2];
}

int RandomRead(uint64_t offset, uint64_t length, unsigned threads, int runs) {
  parxz::XzRandomAccess ra = parxz::XzRandomAccess::open_buffer(
      g_xz, {.threads = threads, .cache_blocks = 0});
  std::string got;
  const double t_random =
      MedianSeconds(runs, [&] { got = ra.read(offset, length); });
  uint64_t reached = 0;
  const double t_seq =
      MedianSeconds(runs, [&] { reached = DecodeUpTo(offset + length); });
  const double t_open = MedianSeconds(runs, [&] {
    parxz::XzRandomAccess fresh =
        parxz::XzRandomAccess::open_buffer(g_xz, {.cache_blocks = 0});
    benchmark::DoNotOptimize(fresh.size());
  });
  std::printf(
      "random_read offset=%llu length=%llu threads=%u runs=%d: read %.4f s "
      "(open %.6f s), "
      "sequential decode to %llu: %.4f s, ratio %.1fx\n",
      static_cast<unsigned long long>(offset),
      static_cast<unsigned long long>(got.size()), threads, runs, t_random,
      t_open, static_cast<unsigned long long>(reached), t_seq,
      t_seq / t_random);
  return got.size() ==
                 std::min(length, g_plain_size - std::min(offset, g_plain_size))
             ? 0
             : 1;
}

}  // namespace

int main(int argc, char** argv) {
  bool decompress = false, sequential = false;
  unsigned threads = 2;
  int runs = 5;
  std::string random_read;
  std::vector<char*> rest = {argv[0]};
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a.rfind("--xz=", 0) == 0) {
      g_path = a.substr(5);
    } else if (a == "--decompress") {
      decompress = true;
    } else if (a == "--sequential") {
      sequential = true;
    } else if (a.rfind("--threads=", 0) == 0) {
      threads = static_cast<unsigned>(std::stoul(a.substr(10)));
    } else if (a.rfind("--runs=", 0) == 0) {
      runs = std::stoi(a.substr(7));
    } else if (a.rfind("--random_read=", 0) == 0) {
      random_read = a.substr(14);
    } else {
      rest.push_back(argv[i]);
    }
  }
  if (decompress) return Decompress(threads, sequential);
  Load();
  if (!random_read.empty()) {
    const size_t colon = random_read.find(':');
    const std::string off = random_read.substr(0, colon);
    const uint64_t offset =
        off == "middle" ? g_plain_size / 2 : std::stoull(off);
    const uint64_t length = colon == std::string::npos
                                ? kReadLength
                                : std::stoull(random_read.substr(colon + 1));
    return RandomRead(offset, length, threads, runs);
  }
  int n = static_cast<int>(rest.size());
  benchmark::Initialize(&n, rest.data());
  benchmark::AddCustomContext("xz_file", g_path);
  benchmark::AddCustomContext("compressed_bytes", std::to_string(g_xz.size()));
  benchmark::AddCustomContext("uncompressed_bytes",
                              std::to_string(g_plain_size));
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
