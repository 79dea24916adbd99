#include "tools/args.h"

#include <cctype>
#include <charconv>
#include <limits>
#include <utility>

namespace parxz::cli {

namespace {

[[noreturn]] void Fail(const std::string& message) {
  throw UsageError(message);
}

uint64_t ParseUint(std::string_view text, std::string_view what, uint64_t max) {
  uint64_t value = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc() || ptr != end) {
    Fail(std::string(what) + ": Invalid argument: '" + std::string(text) + "'");
  }
  if (value > max) {
    Fail(std::string(what) + ": Value out of range: " + std::string(text) +
         " (at most " + std::to_string(max) + ")");
  }
  return value;
}

uint32_t ParseU32(std::string_view text, std::string_view what) {
  return static_cast<uint32_t>(
      ParseUint(text, what, std::numeric_limits<uint32_t>::max()));
}

FilterId FilterByName(std::string_view name) {
  static constexpr std::pair<std::string_view, FilterId> kNames[] = {
      {"lzma1", FilterId::kLzma1},     {"lzma2", FilterId::kLzma2},
      {"delta", FilterId::kDelta},     {"x86", FilterId::kX86},
      {"powerpc", FilterId::kPowerPc}, {"ia64", FilterId::kIa64},
      {"arm", FilterId::kArm},         {"armthumb", FilterId::kArmThumb},
      {"arm64", FilterId::kArm64},     {"sparc", FilterId::kSparc},
  };
  for (const auto& [n, id] : kNames) {
    if (n == name) return id;
  }
  Fail("Unknown filter: '" + std::string(name) + "'");
}

// Accepts "6" or "6e" for preset=.
uint32_t ParsePresetText(std::string_view text, std::string_view what) {
  uint32_t extreme = 0;
  if (!text.empty() && text.back() == 'e') {
    extreme = kPresetExtreme;
    text.remove_suffix(1);
  }
  if (text.size() != 1 || text[0] < '0' || text[0] > '9') {
    Fail(std::string(what) + ": Unsupported LZMA1/LZMA2 preset: '" +
         std::string(text) + "'");
  }
  return static_cast<uint32_t>(text[0] - '0') | extreme;
}

enum class ArgKind { kNone, kRequired, kOptional };

struct LongOption {
  std::string_view name;
  ArgKind arg;
};

constexpr LongOption kLongOptions[] = {
    {"compress", ArgKind::kNone},
    {"decompress", ArgKind::kNone},
    {"uncompress", ArgKind::kNone},
    {"test", ArgKind::kNone},
    {"list", ArgKind::kNone},
    {"keep", ArgKind::kNone},
    {"force", ArgKind::kNone},
    {"stdout", ArgKind::kNone},
    {"to-stdout", ArgKind::kNone},
    {"quiet", ArgKind::kNone},
    {"verbose", ArgKind::kNone},
    {"no-warn", ArgKind::kNone},
    {"help", ArgKind::kNone},
    {"long-help", ArgKind::kNone},
    {"version", ArgKind::kNone},
    {"extreme", ArgKind::kNone},
    {"fast", ArgKind::kNone},
    {"best", ArgKind::kNone},
    {"single-stream", ArgKind::kNone},
    {"no-sparse", ArgKind::kNone},
    {"threads", ArgKind::kRequired},
    {"check", ArgKind::kRequired},
    {"format", ArgKind::kRequired},
    {"memlimit", ArgKind::kRequired},
    {"memory", ArgKind::kRequired},
    {"memlimit-compress", ArgKind::kRequired},
    {"memlimit-decompress", ArgKind::kRequired},
    {"suffix", ArgKind::kRequired},
    {"block-size", ArgKind::kRequired},
    {"offset", ArgKind::kRequired},
    {"length", ArgKind::kRequired},
    {"lzma1", ArgKind::kOptional},
    {"lzma2", ArgKind::kOptional},
    {"delta", ArgKind::kOptional},
    {"x86", ArgKind::kOptional},
    {"powerpc", ArgKind::kOptional},
    {"ia64", ArgKind::kOptional},
    {"arm", ArgKind::kOptional},
    {"armthumb", ArgKind::kOptional},
    {"arm64", ArgKind::kOptional},
    {"sparc", ArgKind::kOptional},
};

constexpr std::string_view kShortNoArg = "zdtlkfcqvhHVQe0123456789";
constexpr std::string_view kShortWithArg = "TCFMS";

class Parser {
 public:
  CliOptions Run(const std::vector<std::string>& args) {
    bool options_done = false;
    for (size_t i = 0; i < args.size(); ++i) {
      const std::string& a = args[i];
      auto next = [&](std::string_view opt) -> std::string {
        if (i + 1 >= args.size()) {
          Fail("option '" + std::string(opt) + "' requires an argument");
        }
        return args[++i];
      };
      if (options_done || a == "-" || a.size() < 2 || a[0] != '-') {
        o_.files.push_back(a);
      } else if (a == "--") {
        options_done = true;
      } else if (a[1] == '-') {
        std::string_view body = std::string_view(a).substr(2);
        const size_t eq = body.find('=');
        std::string_view name = body.substr(0, eq);
        std::optional<std::string> value;
        if (eq != std::string_view::npos)
          value = std::string(body.substr(eq + 1));
        const LongOption* opt = nullptr;
        for (const auto& lo : kLongOptions) {
          if (lo.name == name) opt = &lo;
        }
        if (opt == nullptr) {
          Fail("unrecognized option '--" + std::string(name) + "'");
        }
        if (opt->arg == ArgKind::kNone && value) {
          Fail("option '--" + std::string(name) +
               "' doesn't allow an argument");
        }
        if (opt->arg == ArgKind::kRequired && !value) {
          value = next("--" + std::string(name));
        }
        Long(name, value);
      } else {
        // A cluster of short options: "-9e", "-dc", "-T2", "-T" "2".
        for (size_t j = 1; j < a.size(); ++j) {
          const char c = a[j];
          if (kShortWithArg.find(c) != std::string_view::npos) {
            std::string value =
                j + 1 < a.size() ? a.substr(j + 1) : next(std::string("-") + c);
            Short(c, value);
            break;
          }
          if (kShortNoArg.find(c) == std::string_view::npos) {
            Fail(std::string("invalid option -- '") + c + "'");
          }
          Short(c, "");
        }
      }
    }
    o_.preset = level_ | (extreme_ ? kPresetExtreme : 0);
    if (o_.mode == Operation::kList && o_.format != Format::kAuto &&
        o_.format != Format::kXz) {
      Fail("--list works only on .xz files (--format=xz or --format=auto)");
    }
    if (o_.format == Format::kRaw && o_.filters.empty() &&
        o_.mode != Operation::kList) {
      // xz uses the preset's LZMA2 for raw streams without a chain.
      o_.filters.push_back(
          FilterSpec{.id = FilterId::kLzma2, .preset = o_.preset});
    }
    if (o_.files.empty()) o_.files.push_back("-");
    return std::move(o_);
  }

