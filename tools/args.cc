#include "tools/args.h"

#include <cctype>
#include <charconv>
#include <limits>
#include <utility>

#include "tools/option_table.h"

namespace parxz::cli {

namespace {

[[noreturn]] void Fail(const std::string& message) {
  throw UsageError(message);
}

// A mistake getopt_long() would report: xz adds its "Try --help" line.
[[noreturn]] void FailOption(const std::string& message) {
  throw UsageError(message, /*try_help=*/true);
}

class Parser {
 public:
  explicit Parser(CliOptions defaults = {}) : o_(std::move(defaults)) {}

  // One argument list; `names_allowed` false for XZ_DEFAULTS/XZ_OPT, whose
  // non-option words xz ignores. Stops at -h, -H, -V and --info-memory,
  // which xz acts on (and exits) as soon as it sees them.
  void Parse(const std::vector<std::string>& args, bool names_allowed) {
    bool options_done = false;
    for (size_t i = 0; i < args.size() && !Stopped(); ++i) {
      const std::string& a = args[i];
      auto next = [&](std::string_view opt) -> std::string {
        if (i + 1 >= args.size()) {
          FailOption("option '" + std::string(opt) + "' requires an argument");
        }
        return args[++i];
      };
      if (options_done || a == "-" || a.size() < 2 || a[0] != '-') {
        if (names_allowed) o_.files.push_back(a);
      } else if (a == "--") {
        options_done = true;
      } else if (a[1] == '-') {
        std::string_view body = std::string_view(a).substr(2);
        const size_t eq = body.find('=');
        std::string_view name = body.substr(0, eq);
        std::optional<std::string> value;
        if (eq != std::string_view::npos)
          value = std::string(body.substr(eq + 1));
        const LongOption* opt = FindLongOption(name, body);
        name = opt->name;
        if (opt->arg == ArgKind::kNone && value) {
          FailOption("option '--" + std::string(name) +
                     "' doesn't allow an argument");
        }
        if (opt->arg == ArgKind::kRequired && !value) {
          value = next("--" + std::string(name));
        }
        Long(name, value);
      } else {
        // A cluster of short options: "-9e", "-dc", "-T2", "-T" "2".
        for (size_t j = 1; j < a.size() && !Stopped(); ++j) {
          const char c = a[j];
          if (kShortWithArg.find(c) != std::string_view::npos) {
            std::string value =
                j + 1 < a.size() ? a.substr(j + 1) : next(std::string("-") + c);
            Short(c, value);
            break;
          }
          if (kShortNoArg.find(c) == std::string_view::npos) {
            FailOption(std::string("invalid option -- '") + c + "'");
          }
          Short(c, "");
        }
      }
    }
  }

  CliOptions Finish() {
    o_.preset = level_ | (extreme_ ? kPresetExtreme : 0);
    if (Stopped()) return std::move(o_);
    if (o_.mode == Operation::kCompress && o_.lzip) {
      Fail("Compression of lzip files (.lz) is not supported");
    }
    if (o_.mode == Operation::kList &&
        ((o_.format != Format::kAuto && o_.format != Format::kXz) || o_.lzip)) {
      Fail("--list works only on .xz files (--format=xz or --format=auto)");
    }
    if (o_.format == Format::kRaw && o_.filters.empty() &&
        o_.mode != Operation::kList) {
      // xz uses the preset's LZMA2 for raw streams without a chain.
      o_.filters.push_back(
          FilterSpec{.id = FilterId::kLzma2, .preset = o_.preset});
      o_.raw_preset = true;
    }
    if (o_.mode == Operation::kCompress && o_.flush_timeout_ms != 0) {
      // As xz: flushing needs a chain of LZMA2 and Delta only.
      bool flushable = o_.format != Format::kAlone;
      for (const FilterSpec& f : o_.filters) {
        flushable &= f.id == FilterId::kLzma2 || f.id == FilterId::kDelta;
      }
      if (!flushable) {
        Fail("The filter chain is incompatible with --flush-timeout");
      }
    }
    if (o_.tar_list && !o_.tar_extract.empty()) {
      Fail("--tar-list and --tar-extract cannot be used together");
    }
    if (o_.files.empty() && !o_.files_from) o_.files.push_back("-");
    return std::move(o_);
  }

