// The parxz command line: runs parsed options over the files, as xz would.
//
//   int status = parxz::cli::Run(parxz::cli::ParseArgs(args));
//
// Returns xz's exit status: 0 success, 1 an error, 2 only warnings (a file
// skipped, an unverifiable check). Messages go to stderr as
// "parxz: FILE: what went wrong". Compression to .xz uses the parallel
// compressor (output equal to `xz -T`); .lzma and raw use core's
// sequential Compressor; decoding follows xz's rules (core/stream_rules.h).
#ifndef PARXZ_TOOLS_CLI_H_
#define PARXZ_TOOLS_CLI_H_

#include <optional>
#include <string>

#include "tools/args.h"

namespace parxz::cli {

int Run(const CliOptions& options);

// The output name for `input` in this mode, as xz's suffix.c, or nullopt
// with `why` set when xz would skip the file: a warning (wrong or missing
// suffix), or an error (`is_error`: a raw stream without --suffix).
std::optional<std::string> OutputName(const CliOptions& options,
                                      const std::string& input,
                                      std::string* why, bool* is_error);

}  // namespace parxz::cli

#endif  // PARXZ_TOOLS_CLI_H_
