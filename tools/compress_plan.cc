#include "tools/compress_plan.h"

#include "core/compressor.h"
#include "core/options.h"
#include "parallel/common/system_memory.h"
#include "parallel/common/threads.h"
#include "parallel/compress/block_sizing.h"
#include "parallel/compress/compress_memory.h"
#include "tools/codec.h"

namespace parxz::cli {

static_assert(kAutoBlockSize == kBlockSizeAuto);

namespace {

constexpr uint64_t kMiB = 1 << 20;

uint64_t RoundUpToMiB(uint64_t n) { return (n + kMiB - 1) / kMiB; }

std::string Mib(uint64_t n) { return std::to_string(RoundUpToMiB(n)); }

Format OutputFormat(const CliOptions& o) {
  return o.format == Format::kAuto ? Format::kXz : o.format;
}

// The chain the single-threaded encoder uses: the given one, or the
// preset's one LZMA filter.
FilterChain ChainOf(const CliOptions& o) {
  if (!o.filters.empty()) return o.filters;
  FilterSpec lzma{.id = OutputFormat(o) == Format::kAlone ? FilterId::kLzma1
                                                          : FilterId::kLzma2};
  lzma.preset = o.preset;
  return {lzma};
}

// lzma_raw_encoder_memusage() of the chain (core's CompressMemoryUsage()).
uint64_t SingleThreadedUsage(const CliOptions& o) {
  return CompressMemoryUsage({.format = Format::kRaw, .filters = ChainOf(o)});
}

uint64_t ThreadedUsage(const CliOptions& o, unsigned threads) {
  ParallelOptions p = CompressSettings(o);
  p.threads = threads;
  return XzThreadedMemoryUsage(p);
}

}  // namespace

std::string MemNeeded(uint64_t usage, std::optional<uint64_t> limit) {
  std::string s = Mib(usage) + " MiB of memory is required. ";
  if (!limit) return s + "The limiter is disabled.";
  return s + "The limit is " +
         (*limit < kMiB ? std::to_string(*limit) + " B."
                        : Mib(*limit) + " MiB.");
}

namespace {

CompressPlan PlanMemory(const CliOptions& options) {
  CompressPlan plan{.options = options};
  CliOptions& o = plan.options;
  if (o.format == Format::kRaw && o.raw_preset) {
    plan.warnings.push_back("Using a preset in raw mode is discouraged.");
    plan.warnings.push_back(
        "The exact options of the presets may vary between software "
        "versions.");
  }
  if (o.mode != Operation::kCompress) return plan;
  const std::optional<uint64_t> limit = ResolveMemLimit(o.memlimit_compress);
  const bool threaded = OutputFormat(o) == Format::kXz && !o.single_threaded;
  // -T0: the CPUs this process may run on; -T N: N, as xz, also beyond them.
  const ThreadPlan thread_plan = PlanThreads(o.threads);
  const unsigned threads = thread_plan.threads;
  uint64_t usage =
      threaded ? ThreadedUsage(o, threads) : SingleThreadedUsage(o);
  if (threaded) {
    plan.debug.push_back("Using up to " + std::to_string(threads) +
                         " threads.");
    // Named only where it is not the whole machine, so that -vv stays xz's
    // there.
    const std::string cpus = DescribeCpuLimit(thread_plan.cpus);
    if (o.threads == 0 && thread_plan.cpus.bounded()) {
      plan.debug.push_back("The CPUs this process may run on: " + cpus);
    }
    // Only where the process is held to fewer CPUs than the machine has
    // (taskset, an MPI binding, a CPU quota): on a whole machine -v stays
    // xz's, which says nothing of -T beyond the cores.
    if (o.threads != 0 && threads > thread_plan.cpus.cpus &&
        thread_plan.cpus.bounded()) {
      plan.verbose.push_back(
          std::to_string(threads) +
          " threads, more than the CPUs this process may run on: " + cpus);
    }
  }
  plan.debug.push_back(MemNeeded(usage, limit));
  if (!limit) {
    // xz's soft limit for an automatic thread count (-T0, no -M): a quarter
    // of the RAM lowers the threads, but never below one, never to
    // single-threaded mode and never into an error.
    if (threaded && o.threads == 0) {
      const uint64_t soft = DefaultSoftLimit(ReadMemorySources()).limit;
      unsigned t = threads;
      while (t > 1 && usage > soft) usage = ThreadedUsage(o, --t);
      if (t != threads) {
        plan.debug.push_back(
            "Reduced the number of threads from " + std::to_string(threads) +
            " to " + std::to_string(t) +
            " to not exceed the memory usage limit of " + Mib(soft) + " MiB");
        o.threads = t;
      }
    }
    return plan;
  }
  if (usage <= *limit) return plan;
  if (threaded) {
    for (unsigned t = threads - 1; t >= 1; --t) {
      usage = ThreadedUsage(o, t);
      if (usage <= *limit) {
        plan.warnings.push_back(
            "Reduced the number of threads from " + std::to_string(threads) +
            " to " + std::to_string(t) +
            " to not exceed the memory usage limit of " + Mib(*limit) + " MiB");
        o.threads = t;
        return plan;
      }
    }
    // One thread of the threaded encoder does not fit: xz's single-threaded
    // mode writes other bytes, which --no-adjust forbids.
    if (o.no_adjust)
      throw MemLimitTooLow(MemNeeded(usage, limit), plan.warnings);
    o.threads = 1;
    o.single_threaded = true;
    usage = SingleThreadedUsage(o);
    plan.warnings.push_back(
        "Switching to single-threaded mode to not exceed the memory usage "
        "limit of " +
        Mib(*limit) + " MiB");
  }
  if (usage <= *limit) return plan;
  if (o.no_adjust || o.format == Format::kRaw) {
    throw MemLimitTooLow(MemNeeded(usage, limit), plan.warnings);
  }
  // The last LZMA filter's dictionary, whole MiB down, 1 MiB at a time.
  FilterChain chain = ChainOf(o);
  size_t i = 0;
  while (chain[i].id != FilterId::kLzma1 && chain[i].id != FilterId::kLzma2) {
    if (++i == chain.size())
      throw MemLimitTooLow(MemNeeded(usage, limit), plan.warnings);
  }
  const uint32_t original = LzmaFilters::FromChain(chain).dict_size();
  uint32_t dict = original & ~static_cast<uint32_t>(kMiB - 1);
  o.filters = chain;
  for (;;) {
    if (dict < kMiB)
      throw MemLimitTooLow(MemNeeded(usage, limit), plan.warnings);
    o.filters[i].dict_size = dict;
    usage = SingleThreadedUsage(o);
    if (usage <= *limit) break;
    dict -= kMiB;
  }
  plan.warnings.push_back(
      std::string("Adjusted LZMA") +
      (chain[i].id == FilterId::kLzma2 ? "2" : "1") + " dictionary size from " +
      std::to_string(original >> 20) + " MiB to " + std::to_string(dict >> 20) +
      " MiB to not exceed the memory usage limit of " + Mib(*limit) + " MiB");
  return plan;
}

}  // namespace

CompressPlan PlanCompressMemory(const CliOptions& options) {
  CompressPlan plan = PlanMemory(options);
  // xz's single-threaded mode writes one Block: no threads to size Blocks
  // for, so --block-size=auto means the default there.
  CliOptions& o = plan.options;
  if (o.single_threaded && o.block_size == kAutoBlockSize) o.block_size = 0;
  return plan;
}

}  // namespace parxz::cli
