#include "tools/tar_cli.h"

#include <lzma.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ctime>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "parallel/access/random_access.h"
#include "parallel/common/fd_io.h"
#include "tools/file_io.h"

namespace parxz::cli {

namespace {

// xz's message_error(): hidden by -qq.
void Say(const CliOptions& o, const std::string& name,
         const std::string& message) {
  if (o.verbosity < kErrors) return;
  const std::string line =
      ProgramName() + ": " + (name.empty() ? "" : name + ": ") + message + "\n";
  ssize_t unused = write(STDERR_FILENO, line.data(), line.size());
  (void)unused;
}

void Out(std::string_view text) {
  WriteFully(STDOUT_FILENO, reinterpret_cast<const uint8_t*>(text.data()),
             text.size(), 0);
}

std::optional<uint64_t> MemLimit(const CliOptions& o) {
  const MemLimitSetting& m = o.memlimit_decompress;
  if (m.value == 0) return std::nullopt;
  return m.percent ? m.value * lzma_physmem() / 100 : m.value;
}

std::string ModeString(const TarMember& m) {
  std::string s = "?rwxrwxrwx";
  s[0] = m.type;
  for (int i = 0; i < 9; ++i) {
    if ((m.mode & (0400u >> i)) == 0) s[1 + i] = '-';
  }
  auto special = [&](uint32_t bit, size_t at, char set) {
    if (m.mode & bit) s[at] = s[at] == 'x' ? set : static_cast<char>(set - 32);
  };
  special(04000, 3, 's');
  special(02000, 6, 's');
  special(01000, 9, 't');
  return s;
}

// Where the members of one input come from, and what was matched.
struct TarJob {
  const CliOptions& o;
  std::string shown;  // the name in messages
  TarMemberMatcher* matcher;
};

void ListOrExtract(const TarJob& job, int fd) {
  const CliOptions& o = job.o;
  const bool extract = !o.tar_extract.empty();
  std::optional<XzRandomAccess> xz;
  struct stat st;
  if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
    try {
      xz.emplace(XzRandomAccess::open_fd(
          fd, {.threads = o.threads, .memlimit = MemLimit(o)}));
    } catch (const Error& e) {
      // No usable Index (truncated, damaged): decode in order from the
      // start, so that the walk names the member where the data goes bad.
      if (e.code() != ErrorCode::kCorruptData &&
          e.code() != ErrorCode::kTruncated) {
        throw;
      }
      if (lseek(fd, 0, SEEK_SET) != 0) throw;
    }
  }
  if (xz && !extract && o.verbosity < kVerbose) {
    if (auto index = ReadPixzIndex(*xz)) {
      std::string text;
      for (const PixzIndexEntry& e : *index) text += e.name + "\n";
      Out(text);
      return;
    }
  }
  std::unique_ptr<TarInput> in;
  if (xz) {
    in = TarInput::FromRandomAccess(*xz);
  } else {
    ThreadedDecompressOptions d;
    d.base.memlimit = MemLimit(o);
    d.threads = o.threads;
    in = TarInput::FromStream(fd, d);
  }
  size_t width = 19;  // FormatTarVerbose's running column width
  const TarVisitor visit = [&](const TarMember& m) {
    if (extract) return job.matcher->Matches(m.name);
    Out(o.verbosity >= kVerbose ? FormatTarVerbose(m, &width) + "\n"
                                : m.name + "\n");
    return false;
  };
  uint64_t written = 0;
  const TarSink sink = [&](std::span<const uint8_t> bytes) {
    WriteFully(STDOUT_FILENO, bytes.data(), bytes.size(), written);
    written += bytes.size();
  };
  WalkTar(*in, visit, extract ? &sink : nullptr);
}

}  // namespace

std::string FormatTarVerbose(const TarMember& m, size_t* width) {
  const std::string user = m.uname.empty() ? std::to_string(m.uid) : m.uname;
  const std::string group = m.gname.empty() ? std::to_string(m.gid) : m.gname;
  const std::string size =
      m.type == 'c' || m.type == 'b'
          ? std::to_string(m.dev_major) + "," + std::to_string(m.dev_minor)
          : std::to_string(m.size);
  // GNU tar's list.c: the column is at least 19 wide and only grows.
  const size_t pad = user.size() + 1 + group.size() + 1 + size.size();
  if (pad > *width) *width = pad;
  char when[32] = "?";
  const time_t t = static_cast<time_t>(m.mtime);
  struct tm tm;
  if (localtime_r(&t, &tm) != nullptr) {
    strftime(when, sizeof when, "%Y-%m-%d %H:%M", &tm);
  }
  std::string line = ModeString(m) + " " + user + "/" + group + " " +
                     std::string(*width - pad, ' ') + size + " " + when + " " +
                     m.name;
  if (m.type == 'l') line += " -> " + m.link;
  if (m.type == 'h') line += " link to " + m.link;
  return line;
}

int RunTarMembers(const CliOptions& o) {
  const bool extract = !o.tar_extract.empty();
  if (extract && o.files.size() != 1) {
    Say(o, "", "--tar-extract takes one input file");
    return 1;
  }
  if (extract && IsTerminal(STDOUT_FILENO)) {
    Say(o, "", "Refusing to write a tar stream to a terminal");
    return 1;
  }
  TarMemberMatcher matcher(o.tar_extract);
  int status = 0;
  for (const std::string& name : o.files) {
    const TarJob job{o, name == "-" ? "(stdin)" : name, &matcher};
    if (name == "-" && IsTerminal(STDIN_FILENO)) {
      Say(o, "", "Compressed data cannot be read from a terminal");
      status = 1;
      continue;
    }
    try {
      InputFile in = InputFile::Open(name, {.follow_links = true,
                                            .allow_odd_regular = true,
                                            .allow_special = true});
      ListOrExtract(job, in.fd());
    } catch (const SkipFile& e) {
      Say(o, job.shown, e.what());
      status = 1;
    } catch (const Error& e) {
      Say(o, job.shown, e.what());
      status = 1;
    }
  }
  if (extract && status == 0) {
    for (const std::string& p : matcher.Unmatched()) {
      Say(o, p, "Not found in archive");
      status = 1;
    }
  }
  return status;
}

}  // namespace parxz::cli
