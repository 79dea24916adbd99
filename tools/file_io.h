// File handling of the parxz command line, with xz's safety habits:
//
//   InstallSignalCleanup();                        // once, in main()
//   InputFile in = InputFile::Open("a.txt", {.follow_links = false});
//   OutputFile out = OutputFile::Create("a.txt.xz", /*force=*/false);
//   ... write to out.fd() ...
//   out.Commit(&in.stat());  // fsync, mode/owner/times, rename into place
//   in.Remove();             // only after Commit() returned
//
// The output is written to a temporary file in the target's directory and
// renamed over the final name only by Commit(); an OutputFile destroyed
// without Commit() (an error, an exception) removes its temporary file, and
// so does SIGINT, SIGTERM, SIGHUP or SIGPIPE, from the signal handler itself,
// before the process dies of the signal as xz does. An existing file is
// never replaced unless `force`. Errors are parxz::Error(kIo) whose detail is
// the errno text; SkipFile is thrown for the cases xz skips with a warning.
#ifndef PARXZ_TOOLS_FILE_IO_H_
#define PARXZ_TOOLS_FILE_IO_H_

#include <sys/stat.h>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

namespace parxz::cli {

// A file xz would skip with a warning (exit status 2): a directory, a
// symbolic link, a special file, a file with several hard links...
class SkipFile : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Installs the handlers that remove the current temporary output on
// SIGINT/SIGTERM/SIGHUP/SIGPIPE and then re-raise the signal.
void InstallSignalCleanup();

struct InputPolicy {
  // Open symbolic links (xz: only with -f or -c).
  bool follow_links = false;
  // Accept files with several hard links or setuid/setgid/sticky bits
  // (-f / -c).
  bool allow_odd_regular = false;
  // Accept FIFOs, devices and sockets (-c, -t).
  bool allow_special = false;
};

class InputFile {
 public:
  // "-" is standard input. Throws Error(kIo) or SkipFile.
  static InputFile Open(const std::string& path, const InputPolicy& policy);
  InputFile(InputFile&& other) noexcept;
  InputFile& operator=(InputFile&&) = delete;
  ~InputFile();

  int fd() const { return fd_; }
  const struct stat& stat() const { return st_; }
  bool is_stdin() const { return is_stdin_; }
  // Size in bytes when known (regular file), else -1.
  int64_t size() const;
  // Deletes the input file (after a successful Commit() of its output).
  void Remove();

 private:
  InputFile() = default;
  int fd_ = -1;
  bool is_stdin_ = false;
  std::string path_;
  struct stat st_ {};
};

class OutputFile {
 public:
  // A temporary file next to `path`. Fails early (kIo "File exists") when
  // `path` exists and !force.
  static OutputFile Create(const std::string& path, bool force);
  // Standard output (never closed, never removed).
  static OutputFile Stdout();
  OutputFile(OutputFile&& other) noexcept;
  OutputFile& operator=(OutputFile&&) = delete;
  // Removes the temporary file unless Commit() succeeded.
  ~OutputFile();

  int fd() const { return fd_; }
  // Makes the output final: for a file, fsync, copy mode/owner/timestamps
  // from `source` (may be null), rename into place, fsync the directory.
  // For stdout, nothing beyond a check that writes succeeded.
  void Commit(const struct stat* source);

 private:
  OutputFile() = default;
  int fd_ = -1;
  bool is_stdout_ = false;
  bool force_ = false;
  bool committed_ = false;
  std::string path_;
  std::string temp_path_;
};

// Reads and writes go through parallel/common/fd_io.h, the one EINTR-safe loop.

// True if `fd` is a terminal.
bool IsTerminal(int fd);

}  // namespace parxz::cli

#endif  // PARXZ_TOOLS_FILE_IO_H_
