// The sample the benchmark binaries compress, and the plumbing they share:
// where the corpus comes from, how much of it is used, and peak-RSS
// measurement of one compression in a child process.
//
//   int main(int argc, char** argv) {
//     parxz::bench::ParseFlags(&argc, argv);  // --corpus=, --max_mb=, --rss
//     if (parxz::bench::IsRssChild()) return parxz::bench::RunRssChild(...);
//     const std::string& data = parxz::bench::Corpus();  // loaded once
//   }
//
// Corpus: --corpus=PATH or $PARXZ_BENCH_CORPUS; otherwise the file that
// bench/corpus.sh prints (sil7.tar from ../shared/corpus, else a generated
// 64 MB mixed corpus), found from $BUILD_WORKSPACE_DIRECTORY under `bazel run`
// or from the current directory. Only the first --max_mb / $PARXZ_BENCH_MAX_MB
// megabytes (default 16, 0 = all) are used, so that a run of every case fits
// in minutes on 2 cores.
//
// Everything here is for the benchmark binaries' main thread; nothing is
// thread-safe.
#ifndef PARXZ_BENCH_BENCH_CORPUS_H_
#define PARXZ_BENCH_BENCH_CORPUS_H_

#include <cstdint>
#include <string>
#include <vector>

namespace parxz::bench {

// Takes --corpus=PATH, --max_mb=N, --rss and --rss_child=SPEC out of argv
// (the rest is for Google Benchmark). Exits with a message on a bad value.
void ParseFlags(int* argc, char** argv);

// The corpus bytes (capped), read on first use. Exits with a message if the
// file cannot be found or read.
const std::string& Corpus();
// The path it came from, for the benchmark context.
const std::string& CorpusPath();

// A descriptor of an in-memory file (memfd) holding exactly Corpus(), for
// the file API; the caller lseek()s it to 0 before each use.
int CorpusFd();

// True when --rss was given (or $PARXZ_BENCH_RSS=1): benchmarks then run one
// extra compression in a child process to measure its peak RSS.
bool RssEnabled();

// Re-runs this binary as `--rss_child=SPEC` with the same corpus settings
// and returns the child's peak RSS (its VmHWM) in MiB, or -1 if the child
// failed. SPEC "baseline" must make the child only load the corpus; every
// child ends with `return FinishRssChild();`, which prints its VmHWM.
double ChildPeakRssMiB(const std::string& spec);
int FinishRssChild();
// Peak RSS of a child that only loads the corpus (measured once).
double BaselineRssMiB();

// The SPEC of --rss_child, or "" when this process is not such a child.
const std::string& RssChildSpec();

// Splits "a:b:c" into {"a","b","c"}.
std::vector<std::string> SplitSpec(const std::string& spec);

inline constexpr double kMiB = 1024.0 * 1024.0;

}  // namespace parxz::bench

#endif  // PARXZ_BENCH_BENCH_CORPUS_H_
