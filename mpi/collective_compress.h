// Many MPI ranks write one standard .xz file together.
//
//   // Every rank of `comm` calls it with its part of the data; the file
//   // holds their concatenation in rank order.
//   parxz::ParallelOptions o{.preset = 6, .threads = 4};  // threads per rank
//   parxz::mpi::CompressCollective(MPI_COMM_WORLD, my_slab, "ckpt.xz", o);
//
// The bytes equal what single-node parxz (and `xz -T2 --block-size=B`)
// writes for the concatenation with the same options, for any decomposition:
// Blocks start at global multiples of block_size, the rank holding a Block's
// first byte encodes it (bytes of a Block that straddles ranks are sent to it
// by the later ranks), MPI_Exscan of the compressed sizes gives each rank its
// file offset, every rank writes its Blocks with one MPI_File_write_at_all,
// and rank 0, which gathers the Index records (16 bytes per Block), writes
// the Stream Header, the Index and the Footer. The file is synced and one
// MPI_Allreduce of every rank's status ends the call.
//
// All calls are collective over `comm` and take the same options on every
// rank (a different block_size is kBadOptions on all ranks). On any rank's
// failure every rank throws the same parxz::Error (that of the lowest failing
// rank, naming it), and rank 0 deletes `path`; an existing `path` is
// replaced. MPI must be initialised; only the calling thread uses MPI.
// Memory per rank: threads × encoder (~95 MiB at -6) + max_blocks_in_flight
// (2 × threads + 1) × bound(block_size) output buffers, resident only as far
// as compressed bytes go + its compressed Blocks (kept until the collective
// write) + for a rank whose last Block straddles ranks, one Block.
#ifndef PARXZ_MPI_COLLECTIVE_COMPRESS_H_
#define PARXZ_MPI_COLLECTIVE_COMPRESS_H_

#include <mpi.h>

#include <cstdint>
#include <span>
#include <string>

#include "mpi/share_encoder.h"
#include "parallel/compress/parallel_compressor.h"

namespace parxz::mpi {

struct CollectiveStats {
  uint64_t in_bytes = 0;   // uncompressed, all ranks
  uint64_t out_bytes = 0;  // the file's size
  uint64_t blocks = 0;
};

// `local`: this rank's bytes (may be empty). `hook`: see BlockHook.
CollectiveStats CompressCollective(MPI_Comm comm,
                                   std::span<const uint8_t> local,
                                   const std::string& path,
                                   const ParallelOptions& options,
                                   const BlockHook& hook = nullptr);

// The same with each rank's bytes taken from its own file `local_path` (read
// whole with MPI-IO on MPI_COMM_SELF): one .xz of many per-rank files. A
// rank that cannot read its file makes every rank fail.
CollectiveStats CompressLocalFilesCollective(MPI_Comm comm,
                                             const std::string& local_path,
                                             const std::string& path,
                                             const ParallelOptions& options);

// One shared input file compressed by all ranks: each reads a contiguous
// run of whole Blocks (MPI_File_read_at_all, in rounds of at most
// max(2 × threads Blocks, 256 MiB)) and encodes it; nothing is exchanged.
CollectiveStats CompressFileCollective(MPI_Comm comm, const std::string& input,
                                       const std::string& path,
                                       const ParallelOptions& options);

}  // namespace parxz::mpi

#endif  // PARXZ_MPI_COLLECTIVE_COMPRESS_H_
