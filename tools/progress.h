// Progress display of `parxz -v` on stderr.
//
//   ProgressMeter meter("big.tar", /*total_in=*/size, /*live=*/true);
//   ... meter.Update(in_bytes, out_bytes) from any thread ...
//   meter.Finish(in_bytes, out_bytes, /*summary=*/true);
//
// While live, a background thread redraws one line four times a second (in
// place on a terminal; one line each when forced on a non-terminal):
// percent (when the input size is known), bytes in -> out, the ratio
// compressed/uncompressed, MB/s in and out, elapsed and remaining time.
// Finish() stops the thread and prints a one-line summary. Update() is
// thread-safe (two atomics); everything else is for the owning thread.
// Between Update() calls (which the library makes only when a whole Block
// is written) the line follows live(): counters the Block encoders and
// decoders add to after every 1 MiB piece (parallel/common/live_progress.h); the
// line shows the larger of the two.
#ifndef PARXZ_TOOLS_PROGRESS_H_
#define PARXZ_TOOLS_PROGRESS_H_

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

#include "parallel/common/live_progress.h"

namespace parxz::cli {

// "12.3 MiB" style, as xz prints sizes.
std::string HumanSize(uint64_t bytes);
// "1:05" or "1:02:03".
std::string HumanDuration(double seconds);

class ProgressMeter {
 public:
  // `total_in`: input size or -1 if unknown. `compressing` decides which side
  // is the compressed one for the ratio. `live`: redraw while running;
  // `terminal`: stderr is a terminal (redraw in place).
  ProgressMeter(std::string name, int64_t total_in, bool compressing, bool live,
                bool terminal);
  ~ProgressMeter();
  ProgressMeter(const ProgressMeter&) = delete;
  ProgressMeter& operator=(const ProgressMeter&) = delete;

  void Update(uint64_t in_bytes, uint64_t out_bytes);
  // For ParallelOptions::live / ParallelDecodeOptions::live of the call.
  LiveProgress* live() { return &live_; }
  // Stops redrawing; prints the summary line when `summary`.
  void Finish(uint64_t in_bytes, uint64_t out_bytes, bool summary);

  // The progress line for the given totals after `elapsed` seconds.
  std::string Line(uint64_t in_bytes, uint64_t out_bytes, double elapsed) const;

 private:
  void Run();
  void Stop();

  const std::string name_;
  const int64_t total_in_;
  const bool compressing_;
  const bool terminal_;
  const std::chrono::steady_clock::time_point start_;
  std::atomic<uint64_t> in_{0};
  std::atomic<uint64_t> out_{0};
  LiveProgress live_;  // written by the library's workers
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;  // guarded by mu_
  bool drew_ = false;  // the thread left a line on a terminal
  std::thread thread_;
};

}  // namespace parxz::cli

#endif  // PARXZ_TOOLS_PROGRESS_H_
