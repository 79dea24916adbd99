// Compression throughput of ParallelCompressor against liblzma's own anchors,
// measured in one run with identical settings:
//
//   Parxz_Push    ParallelCompressor::compress() fed 64 KiB at a time
//   Parxz_File    CompressFd() from an in-memory file to /dev/null
//   Lzma_MtEncoder  lzma_stream_encoder_mt (what `xz -T` uses), fed 64 KiB
//   Lzma_EasyBuffer lzma_easy_buffer_encode, single-threaded, one Block
//
// by preset {0, 6, 9}, Block size {1, 4, 24} MiB and threads 1, 2, 4 ...
// hardware. Counters: bytes_per_second (uncompressed), ratio
// (uncompressed / compressed), mem_bound_MiB (the documented bound:
// MemoryUsage() / lzma_stream_encoder_mt_memusage /
// lzma_easy_encoder_memusage) and, with --rss, peak_RSS_MiB (VmHWM) of one
// extra compression in a child process and RSS_over_base_MiB (minus a child
// that only loads the corpus). All times are wall-clock (UseRealTime).
//
//   bazel build //bench:compress_bench
//   bazel-bin/bench/compress_bench --max_mb=16
//       --benchmark_filter='preset:6/block_MiB:4/'   (one command line)
// Corpus flags: see bench_corpus.h.
#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <lzma.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <iostream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "bench/bench_corpus.h"
#include "parallel/compress/parallel_compressor.h"

