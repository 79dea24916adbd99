// Whole reads and writes on file descriptors, for the compressor's and the
// decoder's descriptor APIs: EINTR and short transfers are retried, failures
// are Error(kIo) with the errno text and the byte offset.
#ifndef PARXZ_PARALLEL_FD_IO_H_
#define PARXZ_PARALLEL_FD_IO_H_

#include <cstddef>
#include <cstdint>

namespace parxz {

// read() until `n` bytes or EOF; returns the count. Retries EINTR; throws
// Error(kIo) naming the input offset.
size_t ReadFully(int fd, uint8_t* dst, size_t n, uint64_t offset);
// write() all of it; retries EINTR and short writes; throws Error(kIo).
void WriteFully(int fd, const uint8_t* src, size_t n, uint64_t offset);

}  // namespace parxz

#endif  // PARXZ_PARALLEL_FD_IO_H_
