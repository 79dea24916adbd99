// Conformance with the xz project's decoder test files: for every file in
// $PARXZ_SHARED/xz-test-files, one-shot parxz::Decompress() must agree with
// the python_decompress column of MANIFEST.tsv (outcome, and the SHA-256 of
// the output when it decodes). One test per file, named after it.
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "core/decompressor.h"
#include "core/error.h"
#include "core/stream_decoder.h"
#include "tests/conformance/manifest.h"
#include "tests/core/test_util.h"

namespace parxz {
namespace {

using ::parxz::testing::XzTestFile;

class ConformanceTest : public ::testing::TestWithParam<XzTestFile> {};

TEST_P(ConformanceTest, OneShotDecompressAgreesWithPython) {
  const XzTestFile& row = GetParam();
  if (row.file.empty()) {
    GTEST_SKIP() << "PARXZ_SHARED is unset or $PARXZ_SHARED/xz-test-files/"
                    "MANIFEST.tsv is missing (PARXZ_SHARED='"
                 << (std::getenv("PARXZ_SHARED") ? std::getenv("PARXZ_SHARED")
                                                 : "")
                 << "'); run tools/test.sh to check the xz conformance files";
  }
  ASSERT_TRUE(row.python == "ok" || row.python == "error")
      << "bad manifest row for " << row.file;
  const std::string input =
      ::parxz::testing::ReadFile(row.path());
  std::string output;
  std::string outcome = "ok";
  try {
    output = Decompress(input);
  } catch (const Error& e) {
    outcome = "error";
    // Whatever failed, the message names the operation, and errors found in
    // the data carry an offset inside the input.
    EXPECT_FALSE(e.operation().empty());
    if (e.offset()) {
      EXPECT_LE(*e.offset(), input.size()) << e.what();
    }
    if (row.python == "ok") {
      ADD_FAILURE() << row.file << ": python decodes it, parxz says "
                    << e.what();
    }
  }
  EXPECT_EQ(outcome, row.python) << row.file;
  if (outcome == "ok" && row.python == "ok") {
    EXPECT_EQ(::parxz::testing::Sha256Hex(output), row.sha256) << row.file;
  }
}

// The xz command line's rules (core's StreamDecoder in kXz mode, what
// `parxz -t` runs for --single-stream and raw input) against the xz_cli_exit
// column: 0 decodes, 1 is an error, 2 is the warning for a check this
// liblzma cannot verify. Fed in 4 KiB pieces, as from a pipe.
TEST_P(ConformanceTest, StreamDecoderAgreesWithXz) {
  const XzTestFile& row = GetParam();
  if (row.file.empty()) GTEST_SKIP() << "corpus missing (see above)";
  ASSERT_TRUE(row.xz_exit >= 0 && row.xz_exit <= 2) << row.file;
  const std::string input =
      ::parxz::testing::ReadFile(row.path());
  StreamDecoder decoder({.mode = DecodeMode::kXz});
  FunctionSink sink([](std::string_view) {});
  int status = 0;
  try {
    for (size_t at = 0; at < input.size() && !decoder.done(); at += 4096) {
      decoder.feed(std::string_view(input).substr(at, 4096), sink);
    }
    decoder.finish(sink);
    if (decoder.unsupported_check()) status = 2;
  } catch (const Error& e) {
    status = 1;
    EXPECT_FALSE(e.operation().empty());
  }
  EXPECT_EQ(status, row.xz_exit) << row.file;
}

INSTANTIATE_TEST_SUITE_P(XzTestFiles, ConformanceTest, ::testing::ValuesIn(::parxz::testing::XzTestFileParams()),
                         [](const auto& info) {
                           return ::parxz::testing::TestNameOf(info.param);
                         });

}  // namespace
}  // namespace parxz
