// The Index of a whole .xz file, read from its end: what random access and
// `parxz -l` list, and what lets the parallel decoder decode Blocks whose
// headers record no sizes.
//
//   LzmaIndexPtr index = DecodeFileIndex(source, 0, memlimit);
//   lzma_index_iter_locate(...);
//
// A public seam of parallel/ for mpi/, whose rank 0 reads the Index through
// MPI-IO with the second DecodeFileIndex() (BUILD makes it visible to //mpi);
// otherwise internal to parallel/.
#ifndef PARXZ_PARALLEL_ACCESS_FILE_INDEX_H_
#define PARXZ_PARALLEL_ACCESS_FILE_INDEX_H_

#include <lzma.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <vector>

#include "parallel/decode/decode_input.h"

namespace parxz {

struct LzmaIndexDeleter {
  void operator()(lzma_index* i) const { lzma_index_end(i, nullptr); }
};
using LzmaIndexPtr = std::unique_ptr<lzma_index, LzmaIndexDeleter>;

// The combined Index of every Stream of a complete .xz file (Stream Padding
// allowed) that starts at byte `start` of `file` and runs to its end, read
// from the end with lzma_file_info_decoder. Offsets in it count from `start`.
// Never allows the Index more memory than a file of this size can need, nor
// more than `memlimit`. Throws Error (operation "read index", with the
// offset where liblzma stopped).
LzmaIndexPtr DecodeFileIndex(const ByteSource& file, uint64_t start,
                             uint64_t memlimit);

// The same over any storage (mpi/ reads through MPI-IO): a file of `size`
// bytes whose `n` bytes at `offset` `read` returns (fewer only where the file
// ends; it may use `buf`).
using IndexReadFn = std::function<std::span<const uint8_t>(
    uint64_t offset, size_t n, std::vector<uint8_t>& buf)>;
LzmaIndexPtr DecodeFileIndex(uint64_t size, const IndexReadFn& read,
                             uint64_t memlimit);

// Where the Index puts a Block.
struct IndexedBlock {
  uint64_t offset;      // of the Block Header, counted as `start` says
  uint64_t total_size;  // header .. end of the Check
  uint64_t uncompressed_size;
};

// Every Block of `index` in file order, offsets plus `start`.
std::vector<IndexedBlock> IndexedBlocks(const lzma_index* index,
                                        uint64_t start);

// The Block whose header is at `offset` in `blocks` (sorted), or null.
const IndexedBlock* FindIndexedBlock(const std::vector<IndexedBlock>& blocks,
                                     uint64_t offset);

}  // namespace parxz

#endif  // PARXZ_PARALLEL_ACCESS_FILE_INDEX_H_
