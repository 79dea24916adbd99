#include "tools/cli.h"

#include <lzma.h>
#include <unistd.h>

#include <cstdlib>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "core/compressor.h"
#include "core/stream_decoder.h"
#include "core/error.h"
#include "core/options.h"
#include "parallel/fd_io.h"
#include "parallel/parallel_compressor.h"
#include "parallel/parallel_decompressor.h"
#include "parallel/random_access.h"
#include "tools/file_io.h"
#include "tools/list.h"
#include "tools/progress.h"

namespace parxz::cli {

namespace {

constexpr size_t kIoChunk = 1 << 20;

struct SuffixRule {
  std::string_view compressed;
  std::string_view plain;  // what replaces it when decompressing
};

// xz's suffixes per format (suffix.c): .txz and .tlz stand for .tar.xz/.lzma.
std::vector<SuffixRule> SuffixesFor(Format format, bool decompressing) {
  std::vector<SuffixRule> rules;
  if (format == Format::kXz || format == Format::kAuto) {
    rules.push_back({".xz", ""});
    rules.push_back({".txz", ".tar"});
  }
  if (format == Format::kAlone || format == Format::kAuto) {
    rules.push_back({".lzma", ""});
    rules.push_back({".tlz", ".tar"});
  }
  if (format == Format::kAuto && decompressing) rules.push_back({".lz", ""});
  return rules;
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

 private:
  static void Print(const std::string& name, const std::string& message) {
    const std::string line =
        "parxz: " + (name.empty() ? "" : name + ": ") + message + "\n";
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

std::optional<uint64_t> MemLimit(const CliOptions& o) {
  if (o.memlimit_percent) {
    return static_cast<uint64_t>(static_cast<double>(lzma_physmem()) *
                                 *o.memlimit_percent / 100.0);
  }
  return o.memlimit;
}

bool LiveProgress(const CliOptions& o) {
  if (o.verbosity < kVerbose) return false;
  if (o.verbosity >= kDebug) return true;
  const char* env = std::getenv("PARXZ_PROGRESS");
  if (env != nullptr && std::string_view(env) == "1") return true;
  return IsTerminal(STDERR_FILENO);
}

ParallelOptions ToParallelOptions(const CliOptions& o) {
  ParallelOptions p;
  if (o.filters.empty()) {
    p.preset = o.preset;
  } else {
    p.filters = o.filters;
  }
  p.check = o.check.value_or(Check::kCrc64);
  p.threads = o.threads;
  p.block_size = o.block_size;
  if (const auto limit = MemLimit(o)) {
    // Like xz, fewer threads to fit the limit; the output does not change.
    ParallelOptions r = ResolveParallelOptions(p);
    while (MemoryUsage(r) > *limit && r.threads > 1) {
      --r.threads;
      r.max_blocks_in_flight = 0;
      r = ResolveParallelOptions(r);
    }
    if (MemoryUsage(r) > *limit) {
      throw Error(ErrorCode::kMemLimit, "compress",
                  "Memory usage limit is too low for the given filter setup (" +
                      HumanSize(MemoryUsage(r)) + " needed)");
    }
    p = r;
  }
  return p;
}

struct Totals {
  uint64_t in = 0, out = 0;
  bool unverified = false;  // a check that could not be verified
};

Totals CompressSequential(const CliOptions& o, int in_fd, int out_fd,
                          ProgressMeter* meter) {
  CompressOptions c{.format = o.format};
  if (o.format == Format::kAlone && o.filters.empty()) {
    c.preset = o.preset;
  } else if (o.format == Format::kAlone) {
    c.filters = o.filters;
  } else {
    c.filters = o.filters;  // kRaw: args gave a chain for the preset
  }
  Compressor compressor(c);
  std::vector<uint8_t> in(kIoChunk);
  std::vector<uint8_t> out(kIoChunk);
  uint64_t total_in = 0, total_out = 0;
  auto emit = [&](size_t n) {
    WriteFully(out_fd, out.data(), n, total_out);
    total_out += n;
  };
  for (;;) {
    const size_t n = ReadSome(in_fd, in.data(), in.size(), total_in);
    if (n == 0) break;
    std::string_view data(reinterpret_cast<const char*>(in.data()), n);
    while (!data.empty()) {
      const auto p = compressor.compress_into(data, out);
      data.remove_prefix(p.consumed);
      emit(p.produced);
    }
    total_in += n;
    if (meter) meter->Update(total_in, total_out);
  }
  for (;;) {
    const auto p = compressor.flush_into(out);
    emit(p.produced);
    if (p.finished) break;
  }
  if (meter) meter->Update(total_in, total_out);
  return {total_in, total_out};
}

Totals Compress(const CliOptions& o, int in_fd, int out_fd,
                ProgressMeter* meter) {
  if (o.format == Format::kAlone || o.format == Format::kRaw) {
    return CompressSequential(o, in_fd, out_fd, meter);
  }
  const ParallelOptions p = ToParallelOptions(o);
  const CompressStats stats =
      CompressFd(in_fd, out_fd, p, [meter](uint64_t in, uint64_t out) {
        if (meter) meter->Update(in, out);
        return true;
      });
  return {stats.in_bytes, stats.out_bytes, false};
}

// --offset/--length: random access through the Index of a seekable file.
Totals DecompressRange(const CliOptions& o, int in_fd, int out_fd,
                       ProgressMeter* meter) {
  RandomAccessOptions ro{.threads = o.threads};
  ro.memlimit = MemLimit(o);
  XzRandomAccess xz = XzRandomAccess::open_fd(in_fd, ro);
  const uint64_t begin = std::min(o.range_offset.value_or(0), xz.size());
  const uint64_t end =
      begin + std::min(o.range_length.value_or(UINT64_MAX), xz.size() - begin);
  constexpr uint64_t kPiece = 16 << 20;
  for (uint64_t at = begin; at < end;) {
    const std::string part = xz.read(at, std::min(kPiece, end - at));
    if (out_fd >= 0) {
      WriteFully(out_fd, reinterpret_cast<const uint8_t*>(part.data()),
                 part.size(), at - begin);
    }
    at += part.size();
    if (meter) meter->Update(0, at - begin);
  }
  return {0, end - begin, false};
}

Totals Decompress(const CliOptions& o, int in_fd, int out_fd,
                  ProgressMeter* meter) {
  if (o.range_offset || o.range_length) {
    return DecompressRange(o, in_fd, out_fd, meter);
  }
  if (o.format != Format::kRaw && !o.single_stream) {
    // The parallel decoder, with xz's rules for what follows a stream.
    ParallelDecodeOptions p{
        .threads = o.threads, .format = o.format, .mode = DecodeMode::kXz};
    p.memlimit_hard = MemLimit(o);
    const DecompressStats stats =
        DecompressFd(in_fd, out_fd, p, [meter](uint64_t in, uint64_t out) {
          if (meter) meter->Update(in, out);
          return true;
        });
    return {stats.in_bytes, stats.out_bytes, stats.unsupported_check};
  }
  // Raw streams and --single-stream: the sequential decoder, same rules.
  StreamDecoderOptions d{.format = o.format,
                         .mode = DecodeMode::kXz,
                         .single_stream = o.single_stream,
                         .memlimit = MemLimit(o)};
  if (o.format == Format::kRaw) d.filters = o.filters;
  StreamDecoder decoder(d);
  uint64_t written = 0;
  FunctionSink sink([out_fd, &written](std::string_view data) {
    if (out_fd >= 0) {
      WriteFully(out_fd, reinterpret_cast<const uint8_t*>(data.data()),
                 data.size(), written);
    }
    written += data.size();
  });
  std::vector<uint8_t> in(kIoChunk);
  uint64_t read_total = 0;
  while (!decoder.done()) {
    const size_t n = ReadSome(in_fd, in.data(), in.size(), read_total);
    if (n == 0) break;
    read_total += n;
    decoder.feed(std::string_view(reinterpret_cast<const char*>(in.data()), n),
                 sink);
    if (meter) meter->Update(read_total, decoder.total_out());
  }
  decoder.finish(sink);
  return {read_total, decoder.total_out(), decoder.unsupported_check()};
}

class FileRunner {
 public:
  FileRunner(const CliOptions& o, Reporter& r) : o_(o), r_(r) {}

  void Process(const std::string& name) {
    const std::string shown = DisplayName(name);
    const bool testing = o_.mode == Operation::kTest;
    const bool to_stdout = o_.to_stdout || name == "-" || testing;
    std::string out_name;
    if (!to_stdout) {
      std::string why;
      const auto n = OutputName(o_, name, &why);
      if (!n) {
        r_.Warning(shown, why);
        return;
      }
      out_name = *n;
    }
    const bool compressing = o_.mode == Operation::kCompress;
    try {
      InputFile in =
          InputFile::Open(name, {.follow_links = o_.force || to_stdout,
                                 .allow_odd_regular = o_.force || to_stdout,
                                 .allow_special = to_stdout});
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
        totals = compressing ? Compress(o_, in.fd(), out_fd, meter.get())
                             : Decompress(o_, in.fd(), out_fd, meter.get());
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

int List(const CliOptions& o, Reporter& r) {
  std::vector<FileInfo> infos;
  bool header = false;
  size_t index = 0;
  for (const std::string& name : o.files) {
    ++index;
    if (name == "-") {
      r.Error("", "--list does not support reading from standard input");
      continue;
    }
    try {
      InputFile in = InputFile::Open(name, {.follow_links = true,
                                            .allow_odd_regular = true,
                                            .allow_special = false});
      FileInfo info = ReadFileInfo(in.fd(), name);
      std::string text;
      if (o.verbosity >= kVerbose) {
        text = (index > 1 ? "\n" : "") +
               FormatListVerbose(info, index, o.files.size());
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
  if (o.files.size() > 1 && !infos.empty()) {
    WriteText(STDOUT_FILENO, o.verbosity >= kVerbose
                                ? FormatListVerboseTotals(infos)
                                : FormatListTotals(infos));
  }
  return r.status();
}

}  // namespace

std::optional<std::string> OutputName(const CliOptions& o,
                                      const std::string& input,
                                      std::string* why) {
  const bool decompressing = o.mode != Operation::kCompress;
  std::vector<SuffixRule> rules;
  if (!o.suffix.empty()) rules.push_back({o.suffix, ""});
  for (const SuffixRule& r : SuffixesFor(o.format, decompressing)) {
    rules.push_back(r);
  }
  const size_t slash = input.rfind('/');
  const std::string_view base = std::string_view(input).substr(
      slash == std::string::npos ? 0 : slash + 1);
  const SuffixRule* match = nullptr;
  for (const SuffixRule& r : rules) {
    if (base.size() > r.compressed.size() && base.ends_with(r.compressed)) {
      match = &r;
      break;
    }
  }
  if (decompressing) {
    if (match == nullptr) {
      *why = "Filename has an unknown suffix, skipping";
      return std::nullopt;
    }
    return input.substr(0, input.size() - match->compressed.size()) +
           std::string(match->plain);
  }
  if (match != nullptr) {
    *why = "File already has `" + std::string(match->compressed) +
           "' suffix, skipping";
    return std::nullopt;
  }
  if (!o.suffix.empty()) return input + o.suffix;
  if (o.format == Format::kRaw) {
    *why = "Compressing a raw stream to a file needs --suffix=.SUF or -c";
    return std::nullopt;
  }
  return input + (o.format == Format::kAlone ? ".lzma" : ".xz");
}

int Run(const CliOptions& o) {
  if (o.help) {
    WriteText(STDOUT_FILENO, HelpText());
    return 0;
  }
  if (o.version) {
    WriteText(STDOUT_FILENO, VersionText());
    return 0;
  }
  Reporter reporter(o);
  if (o.mode == Operation::kList) return List(o, reporter);
  if ((o.range_offset || o.range_length) &&
      (o.mode != Operation::kDecompress || !o.to_stdout)) {
    reporter.Error("", "--offset and --length need -d and -c (-dc)");
    return reporter.status();
  }

  bool uses_stdin = false;
  for (const std::string& f : o.files) uses_stdin |= f == "-";
  if (o.mode == Operation::kCompress && (o.to_stdout || uses_stdin) &&
      IsTerminal(STDOUT_FILENO)) {
    reporter.Error("", "Compressed data cannot be written to a terminal");
    return reporter.status();
  }
  if (o.mode != Operation::kCompress && uses_stdin &&
      IsTerminal(STDIN_FILENO)) {
    reporter.Error("", "Compressed data cannot be read from a terminal");
    return reporter.status();
  }
  InstallSignalCleanup();
  FileRunner runner(o, reporter);
  for (const std::string& f : o.files) runner.Process(f);
  return reporter.status();
}

}  // namespace parxz::cli
