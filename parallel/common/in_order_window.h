// The one in-order job window: jobs submitted in stream order run on a
// oneTBB task_arena (a ThreadArena of `threads`, parallel/common/threads.h),
// oldest first, and the owner takes their results back in the same order,
// helping while it waits. The push compressor (Blocks to encode) and the
// threaded incremental decoder (Blocks to decode) are both drivers on it.
//
//   InOrderWindow<BlockJob> window(threads, /*max_in_flight=*/2 * threads,
//                                  [&](BlockJob& job) { Encode(job); });
//   if (auto* slot = window.TryAcquire()) {  // null: the window is full
//     Fill(slot->job);
//     window.Submit(slot);
//   }
//   auto* front = window.front();            // the oldest submitted
//   if (!window.Done(*front)) window.WaitFront();
//   Use(front->job);                         // front->error: what run threw
//   window.PopFront();                       // its slot is reused later
//
// Scheduling: each Submit() enqueues one task; a task, when a worker starts
// it, runs the oldest job nobody has started (each is popped once, by a
// worker or by the owner), so jobs finish roughly in order. WaitFront() runs
// unclaimed jobs on the calling thread, oldest first, until the front one is
// done: the arena has `threads` slots with one kept for the owner
// (task_arena's default), so `threads` jobs run at once while the owner
// waits and `threads - 1` while it is away. Helping oldest-first matters:
// waiting on a task_group makes oneTBB run its newest task first, leaving
// the oldest job, which everything waits for, to the end (6% slower at -6
// with four 24 MiB Blocks). The owner waits for one particular job, which
// TBB's primitives do not offer (task_group::wait waits for all), hence the
// mutex and condition variable for the "done" signal.
//
// Slots (the Job objects with their buffers) are made on demand up to
// max_in_flight and reused, the one released last first (its pages are
// resident). Cancel() (and the destructor) drops the jobs not started and
// waits for the running ones, so no task outlives the window.
//
// Thread safety: every method is called by the owner, one thread at a time;
// `run` is called on workers and on the owner, for each job once, and may
// throw (the exception is kept in the slot). Who touches a Slot: the owner
// until Submit(); then the thread that claimed it, until it sets `done`;
// then the owner again (after Done() returned true or WaitFront()).
#ifndef PARXZ_PARALLEL_COMMON_IN_ORDER_WINDOW_H_
#define PARXZ_PARALLEL_COMMON_IN_ORDER_WINDOW_H_

#include <oneapi/tbb/concurrent_queue.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

#include "parallel/common/threads.h"

namespace parxz {

template <typename Job>
class InOrderWindow {
 public:
  struct Slot {
    Job job;
    // Set by the thread that ran `run` when it threw.
    std::exception_ptr error;

   private:
    friend class InOrderWindow;
    std::atomic<bool> done{false};  // release by the runner, acquire
  };

  InOrderWindow(unsigned threads, size_t max_in_flight,
                std::function<void(Job&)> run)
      : threads_(std::max(1u, threads)),
        max_in_flight_(std::max<size_t>(1, max_in_flight)),
        run_(std::move(run)),
        arena_(std::max(1u, threads)) {}
  ~InOrderWindow() { Cancel(); }
  InOrderWindow(const InOrderWindow&) = delete;
  InOrderWindow& operator=(const InOrderWindow&) = delete;

  // An empty slot to fill (its Job as the last user left it, buffers
  // included), or null while max_in_flight jobs are submitted and not
  // popped.
  Slot* TryAcquire() {
    if (!free_.empty()) {
      Slot* s = free_.back();
      free_.pop_back();
      return s;
    }
    if (slots_.size() >= max_in_flight_) return nullptr;
    slots_.push_back(std::make_unique<Slot>());
    return slots_.back().get();
  }
  // Gives back a slot that was not submitted.
  void Release(Slot* slot) { free_.push_back(slot); }

