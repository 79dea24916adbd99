// The xz project's 97 decoder test files through the C API, judged by the
// MANIFEST's python_decompress column (Python's lzma.decompress): the
// one-shot parxz_decompress_buffer() sequentially (threads = 1) and with the
// parallel decoder (threads = 2) gives the same outcome and, when it
// decodes, the same SHA-256; and the streaming decompressor, fed 4 KiB at a
// time with max_length 4 KiB, agrees with core's Decompressor on the first
// stream (bytes and verdict).
#include <gtest/gtest.h>
#include <parxz.h>

#include <string>
#include <vector>

#include "core/decompressor.h"
#include "core/error.h"
#include "tests/conformance/manifest.h"
#include "tests/core/test_util.h"

namespace parxz {
namespace {

using ::parxz::testing::XzTestFile;

// "ok:<sha256>" or "error".
std::string OneShot(const std::string& in, uint32_t threads) {
  parxz_decompress_options o;
  parxz_decompress_options_init(&o);
  o.threads = threads;
  std::string out(64 << 20, '\0');
  size_t n = 0;
  const int rc = parxz_decompress_buffer(&o, in.data(), in.size(), out.data(),
                                         out.size(), &n);
  if (rc != PARXZ_OK) return "error";
  out.resize(n);
  return "ok:" + ::parxz::testing::Sha256Hex(out);
}

// The first stream, incrementally: "<sha256>:<eof>" or "error".
std::string Streaming(const std::string& in) {
  parxz_decompressor* d = nullptr;
  if (parxz_decompressor_new(nullptr, &d) != PARXZ_OK) return "init error";
  std::string out;
  std::string result;
  char buf[4096];
  for (size_t at = 0;; at += 4096) {
    const size_t len = at < in.size() ? std::min<size_t>(4096, in.size() - at)
                                      : 0;
    size_t n = 0;
    if (parxz_decompressor_decompress(d, in.data() + std::min(at, in.size()),
                                      len, buf, sizeof buf, &n) != PARXZ_OK) {
      result = "error";
      break;
    }
    out.append(buf, n);
    // Drain what is ready before giving more input.
    while (!parxz_decompressor_eof(d) && !parxz_decompressor_needs_input(d)) {
      if (parxz_decompressor_decompress(d, nullptr, 0, buf, sizeof buf, &n) !=
          PARXZ_OK) {
        result = "error";
        break;
      }
      out.append(buf, n);
    }
    if (!result.empty()) break;
    if (parxz_decompressor_eof(d) || at >= in.size()) {
      result = ::parxz::testing::Sha256Hex(out) + ":" +
               (parxz_decompressor_eof(d) ? "eof" : "open");
      break;
    }
  }
  parxz_decompressor_free(d);
  return result;
}

// Core's Decompressor on the whole input at once: the reference for the
// streaming C handle (the C API adds no rules of its own).
std::string CoreFirstStream(const std::string& in) {
  try {
    Decompressor d;
    const std::string out = d.decompress(in);
    return ::parxz::testing::Sha256Hex(out) + ":" + (d.eof() ? "eof" : "open");
  } catch (const Error&) {
    return "error";
  }
}

class CapiConformance : public ::testing::TestWithParam<XzTestFile> {};

TEST_P(CapiConformance, SameOutcomeAsPython) {
  const XzTestFile& row = GetParam();
  if (row.file.empty()) {
    GTEST_SKIP() << "PARXZ_SHARED/xz-test-files not found; run tools/test.sh";
  }
  const std::string in = ::parxz::testing::ReadFile(row.path());
  const std::string expected =
      row.python == "ok" ? "ok:" + row.sha256 : std::string("error");
  EXPECT_EQ(OneShot(in, 1), expected) << row.file << " threads=1";
  EXPECT_EQ(OneShot(in, 2), expected) << row.file << " threads=2";
  EXPECT_EQ(Streaming(in), CoreFirstStream(in)) << row.file;
}

INSTANTIATE_TEST_SUITE_P(XzTestFiles, CapiConformance,
                         ::testing::ValuesIn(::parxz::testing::XzTestFileParams()), [](const auto& info) {
                           return ::parxz::testing::TestNameOf(info.param);
                         });

}  // namespace
}  // namespace parxz
