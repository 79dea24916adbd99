// Fuzz target: the sequential Decompressor (core/decompressor.h) on arbitrary
// bytes, in every format.
//
// Input layout: byte 0 picks the format, a raw filter chain and a memory
// limit; byte 1 seeds the schedule of chunk sizes, max_length values and
// decompress()/decompress_into() calls; the rest is the compressed data.
//
// Checked invariants (the documented semantics of Python's LZMADecompressor):
//   - a call never returns more than max_length bytes;
//   - after eof() every call throws kEndOfStream, and unused_data() holds
//     exactly the input that followed the stream;
//   - unused_data() stays empty before eof();
//   - needs_input() is false at eof, and true after a call that returned
//     less than it was allowed to;
//   - total_out() counts the bytes returned;
//   - the first error sticks: every later call throws the same code;
//   - DecompressInto() gives the one-shot's bytes in a buffer of their size
//     or larger, kTruncated in a smaller one, and the one-shot's error (or
//     "too small" first);
//   - the result (bytes, verdict, unused data) does not depend on how the
//     input was chunked, and agrees with the one-shot decompress(); with one
//     exception that liblzma 5.4 and CPython's LZMADecompressor share: a
//     .lzma stream whose header records its size and that is followed by
//     more bytes (an end marker, or anything) may decode when fed whole and
//     fail with kCorruptData when the bytes after its payload arrive in
//     small pieces. Then the chunked output is a prefix of the whole one.
//     (tests/core/interop_test.cc checks that CPython behaves the same way.)
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/decompressor.h"
#include "core/error.h"
#include "core/options.h"
#include "tests/fuzz/fuzz_util.h"

