// The C API checks options with the C++ library's one function: for the same
// settings, parxz_compressor_new(), parxz_compress_buffer() and
// parxz_compress_bound() fail with exactly the code and message of core's
// ValidateCompressOptions(), on the sequential and the parallel path.
#include <gtest/gtest.h>
#include <parxz.h>

#include <cstring>
#include <string>
#include <vector>

#include "core/compressor.h"
#include "core/error.h"

namespace parxz {
namespace {

struct Case {
  parxz_compress_options c;
  CompressOptions cpp;
};

std::vector<Case> Cases(const parxz_filter* lzma1, const parxz_filter* lzma2,
                        const parxz_filter* bad_lc) {
  std::vector<Case> cases;
  auto add = [&](auto set_c, CompressOptions cpp) {
    Case k;
    parxz_compress_options_init(&k.c);
    set_c(k.c);
    k.cpp = cpp;
    cases.push_back(k);
  };
  add([](auto& o) { o.preset = 10; }, {.preset = 10});
  add([](auto& o) { o.check = 99; }, {.check = static_cast<Check>(99)});
  add([](auto& o) { o.check = 3; }, {.check = static_cast<Check>(3)});
  add([](auto& o) { o.format = 7; }, {.format = static_cast<Format>(7)});
  add([](auto& o) { o.format = PARXZ_FORMAT_AUTO; }, {.format = Format::kAuto});
  add(
      [&](auto& o) {
        o.preset = 3;
        o.filters = lzma2;
        o.num_filters = 1;
      },
      {.preset = 3, .filters = FilterChain{{.id = FilterId::kLzma2}}});
  add(
      [&](auto& o) {
        o.extreme = 1;
        o.filters = lzma2;
        o.num_filters = 1;
      },
      {.extreme = true, .filters = FilterChain{{.id = FilterId::kLzma2}}});
  add(
      [&](auto& o) {
        o.filters = lzma1;
        o.num_filters = 1;
      },
      {.filters = FilterChain{{.id = FilterId::kLzma1}}});
  add(
      [&](auto& o) {
        o.filters = bad_lc;
        o.num_filters = 1;
      },
      {.filters = FilterChain{{.id = FilterId::kLzma2, .lc = 9}}});
  add([](auto& o) { o.format = PARXZ_FORMAT_RAW; }, {.format = Format::kRaw});
  add(
      [](auto& o) {
        o.format = PARXZ_FORMAT_ALONE;
        o.check = PARXZ_CHECK_CRC32;
      },
      {.format = Format::kAlone, .check = Check::kCrc32});
  add(
      [&](auto& o) {
        o.format = PARXZ_FORMAT_ALONE;
        o.filters = lzma2;
        o.num_filters = 1;
      },
      {.format = Format::kAlone,
       .filters = FilterChain{{.id = FilterId::kLzma2}}});
  return cases;
}

TEST(CapiOptions, RejectedWithTheLibrarysCodeAndMessage) {
  parxz_filter lzma1, lzma2, bad_lc;
  std::memset(&lzma1, 0, sizeof lzma1);
  lzma2 = bad_lc = lzma1;
  lzma1.id = PARXZ_FILTER_LZMA1;
  lzma2.id = PARXZ_FILTER_LZMA2;
  bad_lc.id = PARXZ_FILTER_LZMA2;
  bad_lc.set = PARXZ_SET_LC;
  bad_lc.lc = 9;
  const std::vector<Case> cases = Cases(&lzma1, &lzma2, &bad_lc);
  for (size_t i = 0; i < cases.size(); ++i) {
    SCOPED_TRACE(i);
    int code = 0;
    std::string message;
    try {
      ValidateCompressOptions(cases[i].cpp);
      FAIL() << "ValidateCompressOptions accepted case " << i;
    } catch (const Error& e) {
      code = static_cast<int>(e.code());
      message = e.what();
    }
    for (int sequential : {0, 1}) {
      SCOPED_TRACE(sequential);
      parxz_compress_options o = cases[i].c;
      o.sequential = sequential;
      if (!sequential) o.threads = 2;
      parxz_compressor* c = nullptr;
      EXPECT_EQ(parxz_compressor_new(&o, &c), code);
      EXPECT_EQ(c, nullptr);
      EXPECT_EQ(parxz_last_error_message(), message);
      unsigned char out[64];
      size_t n = 0;
      EXPECT_EQ(parxz_compress_buffer(&o, "abc", 3, out, sizeof out, &n), code);
      EXPECT_EQ(parxz_last_error_message(), message);
      EXPECT_EQ(parxz_compress_bound(3, &o), 0u);
      EXPECT_EQ(parxz_last_error_message(), message);
    }
  }
}

}  // namespace
}  // namespace parxz
