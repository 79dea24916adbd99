// The xz project's decoder test files in $PARXZ_SHARED/xz-test-files and
// what MANIFEST.tsv says the independent decoders do with each: the exit
// status of `xz -t` and the outcome (and output SHA-256) of Python's
// lzma.decompress. Shared by every front end's conformance test.
//
//   for (const XzTestFile& f : LoadXzTestFiles()) { ... f.path() ... }
#ifndef PARXZ_TESTS_CONFORMANCE_MANIFEST_H_
#define PARXZ_TESTS_CONFORMANCE_MANIFEST_H_

#include <string>
#include <vector>

namespace parxz::testing {

struct XzTestFile {
  std::string dir;
  std::string file;
  int xz_exit = -1;     // 0 decodes, 1 error, 2 warning (unsupported check)
  std::string python;   // "ok" or "error"
  std::string sha256;   // of Python's output; "-" when it fails
  std::string path() const { return dir + "/" + file; }
};

// $PARXZ_SHARED/xz-test-files when it holds MANIFEST.tsv, else "".
std::string XzTestFilesDir();

// Every row of the manifest; empty when the files are absent (tests then
// skip and say so: tools/test.sh sets PARXZ_SHARED).
std::vector<XzTestFile> LoadXzTestFiles();

// For TEST_P: the rows, or one placeholder row (empty file name) when the
// files are absent, so that the skip shows in the test output.
std::vector<XzTestFile> XzTestFileParams();

// A test name made of the file name ("good_1_check_crc32_xz").
std::string TestNameOf(const XzTestFile& f);

}  // namespace parxz::testing

#endif  // PARXZ_TESTS_CONFORMANCE_MANIFEST_H_
