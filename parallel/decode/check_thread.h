// A thread that computes Block checks (block_check.h) over memory the caller
// decoded into, while the caller decodes the next piece: the threaded
// incremental decoder's Blocks that it decodes itself (one-Block streams,
// Blocks without sizes) take their CRC32/CRC64 off the decoding thread
// when a call asks for a large output.
//
//   CheckThread t;
//   BlockCheck check(LZMA_CHECK_CRC64);
//   for (each piece decoded into out) t.Add(&check, piece, n);
//   t.Wait();                         // before `out` or `check` is touched
//   if (!check.Matches(raw)) ...
//
// The pieces are checked in the order added. The caller must keep every
// piece's bytes and the BlockCheck unchanged, and not read the BlockCheck,
// until Wait() returned.
//
// Why a std::thread and not a oneTBB task: the decoder that uses it has no
// arena for a one-Block stream (it asks the system for none), and a thread
// asleep on a condition variable costs nothing between calls. One per
// decoder object, started by the first Add(); the destructor joins it.
// Internal to parallel/decode.
#ifndef PARXZ_PARALLEL_DECODE_CHECK_THREAD_H_
#define PARXZ_PARALLEL_DECODE_CHECK_THREAD_H_

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>
#include <thread>

#include "parallel/decode/block_check.h"

namespace parxz {

class CheckThread {
 public:
  CheckThread() = default;
  ~CheckThread();
  CheckThread(const CheckThread&) = delete;
  CheckThread& operator=(const CheckThread&) = delete;

  // Queues data[0, size) for `check`.
  void Add(BlockCheck* check, const uint8_t* data, size_t size);
  // Returns once every queued piece is checked.
  void Wait();

 private:
  struct Piece {
    BlockCheck* check;
    const uint8_t* data;
    size_t size;
  };
  void Run();

  std::mutex mu_;
  std::condition_variable cv_;  // pieces_ or busy_ changed, or stop_
  std::deque<Piece> pieces_;    // under mu_
  bool busy_ = false;           // under mu_: the thread checks a piece
  bool stop_ = false;           // under mu_
  std::thread thread_;          // started by the first Add()
};

}  // namespace parxz

#endif  // PARXZ_PARALLEL_DECODE_CHECK_THREAD_H_