namespace parxz::bench {
namespace {

constexpr size_t kPiece = 64 << 10;  // push-API and mt-encoder feed size

enum class Kind { kPush, kFile, kMt, kEasy };

const char* KindName(Kind k) {
  switch (k) {
    case Kind::kPush:
      return "push";
    case Kind::kFile:
      return "file";
    case Kind::kMt:
      return "mt";
    case Kind::kEasy:
      return "easy";
  }
  return "?";
}

struct Case {
  Kind kind;
  uint32_t preset;
  uint64_t block_mib;  // unused for kEasy
  unsigned threads;    // 1 for kEasy
};

ParallelOptions ParxzOptions(const Case& c) {
  return {.preset = c.preset,
          .threads = c.threads,
          .block_size = c.block_mib << 20};
}

lzma_mt MtOptions(const Case& c) {
  lzma_mt mt{};
  mt.threads = c.threads;
  mt.block_size = c.block_mib << 20;
  mt.preset = c.preset;
  mt.check = LZMA_CHECK_CRC64;
  return mt;
}

[[noreturn]] void LzmaDie(const char* op, lzma_ret ret) {
  std::cerr << "bench: " << op << " failed: lzma_ret " << ret << "\n";
  std::exit(3);
}

int DevNull() {
  static const int fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
  return fd;
}

uint64_t CompressPush(const Case& c, std::string_view in) {
  ParallelCompressor comp(ParxzOptions(c));
  uint64_t out = 0;
  for (size_t pos = 0; pos < in.size(); pos += kPiece) {
    out += comp.compress(in.substr(pos, kPiece)).size();
  }
  out += comp.flush().size();
  return out;
}

uint64_t CompressFile(const Case& c) {
  const int fd = CorpusFd();
  lseek(fd, 0, SEEK_SET);
  return CompressFd(fd, DevNull(), ParxzOptions(c)).out_bytes;
}

uint64_t CompressMt(const Case& c, std::string_view in) {
  static std::vector<uint8_t> buf(1 << 20);
  lzma_stream s = LZMA_STREAM_INIT;
  const lzma_mt mt = MtOptions(c);
  lzma_ret ret = lzma_stream_encoder_mt(&s, &mt);
  if (ret != LZMA_OK) LzmaDie("lzma_stream_encoder_mt", ret);
  uint64_t out = 0;
  size_t pos = 0;
  lzma_action action = LZMA_RUN;
  while (true) {
    if (s.avail_in == 0 && action == LZMA_RUN) {
      const size_t n = std::min(kPiece, in.size() - pos);
      s.next_in = reinterpret_cast<const uint8_t*>(in.data()) + pos;
      s.avail_in = n;
      pos += n;
      if (pos == in.size()) action = LZMA_FINISH;
    }
    s.next_out = buf.data();
    s.avail_out = buf.size();
    ret = lzma_code(&s, action);
    out += buf.size() - s.avail_out;
    if (ret == LZMA_STREAM_END) break;
    if (ret != LZMA_OK) LzmaDie("lzma_code (mt encoder)", ret);
  }
  lzma_end(&s);
  return out;
}

uint64_t CompressEasy(const Case& c, std::string_view in) {
  static std::vector<uint8_t> buf;
  buf.resize(lzma_stream_buffer_bound(in.size()));
  size_t out_pos = 0;
  const lzma_ret ret =
      lzma_easy_buffer_encode(c.preset, LZMA_CHECK_CRC64, nullptr,
                              reinterpret_cast<const uint8_t*>(in.data()),
                              in.size(), buf.data(), &out_pos, buf.size());
  if (ret != LZMA_OK) LzmaDie("lzma_easy_buffer_encode", ret);
  return out_pos;
}

uint64_t CompressOnce(const Case& c) {
  const std::string& in = Corpus();
  switch (c.kind) {
    case Kind::kPush:
      return CompressPush(c, in);
    case Kind::kFile:
      return CompressFile(c);
    case Kind::kMt:
      return CompressMt(c, in);
    case Kind::kEasy:
      return CompressEasy(c, in);
  }
  return 0;
}

double MemBoundMiB(const Case& c) {
  switch (c.kind) {
    case Kind::kPush:
    case Kind::kFile:
      return static_cast<double>(MemoryUsage(ParxzOptions(c))) / kMiB;
    case Kind::kMt: {
      const lzma_mt mt = MtOptions(c);
      return static_cast<double>(lzma_stream_encoder_mt_memusage(&mt)) / kMiB;
    }
    case Kind::kEasy:
      return static_cast<double>(lzma_easy_encoder_memusage(c.preset)) / kMiB;
  }
  return 0;
}

std::string Spec(const Case& c) {
  return std::string(KindName(c.kind)) + ":" + std::to_string(c.preset) + ":" +
         std::to_string(c.block_mib) + ":" + std::to_string(c.threads);
}

void Run(benchmark::State& state, Kind kind) {
  Case c{kind, static_cast<uint32_t>(state.range(0)), 0, 1};
  if (kind != Kind::kEasy) {
    c.block_mib = static_cast<uint64_t>(state.range(1));
    c.threads = static_cast<unsigned>(state.range(2));
  }
  const std::string& in = Corpus();
  uint64_t out = 0;
  for (auto _ : state) {
    out = CompressOnce(c);
    benchmark::DoNotOptimize(out);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) *
                          static_cast<int64_t>(in.size()));
  state.counters["ratio"] = static_cast<double>(in.size()) /
                            static_cast<double>(std::max<uint64_t>(out, 1));
  state.counters["mem_bound_MiB"] = MemBoundMiB(c);
  if (RssEnabled()) {
    const double peak = ChildPeakRssMiB(Spec(c));
    state.counters["peak_RSS_MiB"] = peak;
    state.counters["RSS_over_base_MiB"] = peak - BaselineRssMiB();
  }
}

void BM_Parxz_Push(benchmark::State& s) { Run(s, Kind::kPush); }
void BM_Parxz_File(benchmark::State& s) { Run(s, Kind::kFile); }
void BM_Lzma_MtEncoder(benchmark::State& s) { Run(s, Kind::kMt); }
void BM_Lzma_EasyBuffer(benchmark::State& s) { Run(s, Kind::kEasy); }

// 1, 2, 4, ... up to the hardware threads, and the hardware count itself.
std::vector<int64_t> ThreadCounts() {
  const int64_t hw = std::max(1u, std::thread::hardware_concurrency());
  std::vector<int64_t> t;
  for (int64_t n = 1; n < hw; n *= 2) t.push_back(n);
  t.push_back(hw);
  return t;
}

void ParallelArgs(benchmark::internal::Benchmark* b) {
  b->ArgNames({"preset", "block_MiB", "threads"});
  for (int64_t preset : {0, 6, 9}) {
    for (int64_t block : {1, 4, 24}) {
      for (int64_t threads : ThreadCounts()) {
        b->Args({preset, block, threads});
      }
    }
  }
}

BENCHMARK(BM_Parxz_Push)
    ->Apply(ParallelArgs)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Parxz_File)
    ->Apply(ParallelArgs)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Lzma_MtEncoder)
    ->Apply(ParallelArgs)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Lzma_EasyBuffer)
    ->ArgName("preset")
    ->Arg(0)
    ->Arg(6)
    ->Arg(9)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

// The --rss_child process: load the corpus, compress once, exit.
int RunRssChild(const std::string& spec) {
  Corpus();
  if (spec == "baseline") return FinishRssChild();
  const std::vector<std::string> p = SplitSpec(spec);
  if (p.size() != 4) return 2;
  Case c{Kind::kPush, static_cast<uint32_t>(std::stoul(p[1])),
         std::stoull(p[2]), static_cast<unsigned>(std::stoul(p[3]))};
  if (p[0] == "file") {
    c.kind = Kind::kFile;
  } else if (p[0] == "mt") {
    c.kind = Kind::kMt;
  } else if (p[0] == "easy") {
    c.kind = Kind::kEasy;
  } else if (p[0] != "push") {
    return 2;
  }
  CompressOnce(c);
  return FinishRssChild();
}

}  // namespace
}  // namespace parxz::bench

int main(int argc, char** argv) {
  parxz::bench::ParseFlags(&argc, argv);
  if (!parxz::bench::RssChildSpec().empty()) {
    return parxz::bench::RunRssChild(parxz::bench::RssChildSpec());
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  const std::string& corpus = parxz::bench::Corpus();
  benchmark::AddCustomContext("corpus", parxz::bench::CorpusPath());
  benchmark::AddCustomContext("corpus_bytes", std::to_string(corpus.size()));
  benchmark::AddCustomContext("lzma_version", lzma_version_string());
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
