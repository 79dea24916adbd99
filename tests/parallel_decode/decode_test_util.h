// Helpers for the parallel decoder's tests: .xz files made with liblzma the
// way `xz -T` and `xz --block-size` make them, and a uniform view of a
// decoder's verdict so that two decoders can be compared.
#ifndef PARXZ_TESTS_PARALLEL_DECODE_DECODE_TEST_UTIL_H_
#define PARXZ_TESTS_PARALLEL_DECODE_DECODE_TEST_UTIL_H_

#include <lzma.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/error.h"

namespace parxz::testing {

// Deterministic, moderately compressible data (text-like runs, small-delta
// records and random bytes).
std::string TestData(size_t size, uint64_t seed);

// Like `xz -T<threads> --block-size=<block_size> -<preset>`: Blocks record
// both sizes in their headers.
std::string XzMt(const std::string& data, uint64_t block_size,
                 uint32_t preset = 1, lzma_check check = LZMA_CHECK_CRC64);
// Like single-threaded `xz --block-size=<block_size>`: Blocks end with
// LZMA_FULL_FLUSH and their headers record no sizes. block_size 0: one Block.
std::string XzSeq(const std::string& data, uint64_t block_size,
                  uint32_t preset = 1, lzma_check check = LZMA_CHECK_CRC64);

// What a decoder did with an input.
struct Verdict {
  bool ok = false;
  ErrorCode code = ErrorCode::kInternal;
  std::optional<uint64_t> offset;
  std::string what;
  std::string output;
};
Verdict Capture(const std::function<std::string()>& decode);
// "ok (N bytes)" or "error <code name> at <offset>: <what>".
std::string Describe(const Verdict& v);

// Offsets of the Block Headers in a single-Stream .xz, read from its Index.
struct BlockPos {
  uint64_t offset;
  uint64_t total_size;
  uint64_t uncompressed_offset;
  uint64_t uncompressed_size;
};
std::vector<BlockPos> Blocks(const std::string& xz);

// Files and processes (the conformance corpus: tests/conformance/manifest.h).
std::string TempPath(const std::string& name);
void WriteFile(const std::string& path, const std::string& contents);
std::string ReadFile(const std::string& path);
// Runs `command` with /bin/sh; returns its exit status (-1 if it did not run).
int Run(const std::string& command);
bool HaveProgram(const std::string& name);

}  // namespace parxz::testing

#endif  // PARXZ_TESTS_PARALLEL_DECODE_DECODE_TEST_UTIL_H_
