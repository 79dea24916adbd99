// Many MPI ranks read one .xz file together, through its Index.
//
//   // Every rank of `comm` asks for its own range of the uncompressed data
//   // (a restart reading back its slab):
//   uint64_t got = parxz::mpi::ReadRangeCollective(MPI_COMM_WORLD, "ckpt.xz",
//                                                  my_offset, my_buffer, 4);
//
// Rank 0 reads the Index once (Stream Footers and Indexes at the end of the
// file, liblzma's lzma_file_info_decoder over MPI_File_read_at) and
// broadcasts the Block table (16 bytes per Block); each rank then reads the
// compressed bytes of only the Blocks its range touches with one
// MPI_File_read_at_all and decodes them on `threads` threads, verifying
// every Block's sizes and Check. Any .xz with an Index works (several
// Streams, Stream Padding, Blocks without sizes in their headers).
//
// Collective over `comm`. Errors as in collective_compress.h: every rank
// throws the lowest failing rank's parxz::Error.
#ifndef PARXZ_MPI_COLLECTIVE_READ_H_
#define PARXZ_MPI_COLLECTIVE_READ_H_

#include <mpi.h>

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "mpi/collective_compress.h"

namespace parxz::mpi {

// One Block as the Index records it (offsets from the start of the file).
struct IndexedBlockInfo {
  uint64_t offset = 0;  // of the Block Header
  uint64_t total_size = 0;
  uint64_t unpadded_size = 0;
  uint64_t uncompressed_offset = 0;
  uint64_t uncompressed_size = 0;
  uint64_t check = 0;   // lzma_check of its Stream
  uint64_t stream = 0;  // numbers from 1, for errors (DescribeBlock)
  uint64_t number = 0;  // in its Stream
};

// Collective: rank 0 reads the Index of `file`, every rank gets the table.
std::vector<IndexedBlockInfo> ReadIndexCollective(MPI_Comm comm, MPI_File file);

// Collective: the uncompressed size of the .xz file at `path`.
uint64_t UncompressedSizeCollective(MPI_Comm comm, const std::string& path);

// Collective: this rank's bytes [offset, offset + out.size()) of the
// uncompressed data into `out`; returns how many exist (fewer past the end,
// 0 from the end on). `threads`: decoding threads per rank (0 = all cores).
uint64_t ReadRangeCollective(MPI_Comm comm, const std::string& path,
                             uint64_t offset, std::span<uint8_t> out,
                             unsigned threads);

// Collective: decodes the whole file, each rank a contiguous run of Blocks,
// in rounds of at most max(2 × threads Blocks, 256 MiB), and writes every
// run at its uncompressed offset in `output` (MPI_File_write_at_all),
// synced; `output` empty: only verifies (xz -t). On failure rank 0 deletes
// `output`.
CollectiveStats DecompressFileCollective(MPI_Comm comm,
                                         const std::string& input,
                                         const std::string& output,
                                         unsigned threads);

}  // namespace parxz::mpi

#endif  // PARXZ_MPI_COLLECTIVE_READ_H_
