// Random access to the uncompressed bytes of a seekable .xz file, and what
// its Index says about Streams and Blocks (XzFileInfo, parallel/access/
// xz_info.h, included here).
//
//   parxz::XzRandomAccess xz = parxz::XzRandomAccess::open_file("big.tar.xz");
//   std::string part = xz.read(40 << 20, 1 << 20);   // bytes [40 MiB, 41 MiB)
//   for (const parxz::XzBlockInfo& b : xz.info().blocks) ...
//
// Opening reads only the Stream Footers and Indexes at the end of each
// Stream (liblzma's lzma_file_info_decoder). read() then decodes only the
// Blocks that hold the requested bytes (found with lzma_index_iter_locate),
// several at once on worker threads when a range spans Blocks. Every Block
// Header is checked against the Index. A Block needed in full is decoded
// straight into the caller's buffer and verified (sizes and Check); a Block
// needed only in part is decoded from its start up to the end of the range,
// and its decoder is kept (RandomAccessOptions::cache_blocks of them, most
// recently used) so that a later read further on in that Block continues
// where this one stopped, and a read that reaches the Block's end verifies
// its Check. Reading a file front to back in small pieces thus decodes every
// Block once.
// Files need not be made by parxz: any .xz whose Blocks are in the Index
// works (one Block, Blocks without sizes in their headers, several Streams,
// Stream Padding), but the file must be seekable: a path, a regular file's
// descriptor (both read with pread(), never mapped: a file truncated
// meanwhile gives an error, not SIGBUS), a buffer in memory, or a caller's
// positioned read (PositionedRead, parallel/decode/decode_input.h).
//
// Reading beyond the end returns the bytes that exist: read(offset, length)
// gives min(length, size() - offset) bytes, and nothing when offset >= size().
//
// Errors are parxz::Error: opening a file that is not a complete .xz file
// (kCorruptData, kTruncated, kIo ...); a Block that fails to decode
// (kCorruptData with its Block number and compressed offset; kMemLimit when
// its filters need more than `memlimit`).
//
// Thread safety: read() and read_into() may be called from any number of
// threads at once on one object (an OpenMP loop over slabs); the other
// calls are const. With threads = 1 a read runs wholly on its caller's
// thread (the callers are the parallelism); otherwise a read spanning
// several Blocks decodes them on the object's ThreadArena of
// PlanThreads(threads) slots (parallel/common/threads.h), which concurrent
// callers share, so the object never runs more than that many decodes on
// TBB workers at once. Two reads that need the same partly read Block do
// not both decode it: the second waits for the first and copies its bytes.
// Distinct objects are independent.
//
// Memory: the cache holds at most `cache_blocks` partly read Blocks (a bound
// in Blocks, not bytes); each costs at most its uncompressed size, its
// decoder (until the Block ended) and, for file and callback sources, its
// compressed size. A read in progress may hold up to two more (its first
// and last Block, also when evicted meanwhile) and, per Block it decodes
// whole, that Block's compressed bytes (file/callback sources) and one
// decoder; idle decoders are kept for reuse. So with C concurrent callers,
// Blocks of at most U uncompressed and K compressed bytes and decoders of D
// bytes, the peak is about
//   (cache_blocks + 2 C) x (U + K + D) + W x (K + D)
// where W is the number of whole-Block decodes running at once (at most C
// with threads = 1, at most C + threads - 1 otherwise), plus the Index.
#ifndef PARXZ_PARALLEL_ACCESS_RANDOM_ACCESS_H_
#define PARXZ_PARALLEL_ACCESS_RANDOM_ACCESS_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "core/options.h"
#include "parallel/access/xz_info.h"
#include "parallel/decode/decode_input.h"

namespace parxz {

struct RandomAccessOptions {
  // Threads for reads spanning several Blocks; 0 = all hardware threads,
  // more are clamped to that (parallel/common/threads.h).
  unsigned threads = 0;
  // Blocks whose filters need more memory than this fail with kMemLimit; the
  // Index must fit in it too. nullopt = no limit (the Index is still never
  // allowed more than a file of its size can need).
  std::optional<uint64_t> memlimit;
  // Partly read Blocks kept with their decoder and what they decoded so far
  // (a bound in Blocks; each costs up to its uncompressed size plus its
  // decoder's memory, see Memory above). 0 keeps none.
  size_t cache_blocks = 2;
};

class XzRandomAccess {
 public:
  // `xz` must stay alive and unchanged while the object exists.
  static XzRandomAccess open_buffer(std::string_view xz,
                                    const RandomAccessOptions& options = {});
  static XzRandomAccess open_file(const std::string& path,
                                  const RandomAccessOptions& options = {});
  // A regular file's descriptor; not owned (it may be closed after this: the
  // object reads through a duplicate of it, with pread()). The file must not
  // change while the object exists; if it shrinks, reads fail with an
  // error instead of crashing.
  static XzRandomAccess open_fd(int fd,
                                const RandomAccessOptions& options = {});
  // `size` bytes of .xz read through the caller's positioned read (an HPC
  // code's own I/O, a Python file object, a remote object store). `read` is
  // kept for the object's life and may be called from several of its
  // threads at once; it reports failure by throwing.
  static XzRandomAccess open_reader(PositionedRead read, uint64_t size,
                                    const RandomAccessOptions& options = {});

  ~XzRandomAccess();
  XzRandomAccess(XzRandomAccess&&) noexcept;
  XzRandomAccess& operator=(XzRandomAccess&&) noexcept;

  // Total uncompressed size.
  uint64_t size() const;
  const XzFileInfo& info() const;

  // Bytes [offset, offset + length) of the uncompressed data, fewer at the
  // end (see above). Throws Error. Safe from several threads at once.
  std::string read(uint64_t offset, uint64_t length);
  // The same into `out` (up to out.size() bytes); returns the count.
  size_t read_into(uint64_t offset, std::span<uint8_t> out);

 private:
  class Impl;
  explicit XzRandomAccess(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace parxz

#endif  // PARXZ_PARALLEL_ACCESS_RANDOM_ACCESS_H_
