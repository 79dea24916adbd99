// Command-line parsing for parxz, kept apart from any file I/O so that it can
// be tested on its own. Options follow xz's spelling and habits:
//
//   parxz::cli::CliOptions o = parxz::cli::ParseArgs({"-9e", "-T0", "f"});
//   // o.mode == Operation::kCompress, o.preset == 9 | kPresetExtreme, o.files
//   == {"f"}
//
// ParseArgs() throws UsageError for anything xz would refuse at the command
// line (unknown option, bad number, bad filter spec); main() prints it and
// exits with status 1. Nothing here touches the file system.
#ifndef PARXZ_TOOLS_ARGS_H_
#define PARXZ_TOOLS_ARGS_H_

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "core/options.h"

namespace parxz::cli {

enum class Operation { kCompress, kDecompress, kTest, kList };

// xz's verbosity levels: -q lowers, -v raises.
enum Verbosity : int {
  kSilent = 0,    // -qq: not even errors
  kErrors = 1,    // -q: errors only
  kWarnings = 2,  // default
  kVerbose = 3,   // -v: progress and a summary per file
  kDebug = 4,     // -vv: also progress when stderr is not a terminal
};

struct CliOptions {
  Operation mode = Operation::kCompress;
  bool keep = false;           // -k: keep (don't delete) input files
  bool force = false;          // -f
  bool to_stdout = false;      // -c
  bool no_warn = false;        // -Q: warnings don't change the exit status
  bool single_stream = false;  // --single-stream: decode one stream only
  int verbosity = kWarnings;
  bool help = false;     // -h / -H
  bool version = false;  // -V
  // Container. kAuto means "xz when compressing, detect when decompressing".
  Format format = Format::kAuto;
  std::optional<Check> check;  // -C / --check
  uint32_t preset = 6;         // -0..-9, with kPresetExtreme for -e
  // Custom chain from --lzma1/--lzma2/--delta/--x86...; a preset option
  // given later clears it again (as xz does).
  FilterChain filters;
  unsigned threads = 0;                    // -T; 0 = all cores
  uint64_t block_size = 0;                 // --block-size; 0 = xz's default
  std::optional<uint64_t> memlimit;        // -M; nullopt = unlimited
  std::optional<double> memlimit_percent;  // -M 50%: of physical RAM
  std::string suffix;                      // -S; empty = the format's own
  // --offset/--length (with -dc): only uncompressed bytes [offset,
  // offset + length) of a seekable .xz, decoding just the Blocks holding them.
  std::optional<uint64_t> range_offset;
  std::optional<uint64_t> range_length;
  std::vector<std::string> files;  // "-" = standard input
};

// A command-line mistake; what() is the message without the "parxz: " prefix.
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Parses arguments (without argv[0]). Throws UsageError.
CliOptions ParseArgs(const std::vector<std::string>& args);

// "123", "64KiB", "8MiB", "1GiB", "4k", "2M" (K/M/G are powers of 1024, as
// in xz). Throws UsageError naming `what` on bad input or overflow.
uint64_t ParseSize(std::string_view text, std::string_view what,
                   uint64_t max = UINT64_MAX);

// One filter in xz's spelling: name is "lzma1", "lzma2", "delta", "x86",
// "powerpc", "ia64", "arm", "armthumb", "arm64" or "sparc"; opts is the text
// after '=' ("preset=6e,dict=64MiB,lc=3", "dist=4", "start=16"), may be empty.
FilterSpec ParseFilter(std::string_view name, std::string_view opts);

// The text of `parxz -h` and `parxz -V`.
std::string HelpText();
std::string VersionText();

}  // namespace parxz::cli

#endif  // PARXZ_TOOLS_ARGS_H_