  // Starts `slot`'s job after every job submitted before it. With
  // `owner_runs`, no task is enqueued for it: the owner is about to wait
  // for it anyway (the only job in flight), so it runs in WaitFront()
  // without waking a worker or starting the arena (a task enqueued later
  // may still take it first: tasks run the oldest unclaimed job).
  void Submit(Slot* slot, bool owner_runs = false) {
    slot->error = nullptr;
    slot->done.store(false, std::memory_order_relaxed);
    queue_.push_back(slot);
    pending_.push(slot);
    // One thread: the owner runs every job in WaitFront(). (An enqueued
    // task would make oneTBB lend the arena a worker anyway, its
    // "mandatory concurrency" for enqueued work: two threads for -T1.)
    if (threads_ <= 1 || owner_runs) return;
    {
      std::lock_guard<std::mutex> lock(mu_);
      ++tasks_;
    }
    arena_.enqueue([this] {
      RunOldest(false);
      std::lock_guard<std::mutex> lock(mu_);
      --tasks_;
      // Under the lock: Cancel() may destroy everything once it sees the
      // count drop, which it can only do after this unlocks.
      cv_.notify_all();
    });
  }

  bool empty() const { return queue_.empty(); }
  size_t in_flight() const { return queue_.size(); }
  // The oldest submitted slot not popped; null when empty().
  Slot* front() const { return queue_.empty() ? nullptr : queue_.front(); }
  static bool Done(const Slot& slot) {
    return slot.done.load(std::memory_order_acquire);
  }

  // Returns when front() is done; runs jobs nobody started on this thread
  // meanwhile, oldest first. Not after Cancel().
  void WaitFront() {
    Slot* want = front();
    while (!Done(*want)) {
      if (RunOldest(true)) continue;
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [want] { return Done(*want); });
    }
  }

  // Hands the front slot back for reuse (its job done).
  void PopFront() {
    Slot* s = queue_.front();
    queue_.pop_front();
    free_.push_back(s);
  }

  // Jobs not started never run (their slots stay not Done); waits until no
  // task runs. The window takes no more jobs after it.
  void Cancel() {
    cancelled_.store(true, std::memory_order_relaxed);
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [this] { return tasks_ == 0; });
  }
  bool cancelled() const { return cancelled_.load(std::memory_order_relaxed); }
  // Set by Cancel(): for `run` to stop a long job part-way.
  const std::atomic<bool>* cancel_flag() const { return &cancelled_; }

  // Jobs run so far on a worker / on the owner (any thread may ask).
  uint64_t on_workers() const { return on_workers_.load(); }
  uint64_t on_caller() const { return on_caller_.load(); }

 private:
  // Runs the oldest job nobody started; false when there is none (or the
  // window was cancelled).
  bool RunOldest(bool on_caller) {
    Slot* s = nullptr;
    if (cancelled() || !pending_.try_pop(s)) return false;
    try {
      run_(s->job);
    } catch (...) {
      s->error = std::current_exception();
    }
    (on_caller ? on_caller_ : on_workers_).fetch_add(1);
    {
      std::lock_guard<std::mutex> lock(mu_);
      s->done.store(true, std::memory_order_release);
    }
    cv_.notify_all();
    return true;
  }

  const unsigned threads_;
  const size_t max_in_flight_;
  const std::function<void(Job&)> run_;
  std::atomic<bool> cancelled_{false};
  // Submitted and not claimed yet, oldest first: popped by the tasks and
  // the helping owner.
  tbb::concurrent_queue<Slot*> pending_;
  std::mutex mu_;
  std::condition_variable cv_;
  size_t tasks_ = 0;  // enqueued tasks not finished; guarded by mu_
  // Owner only below.
  std::vector<std::unique_ptr<Slot>> slots_;  // every slot ever made
  std::vector<Slot*> free_;                   // slots holding no job
  std::deque<Slot*> queue_;                   // submitted, in order
  std::atomic<uint64_t> on_workers_{0};
  std::atomic<uint64_t> on_caller_{0};
  ThreadArena arena_;  // last: its tasks touch the members above
};

}  // namespace parxz

#endif  // PARXZ_PARALLEL_COMMON_IN_ORDER_WINDOW_H_
