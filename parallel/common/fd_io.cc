#include "parallel/common/fd_io.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "core/error.h"

namespace parxz {

namespace {

[[noreturn]] void ThrowIo(const char* op, const char* side, uint64_t offset) {
  throw Error(ErrorCode::kIo, op,
              std::strerror(errno) + std::string(" (at ") + side + " byte " +
                  std::to_string(offset) + ")");
}

}  // namespace

size_t ReadSome(int fd, uint8_t* dst, size_t n, uint64_t offset) {
  for (;;) {
    const ssize_t r = ::read(fd, dst, n);
    if (r >= 0) return static_cast<size_t>(r);
    if (errno != EINTR) ThrowIo("read", "input", offset);
  }
}

size_t ReadFully(int fd, uint8_t* dst, size_t n, uint64_t offset) {
  size_t got = 0;
  while (got < n) {
    const size_t r = ReadSome(fd, dst + got, n - got, offset + got);
    if (r == 0) break;
    got += r;
  }
  return got;
}

size_t PreadFully(int fd, uint8_t* dst, size_t n, uint64_t offset) {
  size_t got = 0;
  while (got < n) {
    const ssize_t r =
        ::pread(fd, dst + got, n - got, static_cast<off_t>(offset + got));
    if (r < 0) {
      if (errno == EINTR) continue;
      ThrowIo("read", "input", offset + got);
    }
    if (r == 0) break;
    got += static_cast<size_t>(r);
  }
  return got;
}

void WriteFully(int fd, const uint8_t* src, size_t n, uint64_t offset) {
  while (n > 0) {
    const ssize_t w = ::write(fd, src, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      ThrowIo("write", "output", offset);
    }
    src += w;
    n -= static_cast<size_t>(w);
    offset += static_cast<uint64_t>(w);
  }
}

}  // namespace parxz
