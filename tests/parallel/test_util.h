// Helpers for tests that compare parxz with independent programs.
#ifndef PARXZ_TESTS_PARALLEL_TEST_UTIL_H_
#define PARXZ_TESTS_PARALLEL_TEST_UTIL_H_

#include <cstdint>
#include <string>

namespace parxz::testing {

// Deterministic mixed data: text-like runs, small-delta binary records and
// random bytes, switching every few KiB.
std::string MixedData(size_t size, uint64_t seed);
std::string RandomData(size_t size, uint64_t seed);

// A fresh file under TEST_TMPDIR holding `contents`; returns its path.
std::string WriteTempFile(const std::string& name, const std::string& contents);
std::string ReadFile(const std::string& path);

// Runs `command` with /bin/sh, feeding nothing; returns its stdout. Sets
// *status to the exit status.
std::string RunCommand(const std::string& command, int* status);

}  // namespace parxz::testing

#endif  // PARXZ_TESTS_PARALLEL_TEST_UTIL_H_