 private:
  bool Stopped() const {
    return o_.help || o_.long_help || o_.version || o_.info_memory;
  }

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
        o_.help = true;
        break;
      case 'H':
        o_.long_help = true;
        break;
      case 'V':
        o_.version = true;
        break;
      case 'e':
        extreme_ = true;
        break;
      case 'T': {
        // xz 5.4: -T1 is single-threaded mode; a leading '+' (-T+1) asks
        // for the multi-threaded format even with one thread.
        const bool plus = !value.empty() && value[0] == '+';
        o_.threads = static_cast<unsigned>(ParseSize(
            std::string_view(value).substr(plus ? 1 : 0), "threads", 16384));
        o_.single_threaded = o_.threads == 1 && !plus;
        break;
      }
      case 'C':
        SetCheck(value);
        break;
      case 'F':
        SetFormat(value);
        break;
      case 'M':
        SetMemlimit(value, "memlimit", &o_.memlimit_compress,
                    &o_.memlimit_decompress, &o_.memlimit_mtdec);
        break;
      case 'S':
        // As xz: taken as given ("-S bar" makes "abar"); no empty suffix.
        if (value.empty() || value.find('/') != std::string::npos) {
          Fail(value + ": Invalid filename suffix");
        }
        o_.suffix = value;
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
      o_.no_sparse = true;
    } else if (name == "no-adjust") {
      o_.no_adjust = true;
    } else if (name == "robot") {
      o_.robot = true;
    } else if (name == "info-memory") {
      o_.info_memory = true;
    } else if (name == "ignore-check") {
      o_.ignore_check = true;
    } else if (name == "files" || name == "files0") {
      if (o_.files_from) {
        Fail("Only one file can be specified with `--files' or `--files0'.");
      }
      o_.files_from = value.value_or("-");
      o_.files_delim = name == "files" ? '\n' : '\0';
    } else if (name == "block-list") {
      SetBlockList(*value);
    } else if (name == "flush-timeout") {
      o_.flush_timeout_ms = ParseSize(*value, "flush-timeout");
    } else if (name == "memlimit-compress") {
      SetMemlimit(*value, "memlimit-compress", &o_.memlimit_compress);
    } else if (name == "memlimit-decompress") {
      SetMemlimit(*value, "memlimit-decompress", &o_.memlimit_decompress);
    } else if (name == "memlimit-mt-decompress") {
      SetMemlimit(*value, "memlimit-mt-decompress", &o_.memlimit_mtdec);
    } else if (name == "tar-list") {
      o_.tar_list = true;
    } else if (name == "tar-extract") {
      o_.tar_extract.push_back(*value);
    } else if (name == "offset") {
      o_.range_offset = ParseSize(*value, "offset");
    } else if (name == "length") {
      o_.range_length = ParseSize(*value, "length");
    } else if (name == "block-size") {
      // 0 is the default, as in xz; the most a Block may hold here is 2^50.
      // "auto" (parxz's own) sizes Blocks from each file's size.
      o_.block_size = *value == "auto"
                          ? kAutoBlockSize
                          : ParseSize(*value, "block-size", uint64_t{1} << 50);
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
      Fail(v + ": Unsupported integrity check type");
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
    else if (v == "lzip")
      o_.format = Format::kAuto;
    else
      Fail(v + ": Unknown file format type");
    o_.lzip = v == "lzip";
  }

