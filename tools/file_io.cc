#include "tools/file_io.h"

#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "core/error.h"

namespace parxz::cli {

namespace {

constexpr int kCleanupSignals[] = {SIGINT, SIGTERM, SIGHUP, SIGPIPE};

// The temporary output to remove if a signal kills us. Written only with
// those signals blocked, read only by the handler.
char g_temp_path[PATH_MAX + 1];
volatile sig_atomic_t g_has_temp = 0;

extern "C" void CleanupAndReraise(int sig) {
  if (g_has_temp) {
    unlink(g_temp_path);  // async-signal-safe
    g_has_temp = 0;
  }
  signal(sig, SIG_DFL);
  raise(sig);
}

// Blocks the cleanup signals for the lifetime of the object.
class SignalBlock {
 public:
  SignalBlock() {
    sigset_t set;
    sigemptyset(&set);
    for (int s : kCleanupSignals) sigaddset(&set, s);
    pthread_sigmask(SIG_BLOCK, &set, &old_);
  }
  ~SignalBlock() { pthread_sigmask(SIG_SETMASK, &old_, nullptr); }

 private:
  sigset_t old_;
};

[[noreturn]] void ThrowErrno(std::string_view op, int err) {
  throw Error(ErrorCode::kIo, std::string(op), std::strerror(err));
}

std::string DirName(const std::string& path) {
  const size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

std::string BaseName(const std::string& path) {
  const size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

}  // namespace

void InstallSignalCleanup() {
  struct sigaction sa {};
  sa.sa_handler = CleanupAndReraise;
  sigemptyset(&sa.sa_mask);
  for (int s : kCleanupSignals) sigaddset(&sa.sa_mask, s);
  for (int s : kCleanupSignals) {
    struct sigaction old {};
    sigaction(s, nullptr, &old);
    // Like xz: a signal ignored by whoever started us stays ignored.
    if (old.sa_handler != SIG_IGN) sigaction(s, &sa, nullptr);
  }
}

bool IsTerminal(int fd) { return isatty(fd) == 1; }

// ---------------------------------------------------------------- InputFile

InputFile InputFile::Open(const std::string& path, const InputPolicy& policy) {
  InputFile in;
  in.path_ = path;
  if (path == "-") {
    in.fd_ = STDIN_FILENO;
    in.is_stdin_ = true;
    if (fstat(in.fd_, &in.st_) != 0) ThrowErrno("stat", errno);
    return in;
  }
  int flags = O_RDONLY | O_NOCTTY | O_CLOEXEC | O_NONBLOCK;
  if (!policy.follow_links) flags |= O_NOFOLLOW;
  in.fd_ = open(path.c_str(), flags);
  if (in.fd_ < 0) {
    const int err = errno;
    struct stat lst {};
    if (!policy.follow_links && err == ELOOP &&
        lstat(path.c_str(), &lst) == 0 && S_ISLNK(lst.st_mode)) {
      throw SkipFile("Is a symbolic link, skipping");
    }
    ThrowErrno("open", err);
  }
  // O_NONBLOCK only kept open() from hanging on a FIFO without a writer.
  fcntl(in.fd_, F_SETFL, fcntl(in.fd_, F_GETFL) & ~O_NONBLOCK);
  if (fstat(in.fd_, &in.st_) != 0) ThrowErrno("stat", errno);
  if (S_ISDIR(in.st_.st_mode)) throw SkipFile("Is a directory, skipping");
  if (!S_ISREG(in.st_.st_mode)) {
    if (!policy.allow_special) throw SkipFile("Not a regular file, skipping");
  } else if (!policy.allow_odd_regular) {
    if (in.st_.st_mode & (S_ISUID | S_ISGID)) {
      throw SkipFile("File has setuid or setgid bit set, skipping");
    }
    if (in.st_.st_mode & S_ISVTX)
      throw SkipFile("File has sticky bit set, skipping");
    if (in.st_.st_nlink > 1) {
      throw SkipFile("Input file has more than one hard link, skipping");
    }
  }
  return in;
}

InputFile::InputFile(InputFile&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)),
      is_stdin_(other.is_stdin_),
      path_(std::move(other.path_)),
      st_(other.st_) {}

InputFile::~InputFile() {
  if (fd_ >= 0 && !is_stdin_) close(fd_);
}

int64_t InputFile::size() const {
  return S_ISREG(st_.st_mode) ? static_cast<int64_t>(st_.st_size) : -1;
}

void InputFile::Remove() {
  if (is_stdin_) return;
  // Unlink only the very file we read, not one that replaced it meanwhile.
  struct stat now {};
  if (lstat(path_.c_str(), &now) != 0) ThrowErrno("remove input", errno);
  if (now.st_dev != st_.st_dev || now.st_ino != st_.st_ino) {
    throw Error(ErrorCode::kIo, "remove input",
                "File seems to have been moved, not removing");
  }
  if (unlink(path_.c_str()) != 0) ThrowErrno("remove input", errno);
}

// --------------------------------------------------------------- OutputFile

OutputFile OutputFile::Create(const std::string& path, bool force) {
  OutputFile out;
  out.path_ = path;
  out.force_ = force;
  struct stat st {};
  if (lstat(path.c_str(), &st) == 0) {
    if (!force) throw Error(ErrorCode::kIo, "create", "File exists");
    if (S_ISDIR(st.st_mode)) {
      throw Error(ErrorCode::kIo, "create", "Is a directory");
    }
  }
  std::string temp = DirName(path) + "/." + BaseName(path) + ".parxz-XXXXXX";
  if (temp.size() > PATH_MAX) ThrowErrno("create", ENAMETOOLONG);
  {
    SignalBlock block;  // the file never exists unregistered
    const int fd = mkostemp(temp.data(), O_CLOEXEC);
    if (fd < 0) ThrowErrno("create", errno);
    std::memcpy(g_temp_path, temp.c_str(), temp.size() + 1);
    g_has_temp = 1;
    out.fd_ = fd;
  }
  out.temp_path_ = std::move(temp);
  return out;
}

OutputFile OutputFile::Stdout() {
  OutputFile out;
  out.fd_ = STDOUT_FILENO;
  out.is_stdout_ = true;
  return out;
}

OutputFile::OutputFile(OutputFile&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)),
      is_stdout_(other.is_stdout_),
      force_(other.force_),
      committed_(other.committed_),
      path_(std::move(other.path_)),
      temp_path_(std::move(other.temp_path_)) {
  other.committed_ = true;  // the moved-from object owns nothing
}

OutputFile::~OutputFile() {
  if (is_stdout_ || committed_) return;
  if (fd_ >= 0) close(fd_);
  if (!temp_path_.empty()) {
    SignalBlock block;
    unlink(temp_path_.c_str());
    g_has_temp = 0;
  }
}

void OutputFile::Commit(const struct stat* source) {
  if (is_stdout_) {
    // A pipe or terminal needs no fsync; a redirected regular file does
    // not get one either (xz behaves the same).
    committed_ = true;
    return;
  }
  if (fsync(fd_) != 0) ThrowErrno("fsync", errno);
  if (source != nullptr) {
    mode_t mode = source->st_mode & 0777;
    // As xz: keep the owner if we may; if the group cannot be kept, do not
    // give its members (or others) access they did not have.
    if (fchown(fd_, source->st_uid, source->st_gid) != 0 &&
        fchown(fd_, static_cast<uid_t>(-1), source->st_gid) != 0) {
      const mode_t shared = ((mode & 0070) >> 3) & (mode & 0007);
      mode = (mode & 0700) | (shared << 3) | shared;
    }
    if (fchmod(fd_, mode) != 0) ThrowErrno("chmod", errno);
    const struct timespec times[2] = {source->st_atim, source->st_mtim};
    if (futimens(fd_, times) != 0) ThrowErrno("set timestamps", errno);
  }
  const int fd = std::exchange(fd_, -1);
  if (close(fd) != 0) ThrowErrno("close", errno);
  {
    SignalBlock block;
    int rc;
    if (force_) {
      rc = rename(temp_path_.c_str(), path_.c_str());
    } else {
      rc = renameat2(AT_FDCWD, temp_path_.c_str(), AT_FDCWD, path_.c_str(),
                     RENAME_NOREPLACE);
      if (rc != 0 && (errno == EINVAL || errno == ENOSYS)) {
        // A file system without RENAME_NOREPLACE: link() also never replaces.
        rc = link(temp_path_.c_str(), path_.c_str());
        if (rc == 0) unlink(temp_path_.c_str());
      }
    }
    if (rc != 0) ThrowErrno("rename", errno);
    g_has_temp = 0;
    committed_ = true;
  }
  // Make the rename itself durable before the caller deletes the input.
  const int dir =
      open(DirName(path_).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir >= 0) {
    fsync(dir);
    close(dir);
  }
}

}  // namespace parxz::cli
