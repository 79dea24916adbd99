// Random access to the uncompressed bytes of a seekable .xz file, and what
// its Index says about Streams and Blocks (for `parxz -l`).
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
// Thread safety: one thread at a time per object (read() updates the cache);
// distinct objects are independent. Each object owns a ThreadArena of
// PlanThreads(threads) slots (parallel/common/threads.h) for its parallel
// reads.
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
#include "parallel/decode/decode_input.h"

namespace parxz {

// One Block as the Index records it. Offsets are from the start of the file.
struct XzBlockInfo {
  uint32_t stream = 0;             // 1-based Stream number
  uint64_t number_in_stream = 0;   // 1-based, as `xz -lv` prints it
  uint64_t number = 0;             // 1-based over the whole file
  uint64_t compressed_offset = 0;  // of its Block Header
  uint64_t uncompressed_offset = 0;
  uint64_t total_size = 0;  // header + data + padding + check
  uint64_t unpadded_size = 0;
  uint64_t uncompressed_size = 0;
  Check check = Check::kUnknown;  // of its Stream (may be an unnamed ID)
  int check_id = 0;

  // Filled only by ReadXzFileInfo(..., with_headers = true), as `xz -lvv`:
  uint32_t header_size = 0;
  bool header_has_compressed_size = false;
  bool header_has_uncompressed_size = false;
  uint64_t memusage = 0;  // decoder memory of its filter chain
  std::string filters;    // e.g. "--lzma2=dict=8MiB"
};

struct XzStreamInfo {
  uint32_t number = 0;  // 1-based
  uint64_t block_count = 0;
  uint64_t compressed_offset = 0;  // of its Stream Header
  uint64_t uncompressed_offset = 0;
  uint64_t compressed_size = 0;  // header to footer, without padding
  uint64_t uncompressed_size = 0;
  uint64_t padding = 0;  // Stream Padding after it
  Check check = Check::kUnknown;
  int check_id = 0;
};

struct XzFileInfo {
  uint64_t file_size = 0;  // compressed, all of it
  uint64_t uncompressed_size = 0;
  uint32_t checks = 0;          // bit i set: check ID i is used
  uint64_t index_memusage = 0;  // memory the Index needed (lzma_index_memused)
  std::vector<XzStreamInfo> streams;
  std::vector<XzBlockInfo> blocks;
  // With with_headers: the largest decoder memory of any Block, whether
  // every Block Header records both sizes, and the oldest XZ Utils version
  // that decodes the file (50000002 = 5.0.0, as liblzma's LZMA_VERSION).
  uint64_t memusage_max = 0;
  bool all_sizes_in_headers = false;
  uint32_t min_xz_version = 0;
};

// What the Index of a complete .xz file in memory says. `with_headers`
// also reads every Block Header (for `xz -lvv`). `memlimit`: as
// RandomAccessOptions::memlimit. Throws Error.
XzFileInfo ReadXzFileInfo(std::string_view xz, bool with_headers = false,
                          std::optional<uint64_t> memlimit = std::nullopt);
// The same for a seekable descriptor (read with pread(); not owned).
XzFileInfo ReadXzFileInfo(int fd, bool with_headers = false,
                          std::optional<uint64_t> memlimit = std::nullopt);

struct RandomAccessOptions {
  // Threads for reads spanning several Blocks; 0 = all hardware threads,
  // more are clamped to that (parallel/common/threads.h).
  unsigned threads = 0;
  // Blocks whose filters need more memory than this fail with kMemLimit; the
  // Index must fit in it too. nullopt = no limit (the Index is still never
  // allowed more than a file of its size can need).
  std::optional<uint64_t> memlimit;
  // Partly read Blocks kept with their decoder and what they decoded so far
  // (each costs up to its uncompressed size plus its decoder's memory).
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
  // end (see above). Throws Error.
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
