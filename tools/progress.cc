#include "tools/progress.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <utility>

namespace parxz::cli {

namespace {

void WriteStderr(const std::string& s) {
  // One write() per line so that lines from different sources don't mix.
  ssize_t unused = write(STDERR_FILENO, s.data(), s.size());
  (void)unused;
}

std::string Format(const char* fmt, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, fmt, v);
  return buf;
}

}  // namespace

std::string HumanSize(uint64_t bytes) {
  // xz's rule: bytes up to 9999, then the unit that keeps at most 4 digits
  // before the point.
  if (bytes < 10000) return std::to_string(bytes) + " B";
  static constexpr const char* kUnits[] = {"KiB", "MiB", "GiB", "TiB", "PiB"};
  double v = static_cast<double>(bytes) / 1024;
  int unit = 0;
  while (v >= 9999.95 && unit < 4) {
    v /= 1024;
    ++unit;
  }
  return Format("%.1f ", v) + kUnits[unit];
}

std::string HumanDuration(double seconds) {
  if (seconds < 0) seconds = 0;
  const auto s = static_cast<uint64_t>(seconds);
  char buf[32];
  if (s >= 3600) {
    std::snprintf(buf, sizeof buf, "%llu:%02llu:%02llu",
                  static_cast<unsigned long long>(s / 3600),
                  static_cast<unsigned long long>(s / 60 % 60),
                  static_cast<unsigned long long>(s % 60));
  } else {
    std::snprintf(buf, sizeof buf, "%llu:%02llu",
                  static_cast<unsigned long long>(s / 60),
                  static_cast<unsigned long long>(s % 60));
  }
  return buf;
}

ProgressMeter::ProgressMeter(std::string name, int64_t total_in,
                             bool compressing, bool live, bool terminal)
    : name_(std::move(name)),
      total_in_(total_in),
      compressing_(compressing),
      terminal_(terminal),
      start_(std::chrono::steady_clock::now()) {
  if (live) thread_ = std::thread([this] { Run(); });
}

ProgressMeter::~ProgressMeter() { Stop(); }

void ProgressMeter::Update(uint64_t in_bytes, uint64_t out_bytes) {
  in_.store(in_bytes, std::memory_order_relaxed);
  out_.store(out_bytes, std::memory_order_relaxed);
}

std::string ProgressMeter::Line(uint64_t in_bytes, uint64_t out_bytes,
                                double elapsed) const {
  std::string line;
  if (total_in_ > 0) {
    line += Format("%5.1f %%  ", 100.0 * static_cast<double>(in_bytes) /
                                     static_cast<double>(total_in_));
  } else if (total_in_ == 0) {
    line += "100.0 %  ";
  }
  line += HumanSize(in_bytes) + " -> " + HumanSize(out_bytes);
  const uint64_t packed = compressing_ ? out_bytes : in_bytes;
  const uint64_t plain = compressing_ ? in_bytes : out_bytes;
  if (plain > 0) {
    line += Format(" = %.3f",
                   static_cast<double>(packed) / static_cast<double>(plain));
  } else {
    line += " = ---";
  }
  if (elapsed > 0) {
    line +=
        Format(", %.1f MB/s in", static_cast<double>(in_bytes) / 1e6 / elapsed);
    line += Format(", %.1f MB/s out",
                   static_cast<double>(out_bytes) / 1e6 / elapsed);
  }
  line += ", " + HumanDuration(elapsed);
  if (total_in_ > 0 && in_bytes > 0 &&
      in_bytes < static_cast<uint64_t>(total_in_)) {
    const double left = elapsed * static_cast<double>(total_in_ - in_bytes) /
                        static_cast<double>(in_bytes);
    line += " elapsed, " + HumanDuration(left) + " left";
  }
  return line;
}

void ProgressMeter::Run() {
  const auto period = std::chrono::milliseconds(250);
  std::unique_lock lock(mu_);
  while (!cv_.wait_for(lock, period, [this] { return stop_; })) {
    const double elapsed =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start_)
            .count();
    const std::string line =
        name_ + ": " +
        Line(std::max(in_.load(std::memory_order_relaxed),
                      live_.in_bytes.load(std::memory_order_relaxed)),
             std::max(out_.load(std::memory_order_relaxed),
                      live_.out_bytes.load(std::memory_order_relaxed)),
             elapsed);
    // \r + "erase to end of line" redraws in place on a terminal.
    WriteStderr(terminal_ ? "\r" + line + "\033[K" : line + "\n");
    drew_ = true;
  }
}

void ProgressMeter::Stop() {
  if (!thread_.joinable()) return;
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
  if (drew_ && terminal_) WriteStderr("\r\033[K");
}

void ProgressMeter::Finish(uint64_t in_bytes, uint64_t out_bytes,
                           bool summary) {
  Stop();
  if (!summary) return;
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start_)
          .count();
  WriteStderr(name_ + ": " + Line(in_bytes, out_bytes, elapsed) + "\n");
}

}  // namespace parxz::cli
