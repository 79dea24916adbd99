#include "parallel/fd_io.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "core/error.h"

namespace parxz {

size_t ReadFully(int fd, uint8_t* dst, size_t n, uint64_t offset) {
  size_t got = 0;
  while (got < n) {
    const ssize_t r = ::read(fd, dst + got, n - got);
    if (r < 0) {
      if (errno == EINTR) continue;
      throw Error(ErrorCode::kIo, "read",
                  std::strerror(errno) + std::string(" (at input byte ") +
                      std::to_string(offset + got) + ")");
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
      throw Error(ErrorCode::kIo, "write",
                  std::strerror(errno) + std::string(" (at output byte ") +
                      std::to_string(offset) + ")");
    }
    src += w;
    n -= static_cast<size_t>(w);
    offset += static_cast<uint64_t>(w);
  }
}

}  // namespace parxz
