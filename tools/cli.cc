#include "tools/cli.h"

#include <fcntl.h>
#include <lzma.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "core/options.h"
#include "parallel/common/fd_io.h"
#include "parallel/common/system_memory.h"
#include "parallel/common/threads.h"
#include "tools/codec.h"
#include "tools/compress_plan.h"
#include "tools/file_io.h"
#include "tools/list.h"
#include "tools/progress.h"
#include "tools/tar_cli.h"

namespace parxz::cli {

namespace {

struct SuffixRule {
  std::string_view compressed;
  std::string_view plain;  // what replaces it when decompressing
};

// xz's suffix.c: every known suffix counts when decompressing (whatever
// --format says); compressing refuses only the format's own.
constexpr SuffixRule kDecompressSuffixes[] = {
    {".xz", ""}, {".txz", ".tar"}, {".lzma", ""}, {".tlz", ".tar"}, {".lz", ""},
};

std::vector<std::string_view> CompressSuffixes(Format format) {
  if (format == Format::kAlone) return {".lzma", ".tlz"};
  if (format == Format::kRaw) return {};
  return {".xz", ".txz"};
}

// xz's test_suffix(): `name` ends with `suffix` and has more before it than
// a directory separator.
bool HasSuffix(std::string_view name, std::string_view suffix) {
  return name.size() > suffix.size() && name.ends_with(suffix) &&
         name[name.size() - suffix.size() - 1] != '/';
}

std::string DisplayName(const std::string& name) {
  return name == "-" ? "(stdin)" : name;
}

class Reporter {
 public:
  explicit Reporter(const CliOptions& o) : o_(o) {}

  void Error(const std::string& name, const std::string& message) {
    if (o_.verbosity >= kErrors) Print(name, message);
    status_ = 1;
  }
  void Warning(const std::string& name, const std::string& message) {
    if (o_.verbosity >= kWarnings) Print(name, message);
    if (!o_.no_warn && status_ == 0) status_ = 2;
  }
  int status() const { return status_; }
  // xz's message(V_WARNING / V_DEBUG, ...): no file name, no exit status.
  void Note(const std::string& message) { Print("", message); }

 private:
  static void Print(const std::string& name, const std::string& message) {
    const std::string line = ProgramName() + ": " +
                             (name.empty() ? "" : name + ": ") + message + "\n";
    ssize_t unused = write(STDERR_FILENO, line.data(), line.size());
    (void)unused;
  }
  const CliOptions& o_;
  int status_ = 0;
};

// Text for the terminal or stdout, through the one EINTR-safe write loop.
void WriteText(int fd, std::string_view text) {
  WriteFully(fd, reinterpret_cast<const uint8_t*>(text.data()), text.size(), 0);
}

bool LiveProgress(const CliOptions& o) {
  if (o.verbosity < kVerbose) return false;
  if (o.verbosity >= kDebug) return true;
  const char* env = std::getenv("PARXZ_PROGRESS");
  if (env != nullptr && std::string_view(env) == "1") return true;
  return IsTerminal(STDERR_FILENO);
}

class FileRunner {
 public:
  FileRunner(const CliOptions& o, Reporter& r) : o_(o), r_(r) {}