namespace parxz::fuzz {
namespace {

// Decoded output beyond this ends a run early (decompression bombs are not
// bugs); the comparisons below are skipped then.
constexpr uint64_t kOutputCap = 4 << 20;

DecompressOptions PickOptions(uint8_t b) {
  DecompressOptions o;
  o.format = static_cast<Format>(b & 3);
  if (o.format == Format::kRaw) {
    switch ((b >> 2) & 3) {
      case 0:
        o.filters = FilterChain{{.id = FilterId::kLzma2, .dict_size = 1 << 16}};
        break;
      case 1:
        o.filters = FilterChain{{.id = FilterId::kLzma1, .dict_size = 1 << 16}};
        break;
      case 2:
        o.filters = FilterChain{
            {.id = FilterId::kDelta, .dist = 4},
            {.id = FilterId::kLzma2, .preset = 0, .dict_size = 1 << 16}};
        break;
      default:
        o.filters = FilterChain{
            {.id = FilterId::kX86},
            {.id = FilterId::kLzma2, .preset = 1, .dict_size = 1 << 16}};
        break;
    }
    return o;
  }
  switch ((b >> 4) & 3) {
    case 0:
      // The usual case: generous, but below the 4 GiB dictionary a header
      // may ask for (ASan would spend 512 MiB of shadow on it per run).
      o.memlimit = 128 << 20;
      break;
    case 1:
      o.memlimit = 1 << 20;
      break;
    case 2:
      o.memlimit = 1;  // every real stream exceeds it: kMemLimit
      break;
    default:
      // Beyond every dictionary xz writes (1.5 GiB at most), but short of
      // the 4 GiB a .lzma header may ask for: allocating and freeing that
      // under ASan took over a minute on a loaded machine (a libFuzzer
      // timeout in the 2026-12-06 campaign), which is not a finding.
      o.memlimit = uint64_t{1600} << 20;
      break;
  }
  return o;
}

struct Outcome {
  std::string out;
  std::optional<ErrorCode> error;
  bool eof = false;
  std::string unused;  // the stream's unused_data plus input never fed
  bool capped = false;
};

// Decodes `data` with one Decompressor, in chunks chosen by `rng`.
Outcome Stream(std::string_view data, const DecompressOptions& options,
               Rng& rng) {
  Outcome r;
  Decompressor d(options);
  size_t fed = 0;
  uint64_t total_in = 0;
  std::vector<uint8_t> buf;
  for (int calls = 0;; ++calls) {
    const size_t chunk = rng.Size(data.size() - fed);
    const std::string_view in = data.substr(fed, chunk);
    int64_t max_length = -1;
    switch (rng.Below(5)) {
      case 0:
        break;
      case 1:
        max_length = 0;
        break;
      case 2:
        max_length =
            1 + static_cast<int64_t>(rng.Below(rng.Below(4) == 0 ? 16 : 4096));
        break;
      default:
        max_length = static_cast<int64_t>(rng.Below(1 << 17));
        break;
    }
    const bool was_eof = d.eof();
    const bool into = max_length >= 0 && rng.Below(2) == 0;
    std::string got;
    try {
      if (into) {
        buf.assign(static_cast<size_t>(max_length), 0xAA);
        const size_t n = d.decompress_into(in, buf);
        FUZZ_CHECK(n <= buf.size(), "decompress_into wrote %zu > %zu", n,
                   buf.size());
        got.assign(reinterpret_cast<const char*>(buf.data()), n);
      } else {
        got = d.decompress(in, max_length);
      }
    } catch (const Error& e) {
      if (was_eof) {
        FUZZ_CHECK(e.code() == ErrorCode::kEndOfStream, "after eof: %s",
                   e.what());
        FUZZ_CHECK(d.eof());
        // The input of this call was refused: it follows unused_data.
        r.unused = d.unused_data() + std::string(data.substr(fed));
        return r;
      }
      if (r.error) {
        FUZZ_CHECK(e.code() == *r.error, "error did not stick: %s", e.what());
        return r;
      }
      FUZZ_CHECK(e.code() != ErrorCode::kEndOfStream, "%s", e.what());
      FUZZ_CHECK(e.code() != ErrorCode::kInternal, "%s", e.what());
      FUZZ_CHECK(e.what()[0] != '\0');
      FUZZ_CHECK(!d.eof());
      r.error = e.code();
      // Errors stick: one more call must fail the same way.
      try {
        d.decompress("x", -1);
        FUZZ_CHECK(false, "no error after an error");
      } catch (const Error& e2) {
        FUZZ_CHECK(e2.code() == e.code(), "%s then %s", e.what(), e2.what());
      }
      return r;
    }
    FUZZ_CHECK(!was_eof, "decompress() after eof did not throw");
    fed += chunk;
    if (max_length >= 0) {
      FUZZ_CHECK(got.size() <= static_cast<uint64_t>(max_length),
                 "returned %zu bytes, max_length %lld", got.size(),
                 static_cast<long long>(max_length));
    }
    r.out += got;
    FUZZ_CHECK(d.total_out() == r.out.size(), "total_out %llu != %zu",
               static_cast<unsigned long long>(d.total_out()), r.out.size());
    FUZZ_CHECK(d.total_in() >= total_in);
    total_in = d.total_in();
    if (d.eof()) {
      FUZZ_CHECK(!d.needs_input(), "needs_input at eof");
      r.eof = true;
      // Stay at eof: more calls throw (checked on the next iteration).
      if (rng.Below(2) == 0) {
        r.unused = d.unused_data() + std::string(data.substr(fed));
        return r;
      }
      continue;
    }
    FUZZ_CHECK(d.unused_data().empty(), "unused_data before eof");
    if (max_length < 0 || got.size() < static_cast<uint64_t>(max_length)) {
      FUZZ_CHECK(d.needs_input(),
                 "returned %zu < max_length %lld but needs_input is false",
                 got.size(), static_cast<long long>(max_length));
    }
    if (r.out.size() > kOutputCap) {
      r.capped = true;
      return r;
    }
    if (fed == data.size() && d.needs_input()) {
      // All input given and nothing pending: the stream is unfinished.
      return r;
    }
    if (calls > 20000) {
      r.capped = true;  // a very long schedule of max_length=0 calls
      return r;
    }
  }
}

// A .lzma (LZMA_Alone) stream whose header records the uncompressed size:
// what the decoder picks for FORMAT_ALONE, and for FORMAT_AUTO when the
// first byte is neither .xz's nor .lz's.
bool IsKnownSizeAlone(std::string_view data, const DecompressOptions& o) {
  if (data.size() < 13) return false;
  const auto first = static_cast<uint8_t>(data[0]);
  const bool alone =
      o.format == Format::kAlone ||
      (o.format == Format::kAuto && first != 0xFD && first != 'L');
  return alone && data.substr(5, 8) != std::string(8, '\xFF');
}

// The same input in a single call without an output limit.
Outcome Whole(std::string_view data, const DecompressOptions& options) {
  Outcome r;
  Decompressor d(options);
  try {
    r.out = d.decompress(data);
  } catch (const Error& e) {
    r.error = e.code();
    return r;
  }
  r.eof = d.eof();
  r.unused = d.unused_data();
  FUZZ_CHECK(d.eof() || d.needs_input());
  return r;
}

}  // namespace
}  // namespace parxz::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace parxz;
  using namespace parxz::fuzz;
  FuzzInput input(data, size);
  const DecompressOptions options = PickOptions(input.Byte());
  Rng rng(input.Byte());
  const std::string_view payload = input.Rest();

  const Outcome s = Stream(payload, options, rng);
  if (s.capped) return 0;
  const Outcome w = Whole(payload, options);
  if (s.error == ErrorCode::kCorruptData && !w.error &&
      IsKnownSizeAlone(payload, options)) {
    FUZZ_CHECK(w.out.compare(0, s.out.size(), s.out) == 0,
               "chunked output is not a prefix of the whole output");
    return 0;
  }
  FUZZ_CHECK(s.error.has_value() == w.error.has_value(),
             "chunked and whole disagree on failing (%d vs %d)",
             s.error ? static_cast<int>(*s.error) : 0,
             w.error ? static_cast<int>(*w.error) : 0);
  if (s.error) {
    FUZZ_CHECK(*s.error == *w.error, "codes %d vs %d",
               static_cast<int>(*s.error), static_cast<int>(*w.error));
  } else {
    FUZZ_CHECK(s.eof == w.eof);
    FUZZ_CHECK(s.out == w.out, "chunked and whole output differ");
    if (s.eof) FUZZ_CHECK(s.unused == w.unused, "unused_data differs");
  }

  // One-shot decompress(): concatenated streams, Python's rules.
  std::string one;
  std::optional<ErrorCode> one_error;
  try {
    one = Decompress(payload, options);
  } catch (const Error& e) {
    one_error = e.code();
    FUZZ_CHECK(e.what()[0] != '\0');
    FUZZ_CHECK(e.code() != ErrorCode::kInternal, "%s", e.what());
  }
  if (w.error) {
    FUZZ_CHECK(one_error == w.error, "one-shot did not fail like the stream");
  } else if (!w.eof) {
    FUZZ_CHECK(one_error == ErrorCode::kTruncated,
               "one-shot accepted an unfinished stream");
  } else if (!one_error) {
    FUZZ_CHECK(one.compare(0, w.out.size(), w.out) == 0,
               "one-shot output does not start with the first stream");
    if (w.unused.empty()) FUZZ_CHECK(one == w.out);
  } else {
    // The first stream decoded: later garbage is ignored, but a later stream
    // that starts and does not end is kTruncated (Python raises too).
    FUZZ_CHECK(*one_error == ErrorCode::kTruncated,
               "one-shot failed after a complete first stream: %d",
               static_cast<int>(*one_error));
  }

  // The same into a caller's buffer (DecompressInto, which decodes one
  // whole .xz Stream straight into it): the same bytes in a buffer of
  // exactly the output's size and in a larger one, kTruncated in a smaller
  // one; where the one-shot failed, the same error in a buffer of kOutputCap
  // bytes (or "too small" when the output before the error did not fit).
  static std::vector<uint8_t> big(kOutputCap);
  if (one_error) {
    try {
      DecompressInto(payload, big, options);
      FUZZ_CHECK(false, "into succeeded, one-shot failed (%d)",
                 static_cast<int>(*one_error));
    } catch (const Error& e) {
      const bool full = std::string_view(e.what()).find("too small") !=
                        std::string_view::npos;
      FUZZ_CHECK(e.code() == *one_error || full,
                 "into failed with %d, one-shot with %d: %s",
                 static_cast<int>(e.code()), static_cast<int>(*one_error),
                 e.what());
    }
  } else if (one.size() <= kOutputCap) {
    for (const size_t extra : {size_t{0}, size_t{64}, size_t{1}}) {
      const bool smaller = extra == 1;
      if (smaller && one.empty()) continue;
      std::vector<uint8_t> buf(smaller ? one.size() - 1 : one.size() + extra);
      try {
        const size_t n = DecompressInto(payload, buf, options);
        FUZZ_CHECK(!smaller, "%zu bytes into a buffer of %zu", n, buf.size());
        FUZZ_CHECK(n == one.size() &&
                       std::string_view(
                           reinterpret_cast<const char*>(buf.data()), n) == one,
                   "into gave %zu bytes, one-shot %zu", n, one.size());
      } catch (const Error& e) {
        FUZZ_CHECK(smaller && e.code() == ErrorCode::kTruncated,
                   "into failed with %d: %s", static_cast<int>(e.code()),
                   e.what());
      }
    }
  }
  return 0;
}
