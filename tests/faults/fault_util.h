// Helpers for the fault-injection tests: test data, temporary files, and the
// "clear error" expectations every fault test shares.
#ifndef PARXZ_TESTS_FAULTS_FAULT_UTIL_H_
#define PARXZ_TESTS_FAULTS_FAULT_UTIL_H_

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "core/error.h"
#include "tests/conformance/manifest.h"

namespace parxz::faults {

// True in builds where RLIMIT_AS cannot work (the sanitizers reserve
// terabytes of address space up front).
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
inline constexpr bool kSanitizerReservesAddressSpace = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
inline constexpr bool kSanitizerReservesAddressSpace = true;
#else
inline constexpr bool kSanitizerReservesAddressSpace = false;
#endif
#else
inline constexpr bool kSanitizerReservesAddressSpace = false;
#endif

// Compressible but not trivial: words, a counter and some noise.
std::string TestData(size_t size, uint64_t seed = 1);

// A fresh path under $TEST_TMPDIR (or /tmp).
std::string TempPath(std::string_view stem);
std::string ReadFileOrDie(const std::string& path);
void WriteFileOrDie(const std::string& path, std::string_view data);

// The xz project's test files: $PARXZ_SHARED/xz-test-files, or "" if absent.
using ::parxz::testing::XzTestFilesDir;

// Runs `f`, which must throw parxz::Error; returns it (a kInternal
// placeholder plus a test failure if nothing was thrown).
template <typename F>
Error CatchError(F&& f) {
  try {
    f();
  } catch (const Error& e) {
    return e;
  }
  ADD_FAILURE() << "expected a parxz::Error, none was thrown";
  return Error(ErrorCode::kInternal, "test", "no error thrown");
}

}  // namespace parxz::faults

#endif  // PARXZ_TESTS_FAULTS_FAULT_UTIL_H_