  void Process(const std::string& name) {
    const std::string shown = DisplayName(name);
    const bool testing = o_.mode == Operation::kTest;
    const bool to_stdout = o_.to_stdout || name == "-" || testing;
    const bool compressing = o_.mode == Operation::kCompress;
    try {
      // As xz: the input is opened (and may fail) before its suffix counts.
      InputFile in =
          InputFile::Open(name, {.follow_links = o_.force || to_stdout,
                                 .allow_odd_regular = o_.force || to_stdout,
                                 .allow_special = to_stdout});
      std::string out_name;
      if (!to_stdout) {
        std::string why;
        bool is_error = false;
        const auto n = OutputName(o_, name, &why, &is_error);
        if (!n) {
          if (is_error) {
            r_.Error(shown, why);
          } else {
            r_.Warning(shown, why);
          }
          return;
        }
        out_name = *n;
      }
      std::optional<OutputFile> out;
      if (!testing && to_stdout) {
        out.emplace(OutputFile::Stdout());
      } else if (!testing) {
        try {
          out.emplace(OutputFile::Create(out_name, o_.force));
        } catch (const Error& e) {
          // As xz: the message names the output ("a.xz: File exists").
          r_.Error(out_name, e.detail());
          return;
        }
      }
      std::unique_ptr<ProgressMeter> meter;
      if (o_.verbosity >= kVerbose) {
        meter = std::make_unique<ProgressMeter>(shown, in.size(), compressing,
                                                LiveProgress(o_),
                                                IsTerminal(STDERR_FILENO));
      }
      const int out_fd = out ? out->fd() : -1;
      Totals totals;
      try {
        totals = compressing
                     ? CompressStream(o_, in.fd(), out_fd, meter.get())
                     : DecompressStream(o_, in.fd(), out_fd, meter.get());
      } catch (const Error& e) {
        if (meter) meter->Finish(0, 0, false);
        if (e.code() == ErrorCode::kIo && to_stdout &&
            e.operation().find("write") != std::string::npos) {
          r_.Error("(stdout)", e.what());
        } else {
          r_.Error(shown, e.what());
        }
        return;  // `out` removes its temporary file; the input stays
      }
      if (out) out->Commit(in.is_stdin() ? nullptr : &in.stat());
      if (totals.unverified) {
        r_.Warning(shown,
                   "Unsupported type of integrity check; not verifying file "
                   "integrity");
      }
      if (meter) meter->Finish(totals.in, totals.out, true);
      if (!to_stdout && !o_.keep) in.Remove();
    } catch (const SkipFile& e) {
      r_.Warning(shown, e.what());
    } catch (const Error& e) {
      r_.Error(shown, e.what());
    }
  }

