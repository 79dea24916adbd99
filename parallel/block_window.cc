#include "parallel/block_window.h"

#include <algorithm>
#include <new>
#include <span>

namespace parxz {

namespace {

// Output is grown as it is decoded rather than allocated from the header's
// Uncompressed Size at once, so a header that lies costs only what the data
// really decodes to.
constexpr size_t kFirstOut = size_t{64} << 20;
// Input goes to liblzma in pieces of this size so that Cancel() does not
// wait for a whole large Block.
constexpr size_t kInPiece = size_t{1} << 20;

}  // namespace

BlockWindow::BlockWindow(unsigned threads, size_t max_spares)
    : max_spares_(max_spares), arena_(static_cast<int>(std::max(1u, threads))) {}

void BlockWindow::Recycle(OutBuffer&& buffer) {
  std::lock_guard<std::mutex> lock(mu_);
  if (spares_.size() < max_spares_ && buffer.capacity() > 0)
    spares_.push_back(std::move(buffer));
}

BlockWindow::~BlockWindow() { Cancel(); }

void BlockWindow::Submit(WindowJob* job) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    pending_.push_back(job);
    ++tasks_;
  }
  // Each task decodes whichever Block is oldest when it starts, and ends
  // after one: Blocks the caller took leave a task with nothing to do.
  arena_.enqueue([this] {
    WindowJob* job = nullptr;
    {
      std::lock_guard<std::mutex> lock(mu_);
      job = TakePending();
    }
    if (job != nullptr) {
      Decode(job);
      on_workers_.fetch_add(1);
    }
    std::lock_guard<std::mutex> lock(mu_);
    if (job != nullptr) job->done.store(true, std::memory_order_release);
    --tasks_;
    // Under the lock: Cancel() may destroy everything once it sees the count
    // drop, which it can only do after this unlocks.
    cv_.notify_all();
  });
}

WindowJob* BlockWindow::TakePending() {
  if (pending_.empty() || cancel_.load()) return nullptr;
  WindowJob* job = pending_.front();
  pending_.pop_front();
  return job;
}

void BlockWindow::Finish(WindowJob* job) {
  std::lock_guard<std::mutex> lock(mu_);
  job->done.store(true, std::memory_order_release);
  cv_.notify_all();
}

void BlockWindow::Wait(WindowJob* job) {
  while (!Done(*job)) {
    WindowJob* other = nullptr;
    {
      std::unique_lock<std::mutex> lock(mu_);
      other = TakePending();
      if (other == nullptr) {
        cv_.wait(lock, [job] { return Done(*job); });
        return;
      }
    }
    Decode(other);
    on_caller_.fetch_add(1);
    Finish(other);
  }
}

void BlockWindow::Cancel() {
  cancel_.store(true);
  std::unique_lock<std::mutex> lock(mu_);
  pending_.clear();
  cv_.wait(lock, [this] { return tasks_ == 0; });
}

void BlockWindow::Decode(WindowJob* job) {
  std::unique_ptr<BlockDecoder> decoder = decoders_.Acquire();
  try {
    job->ret = decoder->Start(&job->head);
    if (job->ret == LZMA_OK) {
      const std::span<const uint8_t> in(
          reinterpret_cast<const uint8_t*>(job->in.data()), job->in.size());
      size_t consumed = 0;
      size_t produced = 0;
      {
        // The largest spare: Blocks are mostly of one size.
        std::lock_guard<std::mutex> lock(mu_);
        if (!spares_.empty() && job->out.capacity() == 0) {
          auto it = std::max_element(
              spares_.begin(), spares_.end(),
              [](const OutBuffer& a, const OutBuffer& b) {
                return a.capacity() < b.capacity();
              });
          job->out = std::move(*it);
          job->out.resize(0);
          spares_.erase(it);
        }
      }
      job->out.resize(
          static_cast<size_t>(std::min<uint64_t>(job->out_size, kFirstOut)));
      for (;;) {
        if (cancel_.load(std::memory_order_relaxed)) {
          job->ret = LZMA_PROG_ERROR;
          break;
        }
        if (produced == job->out.size() && produced < job->out_size) {
          job->out.resize(static_cast<size_t>(std::min<uint64_t>(
              job->out_size, std::max<uint64_t>(kFirstOut, produced * 2))));
        }
        const std::span<uint8_t> space(
            reinterpret_cast<uint8_t*>(job->out.data()) + produced,
            job->out.size() - produced);
        const std::span<const uint8_t> piece =
            in.subspan(consumed, std::min(kInPiece, in.size() - consumed));
        const BlockResult r = decoder->Code(piece, space);
        consumed += r.consumed;
        produced += static_cast<size_t>(r.produced);
        job->ret = r.ret;
        if (r.ret != LZMA_OK) break;
        if (r.consumed == 0 && r.produced == 0) break;  // stuck: bad sizes
      }
      job->out.resize(produced);
      // The header's sizes are what the Block Header promised; liblzma
      // enforces them when it has the bytes after the Block, which a worker
      // does not: a Block that stops short is corrupt, as in the sequential
      // decoder.
      if ((job->ret == LZMA_OK || job->ret == LZMA_STREAM_END) &&
          (job->ret == LZMA_OK || consumed != in.size() ||
           produced != job->out_size)) {
        job->ret = LZMA_DATA_ERROR;
      }
    }
  } catch (const std::bad_alloc&) {
    job->ret = LZMA_MEM_ERROR;
  }
  if (job->ret != LZMA_STREAM_END) {
    job->out.release();
  }
  std::string().swap(job->in);  // the input is not needed any more
  decoders_.Release(std::move(decoder));
}

}  // namespace parxz
