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

// A memory limit as given: bytes, or a percentage of the physical memory.
struct MemLimitSetting {
  uint64_t value = 0;  // 0 = the default
  bool percent = false;
};

// --block-size=auto: the library's kBlockSizeAuto
// (parallel/compress/block_sizing.h; tools/compress_plan.cc checks that they
// are equal).
inline constexpr uint64_t kAutoBlockSize = UINT64_MAX;

struct CliOptions {
  Operation mode = Operation::kCompress;
  bool keep = false;           // -k: keep (don't delete) input files
  bool force = false;          // -f
  bool to_stdout = false;      // -c
  bool no_warn = false;        // -Q: warnings don't change the exit status
  bool single_stream = false;  // --single-stream: decode one stream only
  int verbosity = kWarnings;
  bool help = false;          // -h
  bool long_help = false;     // -H / --long-help
  bool version = false;       // -V
  bool info_memory = false;   // --info-memory
  bool robot = false;         // --robot: machine-readable -l/--info-memory
  bool no_adjust = false;     // --no-adjust
  bool no_sparse = false;     // --no-sparse
  bool ignore_check = false;  // --ignore-check
  // -F lzip: decode .lz only (kAuto detection restricted to lzip).
  bool lzip = false;
  // -F raw without a filter chain: the preset's LZMA2 is in `filters`.
  bool raw_preset = false;
  // Container. kAuto means "xz when compressing, detect when decompressing".
  Format format = Format::kAuto;
  std::optional<Check> check;  // -C / --check
  uint32_t preset = 6;         // -0..-9, with kPresetExtreme for -e
  // Custom chain from --lzma1/--lzma2/--delta/--x86...; a preset option
  // given later clears it again (as xz does).
  FilterChain filters;
  unsigned threads = 0;  // -T; 0 = all cores
  // -T1 (not -T+1): xz's single-threaded mode, one Block without sizes.
  bool single_threaded = false;
  // --block-size; 0 = xz's default; kAutoBlockSize = --block-size=auto.
  uint64_t block_size = 0;
  // --block-list: Block sizes in order; UINT64_MAX (a final 0) = the rest.
  std::vector<uint64_t> block_list;
  uint64_t flush_timeout_ms = 0;  // --flush-timeout; 0 = none
  // -M sets all three; 0 = xz's default (none; a quarter of RAM for mtdec).
  MemLimitSetting memlimit_compress, memlimit_decompress, memlimit_mtdec;
  std::string suffix;  // -S; empty = the format's own
  // --files / --files0: read names from this file ("-" = stdin), ended by
  // files_delim ('\n' or '\0').
  std::optional<std::string> files_from;
  char files_delim = '\n';
  // --offset/--length (with -dc): only uncompressed bytes [offset,
  // offset + length) of a seekable .xz, decoding just the Blocks holding them.
  std::optional<uint64_t> range_offset;
  std::optional<uint64_t> range_length;
  // --tar-list: the members of a .tar.xz (names; with -v as `tar tv`).
  // --tar-extract=PATTERN (repeatable): a tar stream of the members
  // matching any PATTERN on stdout (tools/tar_cli.h).
  bool tar_list = false;
  std::vector<std::string> tar_extract;
  std::vector<std::string> files;  // "-" = standard input
};

// A command-line mistake; what() is the message without the "parxz: " prefix.
// `try_help()`: a mistake in the options themselves (unknown option, missing
// argument), after which xz adds "Try `xz --help' for more information.";
// a bad value is reported alone, as xz's message_fatal() does.
class UsageError : public std::runtime_error {
 public:
  explicit UsageError(const std::string& message, bool try_help = false)
      : std::runtime_error(message), try_help_(try_help) {}
  bool try_help() const { return try_help_; }

 private:
  bool try_help_;
};

// Parses arguments (without argv[0]). Throws UsageError.
CliOptions ParseArgs(const std::vector<std::string>& args);

// What xz does before parsing: the program name (basename of argv[0]) sets
// defaults (unxz and unparxz = -d, xzcat and parxzcat = -dc, lzma = -F lzma,
// unlzma = -d -F lzma, lzcat = -dc -F lzma); then the options of
// XZ_DEFAULTS and XZ_OPT (split on whitespace; file names in them are
// ignored, as xz) apply, then `args`. Null env values are unset variables.
CliOptions ParseCommandLine(std::string_view argv0,
                            const std::vector<std::string>& args,
                            const char* xz_defaults, const char* xz_opt);

// The program name used in messages ("parxz", or "xz" when installed as xz).
const std::string& ProgramName();
void SetProgramName(std::string_view argv0);

// xz's str_to_uint64(): leading blanks, decimal digits and an optional
// k/K, m/M or g/G (powers of 1024) followed by nothing, "i", "iB" or "B";
// or "max" for `max`. Throws UsageError with xz's messages, naming the option
// as xz does (`name` "threads", "block-size", "dict", ...).
uint64_t ParseNumber(std::string_view text, std::string_view name, uint64_t min,
                     uint64_t max);

// ParseNumber() from 0: "123", "64KiB", "8MiB", "1GiB", "4k", "2M".
uint64_t ParseSize(std::string_view text, std::string_view name,
                   uint64_t max = UINT64_MAX);

// One filter in xz's spelling: name is "lzma1", "lzma2", "delta", "x86",
// "powerpc", "ia64", "arm", "armthumb", "arm64" or "sparc"; opts is the text
// after '=' ("preset=6e,dict=64MiB,lc=3", "dist=4", "start=16"), may be empty.
FilterSpec ParseFilter(std::string_view name, std::string_view opts);

// The text of `parxz -h`, `parxz -H` and `parxz -V` (tools/help.cc).
std::string HelpText();
std::string LongHelpText();
std::string VersionText();

}  // namespace parxz::cli

#endif  // PARXZ_TOOLS_ARGS_H_
