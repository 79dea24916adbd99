// Compressor, one-shot compress()/compress_into() and option validation.
// Round trips here go through parxz's own decoder; interop_test.cc checks the
// same outputs against xz and Python.
#include "core/compressor.h"

#include <gtest/gtest.h>
#include <lzma.h>

#include <string>
#include <vector>

#include "core/decompressor.h"
#include "core/error.h"
#include "core/options.h"
#include "tests/core/test_util.h"

namespace parxz {
namespace {

using ::parxz::testing::CatchError;
using ::parxz::testing::MixedData;
using ::parxz::testing::RandomData;

// The check ID a .xz Stream Header records (byte 7, low nibble).
int HeaderCheckId(const std::string& xz) {
  EXPECT_GE(xz.size(), 12u);
  return xz.size() >= 12 ? (static_cast<uint8_t>(xz[7]) & 0x0F) : -1;
}

TEST(Compressor, PiecesPlusFlushRoundTrip) {
  const std::string data = MixedData(200000, 7);
  Compressor c;
  std::string out;
  for (size_t pos = 0; pos < data.size(); pos += 12345) {
    out += c.compress(std::string_view(data).substr(pos, 12345));
  }
  EXPECT_FALSE(c.flushed());
  out += c.flush();
  EXPECT_TRUE(c.flushed());
  EXPECT_EQ(Decompress(out), data);
  // Chunking does not change the encoder's output.
  EXPECT_EQ(out, Compress(data));
}

TEST(Compressor, OneByteAtATime) {
  const std::string data = MixedData(5000, 3);
  Compressor c({.preset = 1});
  std::string out;
  for (char ch : data) out += c.compress(std::string_view(&ch, 1));
  out += c.flush();
  EXPECT_EQ(out, Compress(data, {.preset = 1}));
  EXPECT_EQ(Decompress(out), data);
}

TEST(Compressor, CompressMayKeepInputInside) {
  // Small inputs stay inside liblzma until flush(): compress() returns only
  // the headers (as Python's does), and the data comes with flush().
  Compressor c;
  const std::string head = c.compress("hello");
  EXPECT_LT(head.size(), 40u);
  EXPECT_EQ(head.substr(0, 6),
            "\xFD"
            "7zXZ" +
                std::string(1, '\0'));
  const std::string all = head + c.flush();
  EXPECT_EQ(Decompress(all), "hello");
  EXPECT_EQ(all, Compress("hello"));
}

TEST(Compressor, EmptyInput) {
  for (Format format : {Format::kXz, Format::kAlone}) {
    SCOPED_TRACE(static_cast<int>(format));
    const std::string out = Compress("", {.format = format});
    EXPECT_FALSE(out.empty());
    EXPECT_EQ(Decompress(out), "");
  }
  Compressor c;
  std::string out = c.compress("");
  EXPECT_EQ(c.compress(""), "");  // repeated empty calls are not an error
  out += c.flush();
  EXPECT_EQ(Decompress(out), "");
  EXPECT_EQ(out, Compress(""));
}

TEST(Compressor, UseAfterFlushIsMisuse) {
  Compressor c;
  c.compress("abc");
  c.flush();
  Error e = CatchError([&] { c.compress("more"); });
  EXPECT_EQ(e.code(), ErrorCode::kMisuse);
  EXPECT_NE(std::string(e.what()).find("flushed"), std::string::npos);
  EXPECT_EQ(CatchError([&] { c.compress(""); }).code(), ErrorCode::kMisuse);
  uint8_t buf[64];
  EXPECT_EQ(CatchError([&] { c.compress_into("x", buf); }).code(),
            ErrorCode::kMisuse);
  EXPECT_EQ(CatchError([&] { c.flush_into(buf); }).code(), ErrorCode::kMisuse);
}

TEST(Compressor, RepeatedFlushIsMisuse) {
  Compressor c;
  const std::string first = c.flush();
  EXPECT_EQ(Decompress(first), "");
  for (int i = 0; i < 2; ++i) {
    Error e = CatchError([&] { c.flush(); });
    EXPECT_EQ(e.code(), ErrorCode::kMisuse);
    EXPECT_NE(std::string(e.what()).find("Repeated call to flush()"),
              std::string::npos)
        << e.what();
  }
  EXPECT_TRUE(c.flushed());
}

TEST(Compressor, MovedCompressorKeepsItsStream) {
  const std::string data = MixedData(30000, 11);
  Compressor a({.preset = 2});
  std::string out = a.compress(std::string_view(data).substr(0, 10000));
  Compressor b(std::move(a));
  out += b.compress(std::string_view(data).substr(10000));
  Compressor c;
  c = std::move(b);
  out += c.flush();
  EXPECT_EQ(Decompress(out), data);
}

class PresetTest : public ::testing::TestWithParam<uint32_t> {};

TEST_P(PresetTest, RoundTripsAndShrinks) {
  const std::string data = MixedData(150000, GetParam() + 100);
  const std::string out = Compress(data, {.preset = GetParam()});
  EXPECT_LT(out.size(), data.size());
  EXPECT_EQ(Decompress(out), data);
}

INSTANTIATE_TEST_SUITE_P(Presets, PresetTest,
                         ::testing::Values(0u, 1u, 3u, 6u, 0u | kPresetExtreme,
                                           3u | kPresetExtreme));

TEST(Compressor, ExtremeFlagEqualsExtremePreset) {
  const std::string data = MixedData(60000, 5);
  EXPECT_EQ(Compress(data, {.preset = 1, .extreme = true}),
            Compress(data, {.preset = 1 | kPresetExtreme}));
}

TEST(Compressor, EveryCheckTypeIsRecordedAndReported) {
  const std::string data = MixedData(40000, 9);
  const struct {
    std::optional<Check> requested;
    Check expected;
  } cases[] = {{std::nullopt, Check::kCrc64},
               {Check::kNone, Check::kNone},
               {Check::kCrc32, Check::kCrc32},
               {Check::kCrc64, Check::kCrc64},
               {Check::kSha256, Check::kSha256}};
  for (const auto& tc : cases) {
    SCOPED_TRACE(static_cast<int>(tc.expected));
    const std::string out = Compress(data, {.check = tc.requested});
    EXPECT_EQ(HeaderCheckId(out), static_cast<int>(tc.expected));
    Decompressor d;
    EXPECT_EQ(d.check(), Check::kUnknown);
    EXPECT_EQ(d.decompress(out), data);
    EXPECT_TRUE(d.eof());
    EXPECT_EQ(d.check(), tc.expected);
    // The check fields take the expected room: footer and index are fixed,
    // so the size difference between checks is the check size.
  }
  EXPECT_EQ(Compress(data, {.check = Check::kSha256}).size() -
                Compress(data, {.check = Check::kCrc32}).size(),
            28u);
}

TEST(Compressor, CheckHelpers) {
  EXPECT_TRUE(IsCheckSupported(Check::kNone));
  EXPECT_TRUE(IsCheckSupported(Check::kCrc32));
  EXPECT_TRUE(IsCheckSupported(Check::kCrc64));
  EXPECT_TRUE(IsCheckSupported(Check::kSha256));
  EXPECT_FALSE(IsCheckSupported(Check::kUnknown));
  EXPECT_FALSE(IsCheckSupported(static_cast<Check>(5)));
  EXPECT_EQ(CheckName(0), "None");
  EXPECT_EQ(CheckName(1), "CRC32");
  EXPECT_EQ(CheckName(4), "CRC64");
  EXPECT_EQ(CheckName(10), "SHA-256");
  EXPECT_EQ(CheckName(7), "Unknown-7");
}

TEST(Compressor, AloneFormat) {
  const std::string data = MixedData(50000, 13);
  const std::string out = Compress(data, {.format = Format::kAlone});
  // .lzma header: properties byte 0x5D for lc=3 lp=0 pb=2, then dict size.
  ASSERT_GT(out.size(), 13u);
  EXPECT_EQ(static_cast<uint8_t>(out[0]), 0x5D);
  EXPECT_EQ(Decompress(out), data);
  EXPECT_EQ(Decompress(out, {.format = Format::kAlone}), data);
  // With an explicit LZMA1 filter, and check kNone accepted.
  const std::string custom =
      Compress(data, {.format = Format::kAlone,
                      .check = Check::kNone,
                      .filters = FilterChain{{.id = FilterId::kLzma1,
                                              .preset = 2,
                                              .dict_size = 1 << 16,
                                              .lc = 1,
                                              .lp = 1,
                                              .pb = 1}}});
  EXPECT_EQ(static_cast<uint8_t>(custom[0]), (1 * 5 + 1) * 9 + 1);
  EXPECT_EQ(Decompress(custom), data);
}

TEST(Compressor, RawFilterChains) {
  const std::string data = MixedData(80000, 17);
  const std::vector<FilterChain> chains = {
      {{.id = FilterId::kDelta, .dist = 4},
       {.id = FilterId::kLzma2, .preset = 1}},
      {{.id = FilterId::kX86}, {.id = FilterId::kLzma2}},
      {{.id = FilterId::kArm64, .start_offset = 1 << 12},
       {.id = FilterId::kLzma2, .preset = 0}},
      {{.id = FilterId::kLzma1, .preset = 3}},
      {{.id = FilterId::kDelta, .dist = 2},
       {.id = FilterId::kX86},
       {.id = FilterId::kLzma2,
        .dict_size = 1 << 18,
        .mode = Mode::kFast,
        .nice_len = 32,
        .mf = MatchFinder::kHc4,
        .depth = 8}},
  };
  for (size_t i = 0; i < chains.size(); ++i) {
    SCOPED_TRACE(i);
    const std::string raw =
        Compress(data, {.format = Format::kRaw, .filters = chains[i]});
    EXPECT_EQ(Decompress(raw, {.format = Format::kRaw, .filters = chains[i]}),
              data);
    // The same chain in the .xz container decodes without being told it.
    if (chains[i].back().id == FilterId::kLzma2) {
      const std::string xz = Compress(data, {.filters = chains[i]});
      EXPECT_EQ(Decompress(xz), data);
    }
  }
}

TEST(Compressor, OptionErrorsUsePythonMessages) {
  const struct {
    CompressOptions options;
    ErrorCode code;
    const char* message;
  } cases[] = {
      {{.format = Format::kAuto},
       ErrorCode::kBadOptions,
       "Invalid container format"},
      {{.format = static_cast<Format>(9)},
       ErrorCode::kBadOptions,
       "Invalid container format"},
      {{.format = Format::kAlone, .check = Check::kCrc32},
       ErrorCode::kBadOptions,
       "Integrity checks are only supported by FORMAT_XZ"},
      {{.format = Format::kRaw,
        .check = Check::kSha256,
        .filters = FilterChain{{}}},
       ErrorCode::kBadOptions,
       "Integrity checks are only supported by FORMAT_XZ"},
      {{.preset = 1, .filters = FilterChain{{}}},
       ErrorCode::kBadOptions,
       "Cannot specify both preset and filter chain"},
      {{.extreme = true, .filters = FilterChain{{}}},
       ErrorCode::kBadOptions,
       "Cannot specify both preset and filter chain"},
      {{.preset = 10}, ErrorCode::kBadOptions, "Invalid compression preset"},
      {{.format = Format::kRaw},
       ErrorCode::kBadOptions,
       "Must specify filters for FORMAT_RAW"},
      {{.format = Format::kAlone,
        .filters = FilterChain{{.id = FilterId::kLzma2}}},
       ErrorCode::kBadOptions,
       "Invalid filter chain for FORMAT_ALONE"},
      {{.format = Format::kAlone,
        .filters =
            FilterChain{{.id = FilterId::kDelta}, {.id = FilterId::kLzma1}}},
       ErrorCode::kBadOptions,
       "Invalid filter chain for FORMAT_ALONE"},
      {{.check = Check::kUnknown},
       ErrorCode::kBadOptions,
       "Invalid integrity check"},
      {{.check = static_cast<Check>(-1)},
       ErrorCode::kBadOptions,
       "Invalid integrity check"},
      // A valid ID that liblzma cannot compute.
      {{.check = static_cast<Check>(7)},
       ErrorCode::kUnsupported,
       "Unsupported integrity check"},
      // .xz cannot hold LZMA1.
      {{.filters = FilterChain{{.id = FilterId::kLzma1}}},
       ErrorCode::kBadOptions,
       "LZMA1 is not allowed"},
      {{.filters =
            FilterChain{{.id = FilterId::kDelta}, {.id = FilterId::kLzma1}}},
       ErrorCode::kBadOptions,
       "LZMA1 is not allowed"},
      // liblzma itself refuses some combinations our checks let through.
      {{.format = Format::kRaw,
        .filters = FilterChain{{.id = FilterId::kArm, .start_offset = 3},
                               {.id = FilterId::kLzma2}}},
       ErrorCode::kUnsupported,
       "Invalid or unsupported options"},
  };
  for (const auto& tc : cases) {
    SCOPED_TRACE(tc.message);
    Error e = CatchError([&] { Compressor c(tc.options); });
    EXPECT_EQ(e.code(), tc.code) << e.what();
    EXPECT_NE(std::string(e.what()).find(tc.message), std::string::npos)
        << e.what();
    EXPECT_EQ(CatchError([&] { Compress("x", tc.options); }).code(), tc.code);
    // Compressor's checks are ValidateCompressOptions(): the same error,
    // without an encoder, except where only liblzma's encoder refuses.
    if (std::string(tc.message) == "Invalid or unsupported options") {
      EXPECT_NO_THROW(ValidateCompressOptions(tc.options));
    } else {
      const Error v = CatchError([&] { ValidateCompressOptions(tc.options); });
      EXPECT_EQ(v.code(), e.code());
      EXPECT_STREQ(v.what(), e.what());
    }
  }
}

// The bound for every format holds for incompressible data, the worst case.
TEST(Compressor, CompressBoundForEveryFormat) {
  const std::string data = RandomData(200000, 3);
  const CompressOptions cases[] = {
      {},
      {.check = Check::kSha256, .preset = 0},
      {.format = Format::kAlone},
      {.format = Format::kAlone, .preset = 9},
      {.format = Format::kRaw,
       .filters = FilterChain{{.id = FilterId::kLzma1}}},
      {.format = Format::kRaw,
       .filters = FilterChain{{.id = FilterId::kDelta},
                              {.id = FilterId::kLzma2, .preset = 0}}},
  };
  for (const CompressOptions& o : cases) {
    for (size_t n : {size_t{0}, size_t{1}, size_t{4096}, data.size()}) {
      const size_t bound = CompressBound(n, o);
      EXPECT_LE(Compress(std::string_view(data).substr(0, n), o).size(), bound)
          << n;
    }
  }
  EXPECT_EQ(CompressBound(1000, {}), CompressBound(1000));
  EXPECT_EQ(CatchError([] { CompressBound(1, {.preset = 10}); }).code(),
            ErrorCode::kBadOptions);
}

TEST(Compressor, CompressMemoryUsageIsLiblzmas) {
  for (uint32_t preset : {0u, 6u, 9u, 6u | kPresetExtreme}) {
    EXPECT_EQ(CompressMemoryUsage({.preset = preset}),
              lzma_easy_encoder_memusage(preset));
  }
  EXPECT_EQ(CompressMemoryUsage({.preset = 3, .extreme = true}),
            lzma_easy_encoder_memusage(3 | kPresetExtreme));
  EXPECT_EQ(CatchError([] { CompressMemoryUsage({.preset = 10}); }).code(),
            ErrorCode::kBadOptions);
}

TEST(Compressor, ValidateCompressOptionsAcceptsWhatCompressorAccepts) {
  const CompressOptions good[] = {
      {},
      {.check = Check::kSha256, .preset = 9, .extreme = true},
      {.format = Format::kAlone},
      {.format = Format::kAlone,
       .filters = FilterChain{{.id = FilterId::kLzma1}}},
      {.format = Format::kRaw,
       .filters = FilterChain{{.id = FilterId::kDelta, .dist = 2},
                              {.id = FilterId::kLzma2, .preset = 1}}},
  };
  for (const CompressOptions& o : good) {
    EXPECT_NO_THROW(ValidateCompressOptions(o));
    EXPECT_NO_THROW(Compressor{o});
  }
}

// A dictionary above the encoder's 1.5 GiB limit is a valid spec (raw
// decoders accept any 32-bit size, as in Python); the encoder refuses it.
TEST(FilterSpecValidation, HugeDictionaryIsForDecodersOnly) {
  const FilterChain chain = {{.id = FilterId::kLzma2, .dict_size = 0xFFFFFFFF}};
  EXPECT_NO_THROW(LzmaFilters::FromChain(chain));
  EXPECT_NO_THROW(Decompressor({.format = Format::kRaw, .filters = chain}));
  EXPECT_EQ(CatchError([&] {
              Compressor c({.format = Format::kRaw, .filters = chain});
            }).code(),
            ErrorCode::kUnsupported);
}

// Filter spec validation: each error is kBadOptions and names the field.
TEST(FilterSpecValidation, ErrorsNameTheField) {
  const struct {
    FilterChain chain;
    const char* field;
  } cases[] = {
      {{{.id = FilterId::kLzma2, .dict_size = 1024}}, "'dict_size'"},
      {{{.id = FilterId::kLzma2, .lc = 5}}, "'lc'"},
      {{{.id = FilterId::kLzma2, .lp = 5}}, "'lp'"},
      {{{.id = FilterId::kLzma2, .pb = 5}}, "'pb'"},
      {{{.id = FilterId::kLzma2, .lc = 3, .lp = 2}}, "'lc'"},
      {{{.id = FilterId::kLzma1, .lc = 4, .lp = 4}}, "'lc'"},
      {{{.id = FilterId::kLzma2, .nice_len = 1}}, "'nice_len'"},
      {{{.id = FilterId::kLzma2, .nice_len = 274}}, "'nice_len'"},
      {{{.id = FilterId::kLzma2, .preset = 10}}, "'preset'"},
      {{{.id = FilterId::kLzma2, .mode = static_cast<Mode>(7)}}, "'mode'"},
      {{{.id = FilterId::kLzma2, .mf = static_cast<MatchFinder>(0x77)}},
       "'mf'"},
      {{{.id = FilterId::kLzma2, .dist = 2}}, "'dist'"},
      {{{.id = FilterId::kLzma2, .start_offset = 2}}, "'start_offset'"},
      {{{.id = FilterId::kDelta, .dist = 0}, {}}, "'dist'"},
      {{{.id = FilterId::kDelta, .dist = 257}, {}}, "'dist'"},
      {{{.id = FilterId::kDelta, .preset = 1}, {}}, "'preset'"},
      {{{.id = FilterId::kDelta, .start_offset = 4}, {}}, "'start_offset'"},
      {{{.id = FilterId::kX86, .dict_size = 1 << 20}, {}}, "'dict_size'"},
      {{{.id = FilterId::kX86, .dist = 1}, {}}, "'dist'"},
      {{{.id = static_cast<FilterId>(0x4242)}, {}}, "'id'"},
      {{{.id = FilterId::kDelta}}, "'id'"},  // last filter must be LZMA
      {{{.id = FilterId::kLzma2}, {.id = FilterId::kLzma2}}, "'id'"},
  };
  for (const auto& tc : cases) {
    SCOPED_TRACE(tc.field);
    Error e = CatchError([&] { LzmaFilters::FromChain(tc.chain); });
    EXPECT_EQ(e.code(), ErrorCode::kBadOptions) << e.what();
    EXPECT_NE(std::string(e.what()).find(tc.field), std::string::npos)
        << e.what();
    EXPECT_EQ(CatchError([&] {
                Compressor c({.format = Format::kRaw, .filters = tc.chain});
              }).code(),
              ErrorCode::kBadOptions);
  }
  // The index of the bad filter is named too.
  Error e = CatchError([&] {
    LzmaFilters::FromChain({{.id = FilterId::kX86},
                            {.id = FilterId::kDelta, .dist = 300},
                            {.id = FilterId::kLzma2}});
  });
  EXPECT_NE(std::string(e.what()).find("filter 1"), std::string::npos)
      << e.what();
}

TEST(FilterSpecValidation, ChainLength) {
  EXPECT_EQ(CatchError([] { LzmaFilters::FromChain({}); }).code(),
            ErrorCode::kBadOptions);
  FilterChain five(4, FilterSpec{.id = FilterId::kDelta});
  five.push_back({});
  EXPECT_EQ(CatchError([&] { LzmaFilters::FromChain(five); }).code(),
            ErrorCode::kBadOptions);
  FilterChain four(3, FilterSpec{.id = FilterId::kDelta});
  four.push_back({});
  EXPECT_EQ(LzmaFilters::FromChain(four).size(), 4u);
}

TEST(FilterSpecValidation, PresetAndOverrides) {
  LzmaFilters f = LzmaFilters::FromPreset(6);
  EXPECT_EQ(f.size(), 1u);
  EXPECT_EQ(f.dict_size(), 8u << 20);
  EXPECT_EQ(LzmaFilters::FromPreset(0).dict_size(), 256u << 10);
  EXPECT_EQ(LzmaFilters::FromPreset(9 | kPresetExtreme).dict_size(), 64u << 20);
  EXPECT_EQ(
      LzmaFilters::FromChain({{.preset = 1, .dict_size = 12345}}).dict_size(),
      12345u);
  EXPECT_EQ(CatchError([] { LzmaFilters::FromPreset(10); }).code(),
            ErrorCode::kBadOptions);
  EXPECT_EQ(CatchError([] { ValidatePreset(99 | kPresetExtreme); }).code(),
            ErrorCode::kBadOptions);
}

TEST(FilterProperties, RoundTrip) {
  const FilterSpec specs[] = {
      {.id = FilterId::kLzma1, .dict_size = 1 << 20, .lc = 3, .lp = 0, .pb = 2},
      {.id = FilterId::kLzma1, .dict_size = 12345, .lc = 0, .lp = 4, .pb = 4},
      {.id = FilterId::kLzma2, .dict_size = 1 << 20},
      {.id = FilterId::kLzma2, .dict_size = 3 << 22},
      {.id = FilterId::kDelta, .dist = 1},
      {.id = FilterId::kDelta, .dist = 256},
      {.id = FilterId::kX86},
      {.id = FilterId::kX86, .start_offset = 0x1000},
      {.id = FilterId::kArm64, .start_offset = 64},
  };
  for (const FilterSpec& spec : specs) {
    SCOPED_TRACE(static_cast<uint64_t>(spec.id));
    const std::string props = EncodeFilterProperties(spec);
    EXPECT_EQ(DecodeFilterProperties(spec.id, props), spec);
    EXPECT_EQ(EncodeFilterProperties(DecodeFilterProperties(spec.id, props)),
              props);
  }
  // Sizes as in the .xz specification.
  EXPECT_EQ(EncodeFilterProperties({.id = FilterId::kLzma1}).size(), 5u);
  EXPECT_EQ(EncodeFilterProperties({.id = FilterId::kLzma2}).size(), 1u);
  EXPECT_EQ(EncodeFilterProperties({.id = FilterId::kDelta}).size(), 1u);
  EXPECT_EQ(EncodeFilterProperties({.id = FilterId::kX86}).size(), 0u);
  // LZMA2 properties round dict_size up to 2^n or 3*2^n and store nothing
  // else: lc/lp/pb/preset do not come back.
  const std::string p = EncodeFilterProperties(
      {.id = FilterId::kLzma2, .preset = 1, .dict_size = 1000000, .lc = 2});
  EXPECT_EQ(DecodeFilterProperties(FilterId::kLzma2, p),
            (FilterSpec{.id = FilterId::kLzma2, .dict_size = 1 << 20}));
}

TEST(FilterProperties, Errors) {
  EXPECT_EQ(CatchError([] {
              EncodeFilterProperties({.id = FilterId::kDelta, .dist = 0});
            }).code(),
            ErrorCode::kBadOptions);
  // Reserved bits / too-large dictionary / wrong sizes are refused.
  for (const std::string& bad : {std::string("\x41", 1), std::string("\x29", 1),
                                 std::string("\x10\x10", 2), std::string()}) {
    EXPECT_NE(CatchError([&] {
                DecodeFilterProperties(FilterId::kLzma2, bad);
              }).code(),
              ErrorCode::kInternal);
  }
  EXPECT_NE(CatchError([] {
              DecodeFilterProperties(FilterId::kLzma1,
                                     std::string("\xFF\0\0\0\0", 5));
            }).code(),
            ErrorCode::kInternal);
}

TEST(CompressInto, OneShotWithinBound) {
  for (size_t size :
       {size_t{0}, size_t{1}, size_t{1000}, size_t{70000}, size_t{300000}}) {
    SCOPED_TRACE(size);
    for (const std::string& data : {RandomData(size, size), MixedData(size)}) {
      std::vector<uint8_t> buf(CompressBound(data.size()));
      const size_t n = CompressInto(data, buf);
      ASSERT_LE(n, buf.size());
      const std::string out(reinterpret_cast<const char*>(buf.data()), n);
      EXPECT_EQ(out, Compress(data));
      EXPECT_EQ(Decompress(out), data);
    }
  }
  EXPECT_GT(CompressBound(1000), 1000u);
}

TEST(CompressInto, OneShotOtherFormats) {
  const std::string data = MixedData(20000, 2);
  for (const CompressOptions& o :
       {CompressOptions{.format = Format::kAlone},
        CompressOptions{.format = Format::kRaw,
        .filters = FilterChain{{.id = FilterId::kLzma2}}},
        CompressOptions{.check = Check::kSha256, .preset = 0}}) {
    std::vector<uint8_t> buf(CompressBound(data.size()) + 1024);
    const size_t n = CompressInto(data, buf, o);
    EXPECT_EQ(std::string(reinterpret_cast<const char*>(buf.data()), n),
              Compress(data, o));
  }
}

TEST(CompressInto, TooSmallBufferFails) {
  const std::string data = RandomData(10000);
  for (size_t size : {size_t{0}, size_t{10}, size_t{5000}, size_t{10050}}) {
    std::vector<uint8_t> buf(size);
    Error e = CatchError([&] { CompressInto(data, buf); });
    EXPECT_EQ(e.code(), ErrorCode::kTruncated) << e.what();
  }
  std::vector<uint8_t> bad(100);
  EXPECT_EQ(CatchError([&] { CompressInto("x", bad, {.preset = 12}); }).code(),
            ErrorCode::kBadOptions);
}

// The streaming zero-copy calls with tiny output windows produce exactly the
// bytes of compress()/flush().
TEST(CompressInto, StreamingSmallWindows) {
  const std::string data = MixedData(100000, 21);
  const std::string expected = Compress(data, {.preset = 1});
  for (size_t window : {size_t{1}, size_t{7}, size_t{4096}}) {
    SCOPED_TRACE(window);
    Compressor c({.preset = 1});
    std::vector<uint8_t> buf(window);
    std::string out;
    std::string_view in = data;
    while (!in.empty()) {
      const size_t chunk = std::min<size_t>(in.size(), 30000);
      Compressor::Progress p = c.compress_into(in.substr(0, chunk), buf);
      EXPECT_LE(p.produced, window);
      EXPECT_FALSE(p.finished);
      // Either all input was taken or the window is full.
      EXPECT_TRUE(p.consumed == chunk || p.produced == window);
      out.append(reinterpret_cast<const char*>(buf.data()), p.produced);
      in.remove_prefix(p.consumed);
    }
    for (int rounds = 0;; ++rounds) {
      ASSERT_LT(rounds, 1000000);
      Compressor::Progress p = c.flush_into(buf);
      EXPECT_EQ(p.consumed, 0u);
      out.append(reinterpret_cast<const char*>(buf.data()), p.produced);
      if (p.finished) break;
      EXPECT_FALSE(c.flushed());
      EXPECT_EQ(p.produced, window);
    }
    EXPECT_TRUE(c.flushed());
    EXPECT_EQ(out, expected);
    EXPECT_EQ(CatchError([&] { c.flush_into(buf); }).code(),
              ErrorCode::kMisuse);
  }
}

TEST(CompressInto, CompressAfterFlushStartedIsMisuse) {
  Compressor c;
  std::string out = c.compress(MixedData(50000));
  std::vector<uint8_t> buf(16);
  Compressor::Progress p = c.flush_into(buf);
  ASSERT_FALSE(p.finished);
  Error e = CatchError([&] { c.compress("more"); });
  EXPECT_EQ(e.code(), ErrorCode::kMisuse) << e.what();
  EXPECT_EQ(CatchError([&] { c.compress_into("more", buf); }).code(),
            ErrorCode::kMisuse);
  // The stream can still be finished, by either form.
  out.append(reinterpret_cast<const char*>(buf.data()), p.produced);
  out += c.flush();
  EXPECT_EQ(Decompress(out), MixedData(50000));
}

TEST(CompressInto, EmptyWindow) {
  Compressor c;
  Compressor::Progress p = c.compress_into("abc", {});
  EXPECT_EQ(p.produced, 0u);
  p = c.compress_into("abc", std::span<uint8_t>());
  EXPECT_EQ(p.produced, 0u);
  std::string out = c.compress(std::string("abc").substr(p.consumed));
  out += c.flush();
  EXPECT_EQ(Decompress(out).substr(0, 3), "abc");
}

TEST(ErrorType, MessageFormatAndNames) {
  Error e(ErrorCode::kCorruptData, "decompress", "Corrupt input data", 1234);
  EXPECT_STREQ(
      e.what(),
      "decompress failed: Corrupt input data (at compressed byte 1234)");
  EXPECT_EQ(e.operation(), "decompress");
  EXPECT_EQ(e.detail(), "Corrupt input data");
  EXPECT_EQ(e.offset(), 1234u);
  Error f(ErrorCode::kMisuse, "flush", "Repeated call to flush()");
  EXPECT_STREQ(f.what(), "flush failed: Repeated call to flush()");
  EXPECT_FALSE(f.offset().has_value());
  EXPECT_EQ(ErrorCodeName(ErrorCode::kMemLimit), "memory limit reached");
  EXPECT_EQ(ErrorCodeName(ErrorCode::kCorruptData), "corrupt data");
  EXPECT_EQ(LzmaError(LZMA_DATA_ERROR, "x").code(), ErrorCode::kCorruptData);
  EXPECT_EQ(LzmaError(LZMA_FORMAT_ERROR, "x").code(), ErrorCode::kCorruptData);
  EXPECT_EQ(LzmaError(LZMA_MEMLIMIT_ERROR, "x").code(), ErrorCode::kMemLimit);
  EXPECT_EQ(LzmaError(LZMA_MEM_ERROR, "x").code(), ErrorCode::kOutOfMemory);
  EXPECT_EQ(LzmaError(LZMA_OPTIONS_ERROR, "x").code(), ErrorCode::kUnsupported);
  EXPECT_EQ(LzmaError(LZMA_BUF_ERROR, "x").code(), ErrorCode::kTruncated);
  EXPECT_EQ(LzmaError(LZMA_PROG_ERROR, "x").code(), ErrorCode::kInternal);
  EXPECT_TRUE(IsLzmaSuccess(LZMA_GET_CHECK));
  EXPECT_FALSE(IsLzmaSuccess(LZMA_UNSUPPORTED_CHECK));
}

}  // namespace
}  // namespace parxz
