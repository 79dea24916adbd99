#include "parallel/decode/check_thread.h"

namespace parxz {

CheckThread::~CheckThread() {
  if (!thread_.joinable()) return;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void CheckThread::Add(BlockCheck* check, const uint8_t* data, size_t size) {
  if (size == 0) return;
  if (!thread_.joinable()) thread_ = std::thread([this] { Run(); });
  {
    std::lock_guard<std::mutex> lock(mu_);
    pieces_.push_back({check, data, size});
  }
  cv_.notify_all();
}

void CheckThread::Wait() {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait(lock, [&] { return pieces_.empty() && !busy_; });
}

void CheckThread::Run() {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    cv_.wait(lock, [&] { return !pieces_.empty() || stop_; });
    if (stop_) return;
    const Piece p = pieces_.front();
    pieces_.pop_front();
    busy_ = true;
    lock.unlock();
    p.check->Update(p.data, p.size);
    lock.lock();
    busy_ = false;
    if (pieces_.empty()) cv_.notify_all();
  }
}

}  // namespace parxz