 private:
  void Short(char c, const std::string& value) {
    switch (c) {
      case 'z':
        o_.mode = Operation::kCompress;
        break;
      case 'd':
        o_.mode = Operation::kDecompress;
        break;
      case 't':
        o_.mode = Operation::kTest;
        break;
      case 'l':
        o_.mode = Operation::kList;
        break;
      case 'k':
        o_.keep = true;
        break;
      case 'f':
        o_.force = true;
        break;
      case 'c':
        o_.to_stdout = true;
        break;
      case 'q':
        if (o_.verbosity > kSilent) --o_.verbosity;
        break;
      case 'v':
        if (o_.verbosity < kDebug) ++o_.verbosity;
        break;
      case 'Q':
        o_.no_warn = true;
        break;
      case 'h':
      case 'H':
        o_.help = true;
        break;
      case 'V':
        o_.version = true;
        break;
      case 'e':
        extreme_ = true;
        break;
      case 'T':
        o_.threads =
            static_cast<unsigned>(ParseUint(value, "--threads", 16384));
        break;
      case 'C':
        SetCheck(value);
        break;
      case 'F':
        SetFormat(value);
        break;
      case 'M':
        SetMemlimit(value);
        break;
      case 'S':
        if (value.empty() || value.find('/') != std::string::npos) {
          Fail("--suffix: Invalid filename suffix: '" + value + "'");
        }
        o_.suffix = value[0] == '.' ? value : "." + value;
        break;
      default:  // '0'..'9'
        level_ = static_cast<uint32_t>(c - '0');
        o_.filters.clear();  // a preset after a custom chain replaces it
        break;
    }
  }

