// The memory part of xz 5.4's coder_set_compression_settings(): before any
// file is compressed, fit the settings into --memlimit-compress (-M).
//
//   CompressPlan plan = PlanCompressMemory(options);   // throws MemLimitTooLow
//   for (auto& line : plan.warnings) print(line);      // unless -q
//   Run(plan.options);
//
// In xz's order: with the threaded .xz encoder (any -T but -T1), lower the
// threads one at a time until lzma_stream_encoder_mt_memusage() fits
// ("Reduced the number of threads from X to Y to not exceed the memory
// usage limit of Z MiB"); if one thread still does not, switch to
// single-threaded mode (xz's notice; with --no-adjust an error instead,
// since the output would change); then, if lzma_raw_encoder_memusage()
// still exceeds the limit, lower the dictionary of the last LZMA1/LZMA2
// filter 1 MiB at a time ("Adjusted LZMA2 dictionary size from A MiB to B
// MiB ..."; with --no-adjust or -F raw an error). The error is xz's two
// lines and exit status 1. The figures are liblzma's, as xz's: parxz's own
// allocation stays at or below them (parallel/compress/compress_memory.h). Without a
// limit and with an automatic thread count (-T0, the default), the soft
// limit (a quarter of the RAM as xz's, or of a lower cgroup or rlimit:
// parallel/common/system_memory.h) may lower the threads, silently and never
// below one. --block-size=auto is planned at xz's default Block size, the
// largest it can choose, and becomes the default in single-threaded mode.
#ifndef PARXZ_TOOLS_COMPRESS_PLAN_H_
#define PARXZ_TOOLS_COMPRESS_PLAN_H_

#include <stdexcept>
#include <string>
#include <vector>

#include "tools/args.h"

namespace parxz::cli {

struct CompressPlan {
  CliOptions options;                 // threads, mode and chain adjusted
  std::vector<std::string> warnings;  // xz's V_WARNING notices, in order
  std::vector<std::string> verbose;   // -v lines (parxz's own)
  std::vector<std::string> debug;     // xz's V_DEBUG lines (-vv)
};

// The settings cannot fit: what() is xz's first line, `needed()` the second;
// `warnings()` the notices printed before them.
class MemLimitTooLow : public std::runtime_error {
 public:
  MemLimitTooLow(std::string needed, std::vector<std::string> warnings)
      : std::runtime_error(
            "Memory usage limit is too low for the given filter setup."),
        needed_(std::move(needed)),
        warnings_(std::move(warnings)) {}
  const std::string& needed() const { return needed_; }
  const std::vector<std::string>& warnings() const { return warnings_; }

 private:
  std::string needed_;
  std::vector<std::string> warnings_;
};

// For compression (Operation::kCompress); other modes come back unchanged,
// with xz's warning for a preset used with -F raw, as for compression.
CompressPlan PlanCompressMemory(const CliOptions& options);

// xz's message_mem_needed() text for `usage` against `limit` (nullopt: no
// limit): "13 MiB of memory is required. The limit is 5 MiB."
std::string MemNeeded(uint64_t usage, std::optional<uint64_t> limit);

}  // namespace parxz::cli

#endif  // PARXZ_TOOLS_COMPRESS_PLAN_H_
