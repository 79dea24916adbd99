// The parts of an .xz stream around its Blocks: Stream Header, Index and
// Stream Footer. The compressor records each Block here as it hands the
// Block out, in order, and asks for the trailer at the end; mpi/'s rank 0
// does the same with the Index records every rank gathered to it (a public
// seam of parallel/ for mpi/; BUILD makes it visible to //mpi). Not
// thread-safe: one owning thread.
#ifndef PARXZ_PARALLEL_COMPRESS_STREAM_ASSEMBLER_H_
#define PARXZ_PARALLEL_COMPRESS_STREAM_ASSEMBLER_H_

#include <lzma.h>

#include <cstdint>
#include <string>

#include "parallel/compress/block_encoder.h"

namespace parxz {

class StreamAssembler {
 public:
  explicit StreamAssembler(lzma_check check);
  ~StreamAssembler();
  StreamAssembler(const StreamAssembler&) = delete;
  StreamAssembler& operator=(const StreamAssembler&) = delete;

  // The 12-byte Stream Header.
  std::string Header() const;
  // Records a Block that has been written, in stream order.
  void AddBlock(const BlockRecord& record);
  // Index and Stream Footer for all Blocks added.
  std::string Trailer() const;
  uint64_t blocks() const;

 private:
  lzma_check check_;
  lzma_index* index_;
};

}  // namespace parxz

#endif  // PARXZ_PARALLEL_COMPRESS_STREAM_ASSEMBLER_H_
