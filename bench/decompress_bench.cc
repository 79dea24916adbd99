// Decompression throughput, by Block size {1, 4, 24} MiB of the input:
//
//   Core_Decompressor      parxz::Decompressor (sequential), fed 64 KiB
//                          at a time, output drained 1 MiB per call
//   Lzma_MtDecoder         lzma_stream_decoder_mt (what `xz -T -d` uses),
//                          by threads 1, 2, 4 ... hardware
//   Parxz_ParallelDecompress  ParallelDecompress() buffer to string, by threads
//   Parxz_DecompressFd     DecompressFd() from an in-memory file to /dev/null,
//                          by threads (what `parxz -d` does)
//
// The input is the corpus (bench_corpus.h) compressed once at preset 6 with
// liblzma's multi-threaded encoder, whose output equals ParallelCompressor's.
// bytes_per_second counts uncompressed bytes; times are wall-clock.
//
//   bazel build //bench:decompress_bench
//   bazel-bin/bench/decompress_bench --max_mb=16
#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <lzma.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <iostream>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "bench/bench_corpus.h"
#include "core/decompressor.h"
#include "parallel/decode/parallel_decompressor.h"

namespace parxz::bench {
namespace {

constexpr size_t kPiece = 64 << 10;

[[noreturn]] void LzmaDie(const char* op, lzma_ret ret) {
  std::cerr << "bench: " << op << " failed: lzma_ret " << ret << "\n";
  std::exit(3);
}

// The corpus as .xz at preset 6 with `block_mib` MiB Blocks (cached).
const std::string& Compressed(uint64_t block_mib) {
  static std::map<uint64_t, std::string> cache;
  auto it = cache.find(block_mib);
  if (it != cache.end()) return it->second;
  const std::string& in = Corpus();
  lzma_mt mt{};
  mt.threads = std::max(1u, std::thread::hardware_concurrency());
  mt.block_size = block_mib << 20;
  mt.preset = 6;
  mt.check = LZMA_CHECK_CRC64;
  lzma_stream s = LZMA_STREAM_INIT;
  lzma_ret ret = lzma_stream_encoder_mt(&s, &mt);
  if (ret != LZMA_OK) LzmaDie("lzma_stream_encoder_mt", ret);
  std::string out(lzma_stream_buffer_bound(in.size()), '\0');
  s.next_in = reinterpret_cast<const uint8_t*>(in.data());
  s.avail_in = in.size();
  s.next_out = reinterpret_cast<uint8_t*>(out.data());
  s.avail_out = out.size();
  ret = lzma_code(&s, LZMA_FINISH);
  while (ret == LZMA_OK) ret = lzma_code(&s, LZMA_FINISH);
  if (ret != LZMA_STREAM_END) LzmaDie("lzma_code (mt encoder)", ret);
  out.resize(out.size() - s.avail_out);
  lzma_end(&s);
  return cache.emplace(block_mib, std::move(out)).first->second;
}

void Finish(benchmark::State& state, uint64_t produced, uint64_t block_mib) {
  const std::string& in = Corpus();
  if (produced != in.size()) {
    state.SkipWithError("decompressed size differs from the corpus");
    return;
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) *
                          static_cast<int64_t>(in.size()));
  state.counters["ratio"] = static_cast<double>(in.size()) /
                            static_cast<double>(Compressed(block_mib).size());
}

void BM_Core_Decompressor(benchmark::State& state) {
  const uint64_t block_mib = static_cast<uint64_t>(state.range(0));
  const std::string_view xz = Compressed(block_mib);
  std::vector<uint8_t> out(1 << 20);
  uint64_t produced = 0;
  for (auto _ : state) {
    Decompressor d;
    size_t pos = 0;
    produced = 0;
    while (!d.eof()) {
      std::string_view piece;
      if (d.needs_input()) {
        piece = xz.substr(pos, kPiece);
        pos += piece.size();
      }
      produced += d.decompress_into(piece, out);
    }
  }
  Finish(state, produced, block_mib);
}

void BM_Lzma_MtDecoder(benchmark::State& state) {
  const uint64_t block_mib = static_cast<uint64_t>(state.range(0));
  const std::string_view xz = Compressed(block_mib);
  std::vector<uint8_t> out(1 << 20);
  lzma_mt mt{};
  mt.threads = static_cast<uint32_t>(state.range(1));
  mt.memlimit_threading = UINT64_MAX;
  mt.memlimit_stop = UINT64_MAX;
  uint64_t produced = 0;
  for (auto _ : state) {
    lzma_stream s = LZMA_STREAM_INIT;
    lzma_ret ret = lzma_stream_decoder_mt(&s, &mt);
    if (ret != LZMA_OK) LzmaDie("lzma_stream_decoder_mt", ret);
    size_t pos = 0;
    produced = 0;
    lzma_action action = LZMA_RUN;
    while (true) {
      if (s.avail_in == 0 && action == LZMA_RUN) {
        const size_t n = std::min(kPiece, xz.size() - pos);
        s.next_in = reinterpret_cast<const uint8_t*>(xz.data()) + pos;
        s.avail_in = n;
        pos += n;
        if (pos == xz.size()) action = LZMA_FINISH;
      }
      s.next_out = out.data();
      s.avail_out = out.size();
      ret = lzma_code(&s, action);
      produced += out.size() - s.avail_out;
      if (ret == LZMA_STREAM_END) break;
      if (ret != LZMA_OK) LzmaDie("lzma_code (mt decoder)", ret);
    }
    lzma_end(&s);
  }
  Finish(state, produced, block_mib);
}

void BM_Parxz_ParallelDecompress(benchmark::State& state) {
  const uint64_t block_mib = static_cast<uint64_t>(state.range(0));
  const std::string_view xz = Compressed(block_mib);
  const ParallelDecodeOptions options{
      .threads = static_cast<unsigned>(state.range(1))};
  uint64_t produced = 0;
  for (auto _ : state) {
    produced = ParallelDecompress(xz, options).size();
  }
  Finish(state, produced, block_mib);
}

// A memfd holding Compressed(block_mib), for the descriptor API.
int CompressedFd(uint64_t block_mib) {
  static std::map<uint64_t, int> fds;
  auto it = fds.find(block_mib);
  if (it != fds.end()) return it->second;
  const std::string& xz = Compressed(block_mib);
  const int fd = memfd_create("parxz-bench-xz", MFD_CLOEXEC);
  size_t done = 0;
  while (fd >= 0 && done < xz.size()) {
    const ssize_t w = write(fd, xz.data() + done, xz.size() - done);
    if (w < 0) break;
    done += static_cast<size_t>(w);
  }
  if (fd < 0 || done != xz.size()) {
    std::cerr << "bench: cannot make the compressed memfd\n";
    std::exit(3);
  }
  return fds.emplace(block_mib, fd).first->second;
}

void BM_Parxz_DecompressFd(benchmark::State& state) {
  const uint64_t block_mib = static_cast<uint64_t>(state.range(0));
  const int in = CompressedFd(block_mib);
  static const int dev_null = open("/dev/null", O_WRONLY | O_CLOEXEC);
  const ParallelDecodeOptions options{
      .threads = static_cast<unsigned>(state.range(1)),
      .mode = DecodeMode::kXz};
  uint64_t produced = 0;
  for (auto _ : state) {
    lseek(in, 0, SEEK_SET);
    produced = DecompressFd(in, dev_null, options).out_bytes;
  }
  Finish(state, produced, block_mib);
}

std::vector<int64_t> ThreadCounts() {
  const int64_t hw = std::max(1u, std::thread::hardware_concurrency());
  std::vector<int64_t> t;
  for (int64_t n = 1; n < hw; n *= 2) t.push_back(n);
  t.push_back(hw);
  return t;
}

void BlockArgs(benchmark::internal::Benchmark* b) {
  b->ArgName("block_MiB");
  for (int64_t block : {1, 4, 24}) b->Arg(block);
}

void BlockThreadArgs(benchmark::internal::Benchmark* b) {
  b->ArgNames({"block_MiB", "threads"});
  for (int64_t block : {1, 4, 24}) {
    for (int64_t threads : ThreadCounts()) b->Args({block, threads});
  }
}

BENCHMARK(BM_Core_Decompressor)
    ->Apply(BlockArgs)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Lzma_MtDecoder)
    ->Apply(BlockThreadArgs)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Parxz_ParallelDecompress)
    ->Apply(BlockThreadArgs)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Parxz_DecompressFd)
    ->Apply(BlockThreadArgs)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace parxz::bench

int main(int argc, char** argv) {
  parxz::bench::ParseFlags(&argc, argv);
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