  void Long(std::string_view name, const std::optional<std::string>& value) {
    static constexpr std::pair<std::string_view, char> kAsShort[] = {
        {"compress", 'z'}, {"decompress", 'd'}, {"uncompress", 'd'},
        {"test", 't'},     {"list", 'l'},       {"keep", 'k'},
        {"force", 'f'},    {"stdout", 'c'},     {"to-stdout", 'c'},
        {"quiet", 'q'},    {"verbose", 'v'},    {"no-warn", 'Q'},
        {"help", 'h'},     {"long-help", 'H'},  {"version", 'V'},
        {"extreme", 'e'},  {"fast", '0'},       {"best", '9'},
        {"threads", 'T'},  {"check", 'C'},      {"format", 'F'},
        {"memlimit", 'M'}, {"memory", 'M'},     {"suffix", 'S'},
    };
    for (const auto& [n, c] : kAsShort) {
      if (n == name) return Short(c, value.value_or(""));
    }
    if (name == "single-stream") {
      o_.single_stream = true;
    } else if (name == "no-sparse") {
      // Accepted for xz compatibility; parxz never writes sparse files.
    } else if (name == "memlimit-compress") {
      if (o_.mode == Operation::kCompress) SetMemlimit(*value);
    } else if (name == "memlimit-decompress") {
      if (o_.mode != Operation::kCompress) SetMemlimit(*value);
    } else if (name == "offset") {
      o_.range_offset = ParseSize(*value, "--offset");
    } else if (name == "length") {
      o_.range_length = ParseSize(*value, "--length");
    } else if (name == "block-size") {
      o_.block_size = ParseSize(*value, "--block-size", uint64_t{1} << 50);
      if (o_.block_size == 0) Fail("--block-size: Value out of range: 0");
    } else {
      if (o_.filters.size() >= 4) {
        Fail("Maximum number of filters is four");
      }
      o_.filters.push_back(ParseFilter(name, value.value_or("")));
    }
  }

  void SetCheck(const std::string& v) {
    if (v == "none")
      o_.check = Check::kNone;
    else if (v == "crc32")
      o_.check = Check::kCrc32;
    else if (v == "crc64")
      o_.check = Check::kCrc64;
    else if (v == "sha256")
      o_.check = Check::kSha256;
    else
      Fail("--check: Unsupported integrity check type: '" + v + "'");
  }

  void SetFormat(const std::string& v) {
    if (v == "auto")
      o_.format = Format::kAuto;
    else if (v == "xz")
      o_.format = Format::kXz;
    else if (v == "lzma" || v == "alone")
      o_.format = Format::kAlone;
    else if (v == "raw")
      o_.format = Format::kRaw;
    else
      Fail("--format: Unknown file format type: '" + v + "'");
  }

  void SetMemlimit(const std::string& v) {
    o_.memlimit.reset();
    o_.memlimit_percent.reset();
    if (v == "max" || v == "0") return;  // no limit
    if (!v.empty() && v.back() == '%') {
      const uint64_t p = ParseUint(std::string_view(v).substr(0, v.size() - 1),
                                   "--memlimit", 100);
      if (p == 0) Fail("--memlimit: Value out of range: 0%");
      o_.memlimit_percent = static_cast<double>(p);
      return;
    }
    o_.memlimit = ParseSize(v, "--memlimit");
  }

  CliOptions o_;
  uint32_t level_ = 6;
  bool extreme_ = false;
};

}  // namespace

CliOptions ParseArgs(const std::vector<std::string>& args) {
  return Parser().Run(args);
}

