// Conformance with the xz project's decoder test files: for every file in
// $PARXZ_SHARED/xz-test-files, one-shot parxz::decompress() must agree with
// the python_decompress column of MANIFEST.tsv (outcome, and the SHA-256 of
// the output when it decodes). One test per file, named after it.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "core/decompressor.h"
#include "core/error.h"
#include "core/stream_decoder.h"
#include "tests/core/test_util.h"

namespace parxz {
namespace {

struct ManifestRow {
  std::string file;
  std::string python_outcome;  // "ok" or "error"
  std::string sha256;          // "-" when python fails
  int xz_exit = -1;            // what `xz -t` exits with: 0, 1 or 2
};

std::string CorpusDir() {
  const char* shared = std::getenv("PARXZ_SHARED");
  if (shared == nullptr || *shared == '\0') return "";
  return std::string(shared) + "/xz-test-files";
}

// The manifest rows, or one placeholder row (empty file name) when the corpus
// is not available, so that the skip shows up in the test output.
std::vector<ManifestRow> LoadManifest() {
  std::vector<ManifestRow> rows;
  const std::string dir = CorpusDir();
  std::ifstream manifest(dir + "/MANIFEST.tsv");
  std::string line;
  std::getline(manifest, line);  // header
  while (!dir.empty() && std::getline(manifest, line)) {
    std::istringstream fields(line);
    ManifestRow row;
    std::string xz_exit;
    std::getline(fields, row.file, '\t');
    std::getline(fields, xz_exit, '\t');
    std::getline(fields, row.python_outcome, '\t');
    std::getline(fields, row.sha256, '\t');
    if (!xz_exit.empty()) row.xz_exit = std::stoi(xz_exit);
    if (!row.file.empty()) rows.push_back(row);
  }
  if (rows.empty()) rows.push_back({});
  return rows;
}

class ConformanceTest : public ::testing::TestWithParam<ManifestRow> {};

TEST_P(ConformanceTest, OneShotDecompressAgreesWithPython) {
  const ManifestRow& row = GetParam();
  if (row.file.empty()) {
    GTEST_SKIP() << "PARXZ_SHARED is unset or $PARXZ_SHARED/xz-test-files/"
                    "MANIFEST.tsv is missing (PARXZ_SHARED='"
                 << (std::getenv("PARXZ_SHARED") ? std::getenv("PARXZ_SHARED")
                                                 : "")
                 << "'); run tools/test.sh to check the xz conformance files";
  }
  ASSERT_TRUE(row.python_outcome == "ok" || row.python_outcome == "error")
      << "bad manifest row for " << row.file;
  const std::string input =
      ::parxz::testing::ReadFile(CorpusDir() + "/" + row.file);
  std::string output;
  std::string outcome = "ok";
  try {
    output = decompress(input);
  } catch (const Error& e) {
    outcome = "error";
    // Whatever failed, the message names the operation, and errors found in
    // the data carry an offset inside the input.
    EXPECT_FALSE(e.operation().empty());
    if (e.offset()) {
      EXPECT_LE(*e.offset(), input.size()) << e.what();
    }
    if (row.python_outcome == "ok") {
      ADD_FAILURE() << row.file << ": python decodes it, parxz says "
                    << e.what();
    }
  }
  EXPECT_EQ(outcome, row.python_outcome) << row.file;
  if (outcome == "ok" && row.python_outcome == "ok") {
    EXPECT_EQ(::parxz::testing::Sha256Hex(output), row.sha256) << row.file;
  }
}

// The xz command line's rules (core's StreamDecoder in kXz mode, what
// `parxz -t` runs for --single-stream and raw input) against the xz_cli_exit
// column: 0 decodes, 1 is an error, 2 is the warning for a check this
// liblzma cannot verify. Fed in 4 KiB pieces, as from a pipe.
TEST_P(ConformanceTest, StreamDecoderAgreesWithXz) {
  const ManifestRow& row = GetParam();
  if (row.file.empty()) GTEST_SKIP() << "corpus missing (see above)";
  ASSERT_TRUE(row.xz_exit >= 0 && row.xz_exit <= 2) << row.file;
  const std::string input =
      ::parxz::testing::ReadFile(CorpusDir() + "/" + row.file);
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

INSTANTIATE_TEST_SUITE_P(XzTestFiles, ConformanceTest,
                         ::testing::ValuesIn(LoadManifest()),
                         [](const ::testing::TestParamInfo<ManifestRow>& info) {
                           if (info.param.file.empty())
                             return std::string("CorpusMissing");
                           std::string name = info.param.file;
                           for (char& c : name) {
                             if (!std::isalnum(static_cast<unsigned char>(c)))
                               c = '_';
                           }
                           return name;
                         });

}  // namespace
}  // namespace parxz
