// Per-call cost of small one-shot calls through the fronts (issue 23 item 2),
// and of the pieces a threaded call pays for, so that a regression shows
// where it comes from:
//
//   Decode/<bytes>/<threads>     parxz::Decode() of a one-Block .xz (what
//                                lzma.compress and compress(threads=N) give
//                                for inputs below a Block)
//   Compress/<bytes>/<threads>   parxz::CompressInto() (threads 0 in the
//                                name: the sequential .xz engine, xz -T1's
//                                format; others: the Block-parallel one)
//   PlanThreads, ThreadArena     what resolving `threads` and an arena with
//                                one task cost
//
// Inputs are the first <bytes> of bench_corpus.h's corpus (compressible
// text). Times are wall-clock per call.
//
//   bazel build //bench:small_calls_bench
//   bazel-bin/bench/small_calls_bench --benchmark_min_time=0.2
#include <benchmark/benchmark.h>

#include <cstdint>
#include <string>
#include <vector>

#include "bench/bench_corpus.h"
#include "core/compressor.h"
#include "parallel/common/threads.h"
#include "parallel/compress/compress_front.h"
#include "parallel/decode/decode_front.h"

namespace parxz::bench {
namespace {

std::string Plain(size_t n) { return Corpus().substr(0, n); }

void BM_Decode(benchmark::State& state) {
  const std::string plain = Plain(state.range(0));
  const std::string xz =
      parxz::Compress(plain, {.format = Format::kXz});  // one Block, no sizes
  const DecodeRequest r{.threads = static_cast<unsigned>(state.range(1))};
  for (auto _ : state) {
    benchmark::DoNotOptimize(Decode(xz, r));
  }
  state.SetBytesProcessed(state.iterations() * plain.size());
}

void BM_DecodeSized(benchmark::State& state) {
  const std::string plain = Plain(state.range(0));
  PushCompressor c(PlanCompress({.threads = 2}));
  std::string xz = c.compress(plain);  // one Block, with sizes
  xz += c.flush();
  const DecodeRequest r{.threads = static_cast<unsigned>(state.range(1))};
  for (auto _ : state) {
    benchmark::DoNotOptimize(Decode(xz, r));
  }
  state.SetBytesProcessed(state.iterations() * plain.size());
}

void BM_Compress(benchmark::State& state) {
  const std::string plain = Plain(state.range(0));
  const unsigned threads = static_cast<unsigned>(state.range(1));
  const CompressPlan plan = PlanCompress(
      {.sequential = threads == 0, .threads = threads == 0 ? 1 : threads});
  std::vector<uint8_t> out(CompressBound(plain.size(), plan));
  for (auto _ : state) {
    benchmark::DoNotOptimize(CompressInto(plain, out, plan));
  }
  state.SetBytesProcessed(state.iterations() * plain.size());
}

void BM_PlanThreads(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(PlanThreads(2));
}

void BM_ThreadArena(benchmark::State& state) {
  for (auto _ : state) {
    ThreadArena arena(2);
    arena.execute([] { benchmark::ClobberMemory(); });
  }
}

void Sizes(benchmark::internal::Benchmark* b) {
  for (int64_t size : {4 << 10, 64 << 10, 1 << 20}) {
    for (int64_t threads : {1, 2}) b->Args({size, threads});
  }
}

BENCHMARK(BM_Decode)->Apply(Sizes)->UseRealTime();
BENCHMARK(BM_DecodeSized)->Apply(Sizes)->UseRealTime();
BENCHMARK(BM_Compress)
    ->Apply([](benchmark::internal::Benchmark* b) {
      for (int64_t size : {4 << 10, 64 << 10, 1 << 20}) {
        for (int64_t threads : {0, 1, 2}) b->Args({size, threads});
      }
    })
    ->UseRealTime();
BENCHMARK(BM_PlanThreads);
BENCHMARK(BM_ThreadArena)->UseRealTime();

}  // namespace
}  // namespace parxz::bench

int main(int argc, char** argv) {
  parxz::bench::ParseFlags(&argc, argv);
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