uint64_t ParseSize(std::string_view text, std::string_view what, uint64_t max) {
  size_t digits = 0;
  while (digits < text.size() &&
         std::isdigit(static_cast<unsigned char>(text[digits]))) {
    ++digits;
  }
  std::string_view suffix = text.substr(digits);
  uint64_t multiplier = 1;
  if (!suffix.empty()) {
    static constexpr std::pair<std::string_view, uint64_t> kSuffixes[] = {
        {"k", 1 << 10},  {"K", 1 << 10},   {"KB", 1 << 10},  {"kB", 1 << 10},
        {"Ki", 1 << 10}, {"KiB", 1 << 10}, {"kiB", 1 << 10}, {"M", 1 << 20},
        {"MB", 1 << 20}, {"Mi", 1 << 20},  {"MiB", 1 << 20}, {"G", 1 << 30},
        {"GB", 1 << 30}, {"Gi", 1 << 30},  {"GiB", 1 << 30},
    };
    multiplier = 0;
    for (const auto& [s, m] : kSuffixes) {
      if (s == suffix) multiplier = m;
    }
    if (multiplier == 0) {
      Fail(std::string(what) + ": Invalid multiplier suffix: '" +
           std::string(suffix) + "' (use KiB, MiB or GiB)");
    }
  }
  const uint64_t n = ParseUint(text.substr(0, digits), what, UINT64_MAX);
  if (n > max / multiplier) {
    Fail(std::string(what) + ": Value out of range: " + std::string(text) +
         " (at most " + std::to_string(max) + ")");
  }
  return n * multiplier;
}

FilterSpec ParseFilter(std::string_view name, std::string_view opts) {
  FilterSpec spec{.id = FilterByName(name)};
  spec.preset.reset();
  const bool lzma = spec.id == FilterId::kLzma1 || spec.id == FilterId::kLzma2;
  const std::string opt_name = "--" + std::string(name);
  while (!opts.empty()) {
    const size_t comma = opts.find(',');
    std::string_view item = opts.substr(0, comma);
    opts = comma == std::string_view::npos ? std::string_view()
                                           : opts.substr(comma + 1);
    if (item.empty()) continue;
    const size_t eq = item.find('=');
    if (eq == std::string_view::npos) {
      Fail(opt_name +
           ": Options must be 'name=value' pairs separated with "
           "commas: '" +
           std::string(item) + "'");
    }
    const std::string_view key = item.substr(0, eq), v = item.substr(eq + 1);
    const std::string what = opt_name + " " + std::string(key);
    auto bad = [&] {
      Fail(opt_name + ": Invalid option name: '" + std::string(key) + "'");
    };
    if (lzma) {
      if (key == "preset") {
        spec.preset = ParsePresetText(v, what);
      } else if (key == "dict") {
        spec.dict_size = static_cast<uint32_t>(
            ParseSize(v, what, std::numeric_limits<uint32_t>::max()));
      } else if (key == "lc") {
        spec.lc = ParseU32(v, what);
      } else if (key == "lp") {
        spec.lp = ParseU32(v, what);
      } else if (key == "pb") {
        spec.pb = ParseU32(v, what);
      } else if (key == "nice") {
        spec.nice_len = ParseU32(v, what);
      } else if (key == "depth") {
        spec.depth = ParseU32(v, what);
      } else if (key == "mode") {
        if (v == "fast")
          spec.mode = parxz::Mode::kFast;
        else if (v == "normal")
          spec.mode = parxz::Mode::kNormal;
        else
          Fail(what + ": Invalid option value: '" + std::string(v) + "'");
      } else if (key == "mf") {
        static constexpr std::pair<std::string_view, MatchFinder> kMf[] = {
            {"hc3", MatchFinder::kHc3},
            {"hc4", MatchFinder::kHc4},
            {"bt2", MatchFinder::kBt2},
            {"bt3", MatchFinder::kBt3},
            {"bt4", MatchFinder::kBt4}};
        bool found = false;
        for (const auto& [n, mf] : kMf) {
          if (n == v) {
            spec.mf = mf;
            found = true;
          }
        }
        if (!found) {
          Fail(what + ": Invalid option value: '" + std::string(v) + "'");
        }
      } else {
        bad();
      }
    } else if (spec.id == FilterId::kDelta) {
      if (key != "dist") bad();
      spec.dist = static_cast<uint32_t>(ParseUint(v, what, 256));
      if (*spec.dist == 0) Fail(what + ": Value out of range: 0");
    } else {
      if (key != "start") bad();
      spec.start_offset = ParseU32(v, what);
    }
  }
  return spec;
}

