// Where the Blocks of a collectively written .xz come from: the arithmetic
// of a decomposition, with no MPI in it (so that it is tested on its own).
//
//   BlockPlan plan({100, 0, 5000, 1}, /*block_size=*/1024);  // 4 ranks
//   plan.owned(2)      // Blocks rank 2 encodes: [1, 5) (their first byte)
//   plan.send(0)       // rank 0 holds the start of Block 0: sends nothing
//   plan.send(2)       // rank 2 sends bytes [100, 1024) to rank 0
//
// The file holds the concatenation of every rank's bytes in rank order, cut
// into Blocks at global multiples of block_size, exactly as single-node
// parxz cuts it. A Block is encoded by the rank that holds its first byte;
// the bytes of a Block that lie on later ranks (a Block that straddles
// ranks, or ranks smaller than a Block) are sent to that rank. Every rank
// sends at most one piece: its bytes before its first Block boundary.
#ifndef PARXZ_MPI_BLOCK_PLAN_H_
#define PARXZ_MPI_BLOCK_PLAN_H_

#include <cstdint>
#include <vector>

namespace parxz::mpi {

// A range of the concatenated input, and the rank on the other side.
struct Piece {
  int peer = -1;        // -1: no piece
  uint64_t offset = 0;  // global uncompressed offset
  uint64_t size = 0;
};

class BlockPlan {
 public:
  // `sizes`: every rank's byte count, in rank order; block_size > 0.
  BlockPlan(const std::vector<uint64_t>& sizes, uint64_t block_size);

  int ranks() const { return static_cast<int>(start_.size()) - 1; }
  uint64_t total() const { return start_.back(); }
  uint64_t block_size() const { return block_size_; }
  uint64_t blocks() const;
  // Global offset of rank r's first byte; its bytes are [start(r), end(r)).
  uint64_t start(int r) const { return start_[r]; }
  uint64_t end(int r) const { return start_[r + 1]; }
  // Uncompressed bytes of Block b.
  uint64_t block_bytes(uint64_t b) const;

  // The Blocks rank r encodes, [first, last): those starting in its range.
  struct Range {
    uint64_t first = 0, last = 0;
    uint64_t count() const { return last - first; }
  };
  Range owned(int r) const;
  // The rank holding global byte `pos` (< total()).
  int holder(uint64_t pos) const;

  // What rank r sends: its bytes before its first Block boundary, to the
  // rank encoding the Block they belong to (peer -1 when nothing).
  Piece send(int r) const;
  // What rank r receives, in order: the rest of its last Block from later
  // ranks (each piece is that rank's send()).
  std::vector<Piece> receive(int r) const;

 private:
  std::vector<uint64_t> start_;  // ranks + 1 prefix sums
  uint64_t block_size_;
};

// A plan for one file of `size` bytes read by `ranks` ranks: every rank gets
// a contiguous run of whole Blocks (as equal in number as possible), so that
// nothing needs to be exchanged. The sizes for BlockPlan.
std::vector<uint64_t> EvenBlockShares(uint64_t size, uint64_t block_size,
                                      int ranks);

}  // namespace parxz::mpi

#endif  // PARXZ_MPI_BLOCK_PLAN_H_
