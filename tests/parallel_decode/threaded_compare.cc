#include "tests/parallel_decode/threaded_compare.h"

#include <lzma.h>

#include <algorithm>
#include <cstdint>
#include <span>
#include <utility>

#include "core/decompressor.h"

namespace parxz::testing {

namespace {

uint64_t Mix(uint64_t& s) {
  s += 0x9E3779B97F4A7C15ull;
  uint64_t z = s;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

// One decoder behind one interface.
template <typename D>
std::string Call(D& d, std::string_view in, const Step& s) {
  if (s.into && s.max_length >= 0) {
    std::string buf(static_cast<size_t>(s.max_length), '\xAA');
    const size_t n = d.decompress_into(
        in,
        std::span<uint8_t>(reinterpret_cast<uint8_t*>(buf.data()), buf.size()));
    buf.resize(n);
    return buf;
  }
  return d.decompress(in, s.max_length);
}

// Feeds `d` the schedule, then drains; `check` sees each call's output
// (and returns a failure text or "").
template <typename D, typename Check>
DecoderRun Drive(D& d, std::string_view input,
                 const std::vector<Step>& schedule, int64_t drain,
                 size_t max_calls, std::string* failure, Check check) {
  DecoderRun r;
  size_t fed = 0;
  auto one = [&](std::string_view in, const Step& s) -> bool {
    ++r.calls;
    std::string got;
    try {
      got = Call(d, in, s);
    } catch (const Error& e) {
      r.error = e.code();
      r.error_what = e.what();
      // Errors stick.
      try {
        d.decompress("", -1);
        if (failure->empty()) *failure = "no error after an error";
      } catch (const Error& e2) {
        if (e2.code() != e.code() && failure->empty())
          *failure = std::string("error did not stick: ") + e2.what();
      }
      return false;
    }
    if (s.max_length >= 0 && got.size() > static_cast<size_t>(s.max_length) &&
        failure->empty()) {
      *failure = "call " + std::to_string(r.calls) + " returned " +
                 std::to_string(got.size()) + " > max_length " +
                 std::to_string(s.max_length);
    }
    r.out += got;
    if (d.total_out() != r.out.size() && failure->empty())
      *failure = "total_out " + std::to_string(d.total_out()) +
                 " != " + std::to_string(r.out.size());
    const std::string c = check(r.out);
    if (!c.empty() && failure->empty())
      *failure = "call " + std::to_string(r.calls) + ": " + c;
    return !d.eof();
  };
  bool going = true;
  for (const Step& s : schedule) {
    if (!going || r.calls >= max_calls) break;
    const size_t n = std::min(s.chunk, input.size() - fed);
    going = one(input.substr(fed, n), s);
    if (!r.error) fed += n;
  }
  const Step last{0, drain, false};
  while (going && !d.needs_input() && r.calls < max_calls) {
    going = one({}, last);
  }
  r.capped = r.calls >= max_calls;
  r.eof = d.eof();
  r.needs_input = d.needs_input();
  r.check = d.check();
  if (r.eof) r.unused = d.unused_data() + std::string(input.substr(fed));
  if (r.eof && r.needs_input && failure->empty())
    *failure = "needs_input() at eof";
  if (!r.eof && !d.unused_data().empty() && failure->empty())
    *failure = "unused_data() before eof";
  return r;
}

// What liblzma's own decoder writes before it stops (an error, the end, or
// the end of the input), straight from lzma_code(): unlike Decompressor,
// which drops the output of a call that throws, this keeps every byte
// decoded before an error. nullopt for kRaw (no reference; the threaded
// decoder is core's Decompressor there).
std::optional<std::string> LiblzmaOutput(std::string_view input,
                                         const DecompressOptions& o) {
  lzma_stream s = LZMA_STREAM_INIT;
  const uint64_t limit = o.memlimit.value_or(UINT64_MAX);
  const uint32_t flags = o.ignore_check ? LZMA_IGNORE_CHECK : 0;
  lzma_ret ret = LZMA_PROG_ERROR;
  switch (o.format) {
    case Format::kAuto:
      ret = lzma_auto_decoder(&s, limit, flags);
      break;
    case Format::kXz:
      ret = lzma_stream_decoder(&s, limit, flags);
      break;
    case Format::kAlone:
      ret = lzma_alone_decoder(&s, limit);
      break;
    default:
      return std::nullopt;
  }
  std::string out;
  if (ret == LZMA_OK) {
    s.next_in = reinterpret_cast<const uint8_t*>(input.data());
    s.avail_in = input.size();
    std::string buf(1 << 16, '\0');
    do {
      s.next_out = reinterpret_cast<uint8_t*>(buf.data());
      s.avail_out = buf.size();
      ret = lzma_code(&s, LZMA_RUN);
      out.append(buf.data(), buf.size() - s.avail_out);
    } while (ret == LZMA_OK && s.avail_out == 0);
  }
  lzma_end(&s);
  return out;
}

}  // namespace

std::vector<Step> MakeSchedule(size_t input_size, size_t chunk, Pick chunks,
                               int64_t max_length, Pick lengths,
                               uint64_t seed) {
  std::vector<Step> s;
  uint64_t rng = seed;
  size_t left = input_size;
  do {
    Step step;
    const size_t c = std::max<size_t>(1, chunk);
    step.chunk = chunks == Pick::kFixed ? c : 1 + Mix(rng) % c;
    step.chunk = std::min(step.chunk, left);
    step.max_length = max_length;
    if (lengths == Pick::kRandom && max_length > 0)
      step.max_length = static_cast<int64_t>(
          Mix(rng) % (static_cast<uint64_t>(max_length) + 1));
    step.into = step.max_length >= 0 && Mix(rng) % 2 == 0;
    left -= step.chunk;
    s.push_back(step);
  } while (left > 0);
  return s;
}

Comparison CompareCallByCall(std::string_view input,
                             const std::vector<Step>& schedule,
                             const ThreadedDecompressOptions& options,
                             int64_t drain, size_t max_calls) {
  Comparison c;
  std::string ignored;
  {
    Decompressor seq(options.base);
    c.sequential = Drive(seq, input, schedule, drain, max_calls, &ignored,
                         [](const std::string&) { return std::string(); });
  }
  // The prefix every threaded output must be of: all the sequential decoder
  // decoded, including what a call that failed decoded before failing.
  const std::string want =
      LiblzmaOutput(input, options.base).value_or(c.sequential.out);
  if (!c.sequential.error && want != c.sequential.out && c.sequential.eof) {
    c.failure = "test bug: liblzma and Decompressor disagree";
    return c;
  }
  ThreadedDecompressor thr(options);
  c.threaded = Drive(
      thr, input, schedule, drain, max_calls, &c.failure,
      [&](const std::string& out) -> std::string {
        if (out.size() > want.size() || want.compare(0, out.size(), out) != 0)
          return "output is not a prefix of the sequential output (" +
                 std::to_string(out.size()) + " bytes vs " +
                 std::to_string(want.size()) + ")";
        return "";
      });
  c.threaded_flushed = c.threaded.out;
  if (!c.threaded.eof && !c.threaded.error) {
    // A flush that meets an error after some output returns the output and
    // the next call raises (threaded_decompressor.h): two calls at most.
    for (int i = 0; i < 2 && !thr.eof() && !c.flush_error; ++i) {
      try {
        c.threaded_flushed += thr.decompress("", -1);
      } catch (const Error& e) {
        c.flush_error = e.code();
        c.flush_error_what = e.what();
      }
      if (thr.needs_input()) break;
    }
    c.needs_input_after_flush = !c.flush_error && thr.needs_input();
  }
  c.stats = thr.stats();
  if (!c.failure.empty()) return c;
  const DecoderRun& s = c.sequential;
  const DecoderRun& t = c.threaded;
  if (s.capped || t.capped) return c;
  auto fail = [&](const std::string& why) {
    c.failure = why + " (sequential: " +
                (s.error ? s.error_what
                         : std::to_string(s.out.size()) + " bytes" +
                               (s.eof ? ", eof" : "")) +
                "; threaded: " +
                (t.error ? t.error_what
                         : std::to_string(t.out.size()) + " bytes" +
                               (t.eof ? ", eof" : "")) +
                ")";
    return c;
  };
  if (s.error && !t.error) {
    // Stopped asking for input before the sequential decoder's error: a
    // call with max_length < 0 decodes every complete Block and must find
    // it, unless it lies in a Block whose bytes are not all there (input
    // both truncated and corrupt), which only the sequential decoder
    // decodes in part.
    if (c.flush_error) {
      if (*c.flush_error != *s.error)
        return fail("different error codes after the flush: " +
                    c.flush_error_what);
      return c;
    }
    // The flush waited for every Block in flight: only a decoder that
    // waits for the rest of an incomplete Block asks for input now.
    if (!c.needs_input_after_flush)
      return fail("the sequential decoder failed, not this");
    return c;
  }
  if (c.flush_error) return fail("flush failed: " + c.flush_error_what);
  if (s.error.has_value() != t.error.has_value())
    return fail("one decoder failed, the other did not");
  if (s.error) {
    if (*s.error != *t.error) return fail("different error codes");
    return c;
  }
  if (s.eof != t.eof) return fail("eof differs");
  if (c.threaded_flushed.size() > want.size() ||
      want.compare(0, c.threaded_flushed.size(), c.threaded_flushed) != 0 ||
      s.out.compare(0, c.threaded_flushed.size(), c.threaded_flushed) != 0)
    return fail("flushed output is not a prefix");
  if (s.eof) {
    if (s.out != t.out) return fail("output differs");
    if (t.out != want) return fail("output differs from liblzma's");
    if (s.unused != t.unused) return fail("unused_data differs");
    if (s.check != t.check) return fail("check differs");
  }
  return c;
}

}  // namespace parxz::testing