std::string HelpText() {
  return R"(Usage: parxz [OPTION]... [FILE]...
Compress or decompress FILEs in the .xz format on all cores.
With no FILE, or when FILE is -, read standard input.

Operation mode:
  -z, --compress      force compression
  -d, --decompress    force decompression
  -t, --test          test compressed file integrity
  -l, --list          list information about .xz files (-v: every Block)

Operation modifiers:
  -k, --keep          keep (don't delete) input files
  -f, --force         force overwrite of output file and (de)compress links
  -c, --stdout        write to standard output and don't delete input files
      --single-stream decompress only the first stream
      --offset=N, --length=N  with -dc: write only uncompressed bytes
                      [N, N+length) of a seekable .xz file, decoding just
                      the Blocks that hold them (default: to the end)
  -S, --suffix=.SUF   use the suffix '.SUF' on compressed files

Basic file format and compression options:
  -F, --format=FMT    file format to encode or decode; possible values are
                      'auto' (default), 'xz', 'lzma' and 'raw'
  -C, --check=CHECK   integrity check type: 'none', 'crc32', 'crc64' (default)
                      or 'sha256' (.xz only)
  -0 ... -9           compression preset; default is 6
  -e, --extreme       try to improve compression ratio by using more CPU time
  -T, --threads=NUM   use at most NUM threads; 0 (default) = all cores
      --block-size=SIZE  uncompressed bytes per .xz Block; default
                      max(3 x dictionary size, 1 MiB), as xz -T
  -M, --memlimit=LIMIT  memory limit: bytes, KiB/MiB/GiB, N% of RAM, or 0;
                      compression uses fewer threads to stay under it
      --memlimit-compress=LIMIT, --memlimit-decompress=LIMIT
                      the same for one mode only

Custom filter chain (in order; replaces the preset; at most four):
  --lzma1[=OPTS], --lzma2[=OPTS]  LZMA1 or LZMA2; OPTS (comma separated):
        preset=PRE  reset options to a preset (0-9[e])
        dict=NUM    dictionary size (4KiB - 1536MiB)
        lc=NUM lp=NUM pb=NUM  literal context/position bits, position bits
        mode=MODE   'fast' or 'normal'    nice=NUM  nice length of a match
        mf=NAME     hc3, hc4, bt2, bt3, bt4   depth=NUM  max search depth
  --x86[=OPTS] --arm[=OPTS] --armthumb[=OPTS] --arm64[=OPTS]
  --powerpc[=OPTS] --ia64[=OPTS] --sparc[=OPTS]
                      BCJ filters; OPTS: start=NUM (start offset)
  --delta[=OPTS]      Delta filter; OPTS: dist=NUM (1-256, default 1)

Other options:
  -q, --quiet         suppress warnings; twice to suppress errors too
  -Q, --no-warn       warnings don't change the exit status
  -v, --verbose       progress on stderr (when it is a terminal) and a
                      summary per file; -vv (or PARXZ_PROGRESS=1) shows
                      progress even when stderr is not a terminal
  -h, --help          display this help and exit
  -V, --version       display the version number and exit

Sizes take KiB, MiB or GiB suffixes (K, M, G: powers of 1024).
Exit status: 0 success, 1 error, 2 warning (e.g. a file skipped).
.xz output equals `xz -T` byte for byte for the same options.
)";
}

std::string VersionText() {
  return std::string("parxz 0.1.0\nliblzma ") + lzma_version_string() + "\n";
}

}  // namespace parxz::cli
