// The output half of streamed decoding on a thread of its own: the file
// decoder's Blocks that are decoded one at a time (a one-Block Stream, a
// run that would hold one Block, a Block too big for the memory plan, Blocks
// without sizes) and its .lzma/.lz streams hand their output here in bounded,
// reused pieces; this thread verifies the Blocks' CRC32/CRC64
// (block_check.h) and writes the pieces to the Sink in order,
// while the calling thread goes on decoding (with lzma_block.ignore_check).
//
//   StreamWriter w(sink);
//   w.BeginCheck(LZMA_CHECK_CRC64);          // for the pieces that follow
//   for (...) {
//     std::span<uint8_t> piece = w.Piece();  // waits while all are in use
//     w.Commit(decode_into(piece));
//   }
//   w.EndCheck(head.block.raw_check, BlockError(LZMA_DATA_ERROR, head, end));
//   w.Drain();                               // all written and verified
//
// Memory: kPieces × kPieceSize bytes (2 MiB), whatever the size of the data.
//
// Why a std::thread and not a oneTBB task: a write to a pipe blocks until the
// reader takes the bytes, and a TBB worker asleep in write(2) is lost to its
// arena (TBB neither knows nor replaces it), while the decoding thread is the
// caller's own, outside any arena. A dedicated thread that sleeps in write()
// costs nothing while it sleeps; one is started per StreamWriter (the file
// decoder keeps one per call, across Blocks and Streams).
//
// Errors: the first failure on the writer thread (the Sink's, or a Check
// that does not match, as the Error given to EndCheck) sticks. Later pieces
// are dropped unwritten, so the output stops exactly where a sequential
// decoder's would; Piece() and Drain() rethrow it on the producer's thread.
// Nothing counts as written and verified before Drain() returned.
//
// Thread safety: one producer thread calls everything but the constructor
// and destructor's work is its own; the Sink is written only by the writer
// thread between the first Commit and the next Drain (the producer must not
// touch it then). The destructor drops what is pending and joins the thread
// (after a blocked write returns). Internal to parallel/decode.
#ifndef PARXZ_PARALLEL_DECODE_STREAM_WRITER_H_
#define PARXZ_PARALLEL_DECODE_STREAM_WRITER_H_

#include <lzma.h>

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <thread>
#include <vector>

#include "core/error.h"
#include "core/sink.h"
#include "parallel/decode/block_check.h"

namespace parxz {

class StreamWriter {
 public:
  // 256 KiB pieces stay in the L2 cache between the decoder's copy out of
  // its dictionary and the writer's CRC and write; 8 of them let the
  // decoder run ~2 MiB ahead of a slow pipe reader.
  static constexpr size_t kPieceSize = size_t{256} << 10;
  static constexpr size_t kPieces = 8;

  // `sink` is not owned and must outlive the writer.
  explicit StreamWriter(Sink& sink, size_t piece_size = kPieceSize,
                        size_t pieces = kPieces);
  ~StreamWriter();
  StreamWriter(const StreamWriter&) = delete;
  StreamWriter& operator=(const StreamWriter&) = delete;

  // The next free piece to decode into (the same one until Commit). Waits
  // while every piece is queued; throws the writer's first error.
  std::span<uint8_t> Piece();
  // Queues the first `n` bytes of Piece() for the check and the Sink.
  void Commit(size_t n);

  // The pieces committed from now on are one Block's data, checked with
  // `check`: LZMA_CHECK_CRC32 and LZMA_CHECK_CRC64 are computed here, any
  // other value verifies nothing.
  void BeginCheck(lzma_check check);
  // The Block's data ended; `raw` is its Check field (lzma_block.raw_check,
  // lzma_check_size() bytes). If the computed value differs, `mismatch`
  // becomes the writer's error, after all of the Block's data was written.
  void EndCheck(const uint8_t* raw, Error mismatch);

  // Waits until everything committed is written and verified; throws the
  // writer's first error (again on every later call).
  void Drain();
  // Bytes committed since construction (the producer's count).
  uint64_t committed() const { return committed_; }

 private:
  struct Slot {
    std::unique_ptr<uint8_t[]> data;
    size_t size = 0;
    std::optional<lzma_check> begin;  // start a Block's check first
    bool end = false;                 // then end it (after the data)
    uint8_t raw[LZMA_CHECK_SIZE_MAX] = {};
    std::optional<Error> mismatch;
  };
  // Queues the slot at head_ (its fields set by the producer).
  void Push();
  void Run();  // the writer thread
  void Process(Slot& s);

  Sink& sink_;
  const size_t piece_size_;
  // Slots [tail_, tail_ + count_) (mod size) are queued; the producer owns
  // the others. Under mu_: tail_, count_, error_, stop_.
  std::vector<Slot> slots_;
  size_t head_ = 0;                          // producer only
  uint64_t committed_ = 0;                   // producer only
  std::optional<lzma_check> pending_begin_;  // producer only
  std::mutex mu_;
  std::condition_variable cv_;  // count_ or error_ changed, or stop_
  size_t tail_ = 0;
  size_t count_ = 0;
  std::exception_ptr error_;
  bool stop_ = false;
  BlockCheck check_;    // writer thread only: the Block being checked
  std::thread thread_;  // last: started once the fields above exist
};

}  // namespace parxz

#endif  // PARXZ_PARALLEL_DECODE_STREAM_WRITER_H_
