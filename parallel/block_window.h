// The worker side of ThreadedDecompressor: complete .xz Blocks handed to a
// task_arena, decoded into memory, and waited for in order by the caller.
//
//   BlockWindow window(threads);
//   window.Submit(job);              // job->in holds the whole Block
//   ...
//   if (!window.Done(job)) window.Wait(job);   // helps while it waits
//   ... use job->out, job->ret ...
//
// Workers take the oldest pending Block, so Blocks finish roughly in order.
// Wait() runs pending Blocks on the calling thread while the one it waits
// for is decoding elsewhere: the arena has `threads` slots with one kept for
// the caller (task_arena's default), so `threads` Blocks decode at once when
// the caller waits, `threads - 1` while it is away feeding input.
//
// The caller waits for one particular Block while helping, which TBB's
// primitives do not offer (task_group::wait waits for all of them): a mutex
// and a condition variable guard the pending queue and the done signals.
//
// Internal to parallel/. Submit, Wait and Cancel are called by one thread
// (the ThreadedDecompressor's caller); jobs must outlive Cancel() or their
// Done().
#ifndef PARXZ_PARALLEL_BLOCK_WINDOW_H_
#define PARXZ_PARALLEL_BLOCK_WINDOW_H_

#include <lzma.h>
#include <oneapi/tbb/task_arena.h>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <cstring>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "parallel/block_decoder.h"
#include "parallel/xz_parser.h"

namespace parxz {

// A Block's decoded bytes. Unlike std::string, growing it does not zero the
// new bytes first (the decoder overwrites them), and BlockWindow recycles
// the buffers of returned Blocks: fresh pages for every 4 MiB Block cost
// about a seventh of the decoding time in page faults and zeroing.
class OutBuffer {
 public:
  const char* data() const { return data_.get(); }
  char* data() { return data_.get(); }
  size_t size() const { return size_; }
  size_t capacity() const { return capacity_; }
  // Keeps the first min(n, size()) bytes; the rest is unspecified.
  void resize(size_t n) {
    if (n > capacity_) {
      auto bigger = std::make_unique_for_overwrite<char[]>(n);
      if (size_ > 0) std::memcpy(bigger.get(), data_.get(), size_);
      data_ = std::move(bigger);
      capacity_ = n;
    }
    size_ = n;
  }
  void release() {
    data_.reset();
    size_ = capacity_ = 0;
  }

 private:
  std::unique_ptr<char[]> data_;
  size_t size_ = 0;
  size_t capacity_ = 0;
};

// One Block in the window. The caller fills the inputs before Submit(); the
// thread that decodes it sets ret and out; the caller reads them once
// Done().
struct WindowJob {
  BlockHead head;           // parsed, sizes recorded, ignore_check set
  std::string in;           // after the header, to the end of the Check
  uint64_t out_size = 0;    // Uncompressed Size from the header
  uint64_t memory = 0;      // planned bytes (threaded_decompressor.h)
  uint64_t end_offset = 0;  // input offset after the Block
  // Results: LZMA_STREAM_END with out.size() == out_size, or the error.
  lzma_ret ret = LZMA_OK;
  OutBuffer out;
  size_t returned = 0;  // bytes of out the caller has handed on
  std::atomic<bool> done{false};
};

class BlockWindow {
 public:
  explicit BlockWindow(unsigned threads, size_t max_spares = 0);
  ~BlockWindow();  // Cancel()
  BlockWindow(const BlockWindow&) = delete;
  BlockWindow& operator=(const BlockWindow&) = delete;

  void Submit(WindowJob* job);
  static bool Done(const WindowJob& job) {
    return job.done.load(std::memory_order_acquire);
  }
  // Returns when `job` is done; decodes pending jobs on this thread
  // meanwhile.
  void Wait(WindowJob* job);
  // Drops the pending jobs (never done) and waits for the running ones.
  void Cancel();
  // Takes back the output buffer of a Block the caller has returned, for a
  // later Block. At most `max_spares` (given at construction: the Blocks in
  // flight) are kept, so the memory they hold stays within what the window
  // planned for the Blocks in flight.
  void Recycle(OutBuffer&& buffer);

  uint64_t on_workers() const { return on_workers_.load(); }
  uint64_t on_caller() const { return on_caller_.load(); }

 private:
  void Decode(WindowJob* job);
  WindowJob* TakePending();  // under mu_
  void Finish(WindowJob* job);

  BlockDecoderPool decoders_;
  std::atomic<bool> cancel_{false};
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<WindowJob*> pending_;  // guarded by mu_
  std::vector<OutBuffer> spares_;   // guarded by mu_
  size_t max_spares_ = 0;
  size_t tasks_ = 0;                // enqueued tasks not finished; by mu_
  std::atomic<uint64_t> on_workers_{0};
  std::atomic<uint64_t> on_caller_{0};
  tbb::task_arena arena_;  // last: its tasks touch the members above
};

}  // namespace parxz

#endif  // PARXZ_PARALLEL_BLOCK_WINDOW_H_
