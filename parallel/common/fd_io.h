// Whole reads and writes on file descriptors: the one EINTR-safe I/O loop of
// parxz, used by the compressor, the decoder, random access and the command
// line. EINTR and short transfers are retried; failures are Error(kIo) with
// the errno text and the byte offset ("read failed: Input/output error (at
// input byte 4096)").
#ifndef PARXZ_PARALLEL_COMMON_FD_IO_H_
#define PARXZ_PARALLEL_COMMON_FD_IO_H_

#include <cstddef>
#include <cstdint>

namespace parxz {

// One read() of up to `n` bytes (retrying EINTR); 0 only at EOF. `offset`
// is where the bytes sit in the input, for the error message.
size_t ReadSome(int fd, uint8_t* dst, size_t n, uint64_t offset);
// read() until `n` bytes or EOF; returns the count.
size_t ReadFully(int fd, uint8_t* dst, size_t n, uint64_t offset);
// pread() at `offset` until `n` bytes or EOF; returns the count (short only
// when the file ends first).
size_t PreadFully(int fd, uint8_t* dst, size_t n, uint64_t offset);
// write() all of it; retries EINTR and short writes. `offset`: the output
// offset of src[0], for the error message.
void WriteFully(int fd, const uint8_t* src, size_t n, uint64_t offset);

}  // namespace parxz

#endif  // PARXZ_PARALLEL_COMMON_FD_IO_H_
