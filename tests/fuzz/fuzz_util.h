// Helpers shared by the fuzz targets in tests/fuzz/: a deterministic random
// source derived from the fuzz input and a check macro that aborts, so that
// libFuzzer and the corpus regression tests (fuzz_main.cc) both report a
// broken invariant as a crash with a readable message.
#ifndef PARXZ_TESTS_FUZZ_FUZZ_UTIL_H_
#define PARXZ_TESTS_FUZZ_FUZZ_UTIL_H_

#include <cstdarg>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#define FUZZ_CHECK(cond, ...)                                             \
  do {                                                                    \
    if (!(cond)) {                                                        \
      ::parxz::fuzz::CheckFailed(__FILE__, __LINE__,                      \
                                 #cond __VA_OPT__(, ) __VA_ARGS__);       \
    }                                                                     \
  } while (0)

namespace parxz::fuzz {

[[noreturn]] __attribute__((format(printf, 4, 5))) inline void CheckFailed(
    const char* file, int line, const char* cond, const char* fmt = nullptr,
    ...) {
  std::fprintf(stderr, "%s:%d: FUZZ_CHECK(%s) failed", file, line, cond);
  if (fmt != nullptr) {
    std::fprintf(stderr, ": ");
    va_list args;
    va_start(args, fmt);
    std::vfprintf(stderr, fmt, args);
    va_end(args);
  }
  std::fprintf(stderr, "\n");
  std::abort();
}

// Splits a fuzz input into control bytes taken from the front and the payload
// that remains; a control byte past the end reads as 0.
class FuzzInput {
 public:
  FuzzInput(const uint8_t* data, size_t size) : data_(data), size_(size) {}

  uint8_t Byte() {
    if (size_ == 0) return 0;
    --size_;
    return *data_++;
  }
  std::string_view Rest() const {
    return {reinterpret_cast<const char*>(data_), size_};
  }

 private:
  const uint8_t* data_;
  size_t size_;
};

// xorshift64*: the chunk and max_length schedules, seeded from control bytes
// so that the fuzzer can steer them and every run is reproducible.
class Rng {
 public:
  explicit Rng(uint64_t seed) : s_(seed * 0x9E3779B97F4A7C15ull + 1) {}
  uint64_t Next() {
    s_ ^= s_ >> 12;
    s_ ^= s_ << 25;
    s_ ^= s_ >> 27;
    return s_ * 0x2545F4914F6CDD1Dull;
  }
  // Uniform-ish in [0, n); 0 when n == 0.
  uint64_t Below(uint64_t n) { return n == 0 ? 0 : Next() % n; }
  // A size in [0, limit] biased towards small values and the edges.
  uint64_t Size(uint64_t limit) {
    switch (Below(6)) {
      case 0:
        return 0;
      case 1:
        return limit < 1 ? limit : 1;
      case 2:
        return limit;
      case 3:
        return Below(limit < 16 ? limit + 1 : 17);
      default:
        return Below(limit + 1);
    }
  }

 private:
  uint64_t s_;
};

}  // namespace parxz::fuzz

#endif  // PARXZ_TESTS_FUZZ_FUZZ_UTIL_H_