 private:
  const CliOptions& o_;
  Reporter& r_;
};

int List(const CliOptions& o, const std::vector<std::string>& files,
         Reporter& r) {
  std::vector<ListedFile> infos;
  const bool details = o.verbosity >= kDebug;
  bool header = false;
  size_t index = 0;
  for (const std::string& name : files) {
    ++index;
    if (name == "-") {
      r.Error("", "--list does not support reading from standard input");
      continue;
    }
    try {
      InputFile in = InputFile::Open(name, {.follow_links = true,
                                            .allow_odd_regular = true,
                                            .allow_special = false});
      ListedFile info = ReadFileInfo(in.fd(), name, details);
      std::string text;
      if (o.robot) {
        text = FormatListRobot(info, o.verbosity >= kVerbose, details);
      } else if (o.verbosity >= kVerbose) {
        // With --files the count is not known up front: "a.xz (1)", as xz.
        text = (index > 1 ? "\n" : "") +
               FormatListVerbose(info, index, o.files_from ? 0 : files.size(),
                                 details);
      } else {
        if (!header) text = FormatListHeader();
        header = true;
        text += FormatListRow(info);
      }
      WriteText(STDOUT_FILENO, text);
      infos.push_back(std::move(info));
    } catch (const SkipFile& e) {
      r.Warning(name, e.what());
    } catch (const Error& e) {
      r.Error(name, e.what());
    }
  }
  if (o.robot) {
    WriteText(STDOUT_FILENO, FormatListRobotTotals(infos, details));
  } else if (infos.size() > 1) {
    WriteText(STDOUT_FILENO, o.verbosity >= kVerbose
                                 ? FormatListVerboseTotals(infos, details)
                                 : FormatListTotals(infos));
  }
  return r.status();
}

// `from`: the default soft limit's origin, named when it is not xz's
// (the RAM), so that the line stays xz's wherever the two agree.
std::string MiBLine(const char* label, uint64_t value,
                    std::optional<SoftLimit> from = std::nullopt) {
  char buf[160];
  if (value == 0 || value == UINT64_MAX) {
    std::snprintf(buf, sizeof buf, "  %-32s  Disabled\n", label);
  } else {
    std::snprintf(buf, sizeof buf, "  %-32s  %s MiB (%s B)", label,
                  std::to_string((value + (1 << 20) - 1) >> 20).c_str(),
                  std::to_string(value).c_str());
  }
  std::string line = buf;
  if (line.back() == '\n') return line;
  if (from && from->source != MemorySource::kPhysmem) {
    line += ", " + DescribeSoftLimit(*from);
  }
  return line + "\n";
}

// xz --info-memory (hardware.c): RAM, threads and the active limits.
std::string InfoMemory(const CliOptions& o) {
  const uint64_t ram = lzma_physmem();
  uint32_t threads = lzma_cputhreads();
  if (threads == 0) threads = 1;
  auto limit = [&](const MemLimitSetting& m) -> uint64_t {
    return m.percent ? m.value * ram / 100 : m.value;
  };
  const uint64_t compress = limit(o.memlimit_compress);
  const uint64_t decompress = limit(o.memlimit_decompress);
  const SoftLimit soft = DefaultSoftLimit(ReadMemorySources());
  const uint64_t mt_default = soft.limit;
  uint64_t mtdec =
      o.memlimit_mtdec.value != 0 ? limit(o.memlimit_mtdec) : mt_default;
  if (decompress != 0 && mtdec > decompress) mtdec = decompress;
  char buf[256];
  if (o.robot) {
    std::snprintf(buf, sizeof buf, "%llu\t%llu\t%llu\t%llu\t%llu\t%u\n",
                  static_cast<unsigned long long>(ram),
                  static_cast<unsigned long long>(compress),
                  static_cast<unsigned long long>(decompress),
                  static_cast<unsigned long long>(mtdec),
                  static_cast<unsigned long long>(mt_default), threads);
    return buf;
  }
  std::snprintf(buf, sizeof buf, "  %-32s  %u",
                "Number of processor threads:", threads);
  // xz's count is the affinity mask's; where a CPU quota lowers what -T0
  // uses, the line says so (as the memory line names its limit).
  std::string threads_line = buf;
  if (const CpuLimit cpus = PlanThreads(0).cpus; cpus.cpus != threads) {
    threads_line += ", -T0 uses " + std::to_string(cpus.cpus) + ": " +
                    DescribeCpuLimit(cpus);
  }
  threads_line += "\n";
  return "Hardware information:\n" +
         MiBLine("Amount of physical memory (RAM):", ram) + threads_line +
         "\nMemory usage limits:\n" + MiBLine("Compression:", compress) +
         MiBLine("Decompression:", decompress) +
         MiBLine("Multi-threaded decompression:", mtdec) +
         MiBLine("Default for -T0:", mt_default, soft);
}

// --files / --files0: the names, as xz's read_name() reads them.
std::vector<std::string> ReadNameList(const CliOptions& o, Reporter& r) {
  const std::string& from = *o.files_from;
  const bool is_stdin = from == "-";
  const std::string shown = is_stdin ? "(stdin)" : from;
  std::string text;
  int fd = STDIN_FILENO;
  if (!is_stdin) {
    fd = open(from.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw Error(ErrorCode::kIo, from, std::strerror(errno));
  }
  try {
    std::vector<uint8_t> buf(1 << 16);
    for (;;) {
      const size_t n = ReadSome(fd, buf.data(), buf.size(), text.size());
      if (n == 0) break;
      text.append(reinterpret_cast<const char*>(buf.data()), n);
    }
  } catch (const Error& e) {
    r.Error(shown, "Error reading filenames: " + e.detail());
    text.clear();
  }
  if (!is_stdin) close(fd);
  std::vector<std::string> names;
  std::string name;
  for (const char c : text) {
    if (c == o.files_delim) {
      if (!name.empty()) names.push_back(std::move(name));
      name.clear();
    } else if (c == '\0') {
      r.Error(shown,
              "Null character found when reading filenames; maybe you meant "
              "to use `--files0' instead of `--files'?");
      return names;
    } else {
      name += c;
    }
  }
  if (!name.empty()) {
    r.Error(shown, "Unexpected end of input when reading filenames");
  }
  return names;
}

}  // namespace

std::optional<std::string> OutputName(const CliOptions& o,
                                      const std::string& input,
                                      std::string* why, bool* is_error) {
  *is_error = false;
  const std::string raw_needs_suffix =
      "With --format=raw, --suffix=.SUF is required unless writing to stdout";
  if (o.mode != Operation::kCompress) {
    if (o.format != Format::kRaw) {
      for (const SuffixRule& r : kDecompressSuffixes) {
        if (HasSuffix(input, r.compressed)) {
          return input.substr(0, input.size() - r.compressed.size()) +
                 std::string(r.plain);
        }
      }
    } else if (o.suffix.empty()) {
      *why = raw_needs_suffix;
      *is_error = true;
      return std::nullopt;
    }
    if (!o.suffix.empty() && HasSuffix(input, o.suffix)) {
      return input.substr(0, input.size() - o.suffix.size());
    }
    *why = "Filename has an unknown suffix, skipping";
    return std::nullopt;
  }
  std::vector<std::string_view> known = CompressSuffixes(o.format);
  if (!o.suffix.empty()) known.push_back(o.suffix);
  for (const std::string_view suffix : known) {
    if (HasSuffix(input, suffix)) {
      *why = "File already has `" + std::string(suffix) + "' suffix, skipping";
      return std::nullopt;
    }
  }
  if (o.format == Format::kRaw && o.suffix.empty()) {
    *why = raw_needs_suffix;
    *is_error = true;
    return std::nullopt;
  }
  if (!o.suffix.empty()) return input + o.suffix;
  return input + (o.format == Format::kAlone ? ".lzma" : ".xz");
}

int RunFiles(const CliOptions& o);

int Run(const CliOptions& o) {
  if (o.version) {
    WriteText(STDOUT_FILENO,
              o.robot ? "XZ_VERSION=50040012\nLIBLZMA_VERSION=" +
                            std::to_string(lzma_version_number()) + "\n"
                      : VersionText());
    return 0;
  }
  if (o.info_memory) {
    WriteText(STDOUT_FILENO, InfoMemory(o));
    return 0;
  }
  if (o.help || o.long_help) {
    WriteText(STDOUT_FILENO, o.long_help ? LongHelpText() : HelpText());
    return 0;
  }
  if (o.tar_list || !o.tar_extract.empty()) return RunTarMembers(o);
  if (o.mode == Operation::kList) return RunFiles(o);
  Reporter reporter(o);
  CompressPlan plan;
  try {
    plan = PlanCompressMemory(o);
  } catch (const MemLimitTooLow& e) {
    // xz's memlimit_too_small(): two lines, status 1, no file touched.
    if (o.verbosity >= kWarnings) {
      for (const std::string& line : e.warnings()) reporter.Note(line);
    }
    reporter.Error("", e.what());
    reporter.Error("", e.needed());
    return reporter.status();
  }
  if (o.verbosity >= kVerbose) {
    for (const std::string& line : plan.verbose) reporter.Note(line);
  }
  if (o.verbosity >= kDebug) {
    for (const std::string& line : plan.debug) reporter.Note(line);
  }
  if (o.verbosity >= kWarnings) {
    for (const std::string& line : plan.warnings) reporter.Note(line);
  }
  return RunFiles(plan.options);
}

// Run() once the settings are final.
int RunFiles(const CliOptions& o) {
  Reporter reporter(o);
  std::vector<std::string> files = o.files;
  const bool names_from_stdin = o.files_from && *o.files_from == "-";
  if (o.files_from) {
    try {
      std::vector<std::string> more = ReadNameList(o, reporter);
      files.insert(files.end(), more.begin(), more.end());
    } catch (const Error& e) {
      // As xz: the named list cannot be opened ("FILE: No such file...").
      reporter.Error(e.operation(), e.detail());
      return reporter.status();
    }
  }
  if (o.mode == Operation::kList) return List(o, files, reporter);
  if ((o.range_offset || o.range_length) &&
      (o.mode != Operation::kDecompress || !o.to_stdout)) {
    reporter.Error("", "--offset and --length need -d and -c (-dc)");
    return reporter.status();
  }

  InstallSignalCleanup();
  FileRunner runner(o, reporter);
  for (const std::string& f : files) {
    if (f == "-") {
      // As xz's main(): standard input from or to a terminal is skipped.
      if (o.mode == Operation::kCompress ? IsTerminal(STDOUT_FILENO)
                                         : IsTerminal(STDIN_FILENO)) {
        reporter.Error("", o.mode == Operation::kCompress
                               ? "Compressed data cannot be written to a "
                                 "terminal"
                               : "Compressed data cannot be read from a "
                                 "terminal");
        continue;
      }
      if (names_from_stdin) {
        reporter.Error("",
                       "Cannot read data from standard input when reading "
                       "filenames from standard input");
        continue;
      }
    } else if (o.mode == Operation::kCompress && o.to_stdout &&
               IsTerminal(STDOUT_FILENO)) {
      reporter.Error("", "Compressed data cannot be written to a terminal");
      return reporter.status();
    }
    runner.Process(f);
  }
  return reporter.status();
}

}  // namespace parxz::cli