  // xz's parse_memlimit: bytes (0 = the default) or 1..100 %.
  static void SetMemlimit(const std::string& v, const std::string& name,
                          MemLimitSetting* a, MemLimitSetting* b = nullptr,
                          MemLimitSetting* c = nullptr) {
    MemLimitSetting m;
    if (!v.empty() && v.back() == '%') {
      m.percent = true;
      m.value = ParseNumber(std::string_view(v).substr(0, v.size() - 1),
                            name + "%", 1, 100);
    } else if (v == "max") {
      m.value = UINT64_MAX;
    } else {
      m.value = ParseSize(v, name);
    }
    for (MemLimitSetting* p : {a, b, c}) {
      if (p != nullptr) *p = m;
    }
  }

  // xz's parse_block_list: "SIZE,,SIZE,0": an empty item repeats the one
  // before it; 0 (only last) means "the rest in one Block".
  void SetBlockList(std::string_view v) {
    if (v.empty() || v[0] == ',') {
      Fail(std::string(v) + ": Invalid argument to --block-list");
    }
    o_.block_list.clear();
    for (;;) {
      const size_t comma = v.find(',');
      const std::string_view item = v.substr(0, comma);
      if (item.empty()) {
        o_.block_list.push_back(o_.block_list.back());
      } else {
        uint64_t n = ParseSize(item, "block-list");
        if (n == 0) {
          if (comma != std::string_view::npos) {
            Fail("0 can only be used as the last element in --block-list");
          }
          n = UINT64_MAX;
        }
        o_.block_list.push_back(n);
      }
      if (comma == std::string_view::npos) break;
      v.remove_prefix(comma + 1);
    }
  }

  CliOptions o_;
  uint32_t level_ = 6;
  bool extreme_ = false;
};

}  // namespace

CliOptions ParseArgs(const std::vector<std::string>& args) {
  Parser p;
  p.Parse(args, /*names_allowed=*/true);
  return p.Finish();
}

namespace {

std::vector<std::string> SplitOnSpace(const char* text) {
  std::vector<std::string> words;
  if (text == nullptr) return words;
  std::string word;
  for (const char* c = text;; ++c) {
    if (*c == '\0' || std::isspace(static_cast<unsigned char>(*c))) {
      if (!word.empty()) words.push_back(std::move(word));
      word.clear();
      if (*c == '\0') break;
    } else {
      word += *c;
    }
  }
  return words;
}

std::string& ProgramNameStorage() {
  static std::string name = "parxz";
  return name;
}

std::string_view Basename(std::string_view path) {
  const size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

}  // namespace

const std::string& ProgramName() { return ProgramNameStorage(); }

void SetProgramName(std::string_view argv0) {
  const std::string_view base = Basename(argv0);
  if (!base.empty()) ProgramNameStorage() = std::string(base);
}

CliOptions ParseCommandLine(std::string_view argv0,
                            const std::vector<std::string>& args,
                            const char* xz_defaults, const char* xz_opt) {
  // As xz's args_parse(): whole command names, looked for as substrings.
  const std::string_view name = Basename(argv0);
  auto has = [&](std::string_view s) {
    return name.find(s) != std::string_view::npos;
  };
  CliOptions defaults;
  if (has("xzcat")) {
    defaults.mode = Operation::kDecompress;
    defaults.to_stdout = true;
  } else if (has("unxz") || has("unparxz")) {
    defaults.mode = Operation::kDecompress;
  } else if (has("lzcat")) {
    defaults.format = Format::kAlone;
    defaults.mode = Operation::kDecompress;
    defaults.to_stdout = true;
  } else if (has("unlzma")) {
    defaults.format = Format::kAlone;
    defaults.mode = Operation::kDecompress;
  } else if (has("lzma")) {
    defaults.format = Format::kAlone;
  }
  Parser p(std::move(defaults));
  p.Parse(SplitOnSpace(xz_defaults), /*names_allowed=*/false);
  p.Parse(SplitOnSpace(xz_opt), /*names_allowed=*/false);
  p.Parse(args, /*names_allowed=*/true);
  return p.Finish();
}

}  // namespace parxz::cli
