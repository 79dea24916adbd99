// Helpers shared by the core/ tests: deterministic test data and a way to run
// the independent reference programs (xz, python3) on a byte string.
#ifndef PARXZ_TESTS_CORE_TEST_UTIL_H_
#define PARXZ_TESTS_CORE_TEST_UTIL_H_

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "core/error.h"

namespace parxz::testing {

// `size` bytes of mixed content from a fixed seed: runs of English-like words,
// runs of random binary, runs of a repeated byte and small-integer tables, so
// that every chunk of the encoders and match finders gets exercised.
std::string MixedData(size_t size, uint64_t seed = 1);

// `size` bytes that do not compress (xorshift output).
std::string RandomData(size_t size, uint64_t seed = 1);

struct CommandResult {
  int exit_code = -1;  // -1 if the program did not exit normally
  std::string out;     // everything it wrote to stdout
};

// Runs `command` through /bin/sh with `input` on its stdin and returns its exit
// status and stdout. stderr goes to the test log.
CommandResult RunCommand(const std::string& command, std::string_view input);

// Writes `script` to a file and returns a command line that runs it with
// python3 (extra arguments may be appended).
std::string PythonCommand(const std::string& script);

// A fresh path under $TEST_TMPDIR (or /tmp).
std::string TempPath(std::string_view stem);

// Hex SHA-256 of `data`, computed by sha256sum(1).
std::string Sha256Hex(std::string_view data);

// The file's whole contents; fails the test (and returns "") if unreadable.
std::string ReadFile(const std::string& path);
void WriteFile(const std::string& path, std::string_view data);

// Runs `f`, which must throw parxz::Error, and returns the Error. Records a
// test failure (and returns a kInternal placeholder) if it does not throw.
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

}  // namespace parxz::testing

#endif  // PARXZ_TESTS_CORE_TEST_UTIL_H_
