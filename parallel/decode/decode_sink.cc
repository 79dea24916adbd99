#include "parallel/decode/decode_sink.h"

#include "parallel/common/fd_io.h"

namespace parxz {

void FdSink::Put(const uint8_t* p, size_t n) {
  WriteFully(fd_, p, n, written());
}

}  // namespace parxz
