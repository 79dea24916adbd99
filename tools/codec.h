// The data paths of the parxz command line: one input descriptor to one
// output descriptor, compressing or decompressing as the options say.
//
//   Totals t = CompressStream(options, in_fd, out_fd, meter);
//   Totals t = DecompressStream(options, in_fd, out_fd, meter);  // -1: -t
//
// Which library call does the work follows xz 5.4: -T1 is xz's
// single-threaded .xz (core's Compressor: one Block, no sizes in its
// header), every other -T the block-parallel format (CompressFd, or the
// push API for --block-list and --flush-timeout, whose Block boundaries the
// command line places with end_block()). Decoding detects the container
// first (DetectContainer), so that -dcf can copy unknown input through and
// -F lzip can refuse what is not .lz. Errors are parxz::Error.
#ifndef PARXZ_TOOLS_CODEC_H_
#define PARXZ_TOOLS_CODEC_H_

#include <cstdint>
#include <optional>

#include "parallel/compress/parallel_compressor.h"
#include "tools/args.h"
#include "tools/progress.h"

namespace parxz::cli {

struct Totals {
  uint64_t in = 0, out = 0;
  bool unverified = false;  // a check that could not be verified
};

// The block-parallel compressor's settings for these options (preset or
// chain, check, threads, Block size), before the memory fitting.
ParallelOptions CompressSettings(const CliOptions& o);

// A limit resolved against the physical memory; nullopt when unset (0).
std::optional<uint64_t> ResolveMemLimit(const MemLimitSetting& m);

Totals CompressStream(const CliOptions& o, int in_fd, int out_fd,
                      ProgressMeter* meter);
// `out_fd` -1 only verifies (-t).
Totals DecompressStream(const CliOptions& o, int in_fd, int out_fd,
                        ProgressMeter* meter);

}  // namespace parxz::cli

#endif  // PARXZ_TOOLS_CODEC_H_
