#include "core/decompressor.h"

#include <algorithm>
#include <cstring>
#include <memory>
#include <optional>
#include <utility>

#include "core/chunked_output.h"
#include "core/lzma_stream.h"
#include "core/stream_decoder.h"
#include "core/stream_rules.h"

namespace parxz {

namespace {

constexpr char kInit[] = "decompressor init";
constexpr char kOp[] = "decompress";

}  // namespace

struct Decompressor::State {
  LzmaStream strm;
  Check check = Check::kUnknown;
  bool eof = false;
  bool needs_input = true;
  std::string unused_data;
  // Input handed to an earlier call and not consumed yet is input_[pos_..].
  std::string input;
  size_t pos = 0;
  std::optional<Error> error;

  // Where lzma_code writes: chunks appended up to `limit` bytes, or a fixed
  // span.
  struct Out {
    ChunkedOutput* chunks = nullptr;
    uint8_t* fixed = nullptr;
    size_t limit = 0;   // max bytes, SIZE_MAX for unlimited
    size_t size = 0;    // bytes of the window handed out so far
    size_t window = 0;  // chunks: the size of the last space handed out
  };

  // More room for liblzma once the window is full (or at the start).
  static void Grow(Out& out, lzma_stream* s) {
    const size_t used = out.size - s->avail_out;
    if (out.chunks != nullptr) {
      out.chunks->Commit(out.window - s->avail_out);
      const std::span<uint8_t> space = out.chunks->Space(out.limit - used);
      out.window = space.size();
      out.size = used + space.size();
      s->next_out = space.data();
    } else {
      out.size = out.limit;
      s->next_out = out.fixed + used;
    }
    s->avail_out = out.size - used;
  }

  // CPython's decompress(): prepend buffered input, run, keep the rest.
  size_t Decode(std::string_view data, Out& out) {
    if (error) throw *error;
    if (eof)
      throw Error(ErrorCode::kEndOfStream, kOp, "Already at end of stream");
    lzma_stream* s = strm.get();
    const bool buffered = pos < input.size();
    if (buffered) {
      if (pos > 0) {
        input.erase(0, pos);
        pos = 0;
      }
      input.append(data);
      s->next_in = reinterpret_cast<const uint8_t*>(input.data());
      s->avail_in = input.size();
    } else {
      input.clear();
      pos = 0;
      s->next_in = reinterpret_cast<const uint8_t*>(data.data());
      s->avail_in = data.size();
    }
    s->next_out = nullptr;
    s->avail_out = 0;
    out.size = 0;
    if (out.limit > 0) Grow(out, s);
    try {
      for (;;) {
        lzma_ret ret = lzma_code(s, LZMA_RUN);
        if (ret == LZMA_BUF_ERROR && s->avail_in == 0 && s->avail_out > 0) {
          ret = LZMA_OK;  // not a real error: simply no input yet
        }
        if (ret == LZMA_BUF_ERROR && out.limit == 0) {
          // No output was asked for, so no progress is no error. (CPython
          // raises "Insufficient buffer space" on the second such call in a
          // row, which its documentation does not describe; since errors
          // stick here, that would kill the stream.)
          ret = LZMA_OK;
        }
        if (!IsLzmaSuccess(ret)) throw LzmaError(ret, kOp, s->total_in);
        if (ret == LZMA_GET_CHECK || ret == LZMA_NO_CHECK) {
          check = static_cast<Check>(lzma_get_check(s));
        }
        if (ret == LZMA_STREAM_END) {
          eof = true;
          break;
        } else if (s->avail_out == 0) {
          if (out.size == out.limit) break;
          Grow(out, s);
        } else if (s->avail_in == 0) {
          break;
        }
      }
    } catch (const Error& e) {
      error = e;
      input.clear();
      pos = 0;
      throw;
    }
    const size_t produced = out.size - s->avail_out;
    if (out.chunks != nullptr) out.chunks->Commit(out.window - s->avail_out);
    if (eof) {
      needs_input = false;
      unused_data.assign(reinterpret_cast<const char*>(s->next_in),
                         s->avail_in);
      input.clear();
      pos = 0;
    } else if (s->avail_in == 0) {
      input.clear();
      pos = 0;
      // Output full: liblzma may still hold output, so ask for no input.
      needs_input = s->avail_out != 0;
    } else {
      needs_input = false;
      if (buffered) {
        pos = input.size() - s->avail_in;
      } else {
        input.assign(reinterpret_cast<const char*>(s->next_in), s->avail_in);
        pos = 0;
      }
    }
    s->next_in = nullptr;
    return produced;
  }
};

void ValidateDecompressOptions(const DecompressOptions& o) {
  const int format = static_cast<int>(o.format);
  if (format < 0 || format > 3) {
    throw Error(ErrorCode::kBadOptions, kInit, "Invalid container format");
  }
  if (o.format == Format::kRaw && o.memlimit) {
    throw Error(ErrorCode::kBadOptions, kInit,
                "Cannot specify memory limit with FORMAT_RAW");
  }
  if (o.format == Format::kRaw && !o.filters) {
    throw Error(ErrorCode::kBadOptions, kInit,
                "Must specify filters for FORMAT_RAW");
  }
  if (o.format != Format::kRaw && o.filters) {
    throw Error(ErrorCode::kBadOptions, kInit,
                "Cannot specify filters except with FORMAT_RAW");
  }
}

Decompressor::Decompressor(const DecompressOptions& o)
    : state_(std::make_unique<State>()) {
  ValidateDecompressOptions(o);
  const uint64_t memlimit = LzmaMemLimit(o.memlimit);
  const uint32_t flags = LZMA_TELL_ANY_CHECK | LZMA_TELL_NO_CHECK |
                         (o.ignore_check ? LZMA_IGNORE_CHECK : 0);
  lzma_stream* s = state_->strm.get();
  lzma_ret ret = LZMA_OK;
  switch (o.format) {
    case Format::kAuto:
      ret = lzma_auto_decoder(s, memlimit, flags);
      break;
    case Format::kXz:
      ret = lzma_stream_decoder(s, memlimit, flags);
      break;
    case Format::kAlone:
      state_->check = Check::kNone;
      ret = lzma_alone_decoder(s, memlimit);
      break;
    case Format::kRaw: {
      state_->check = Check::kNone;
      LzmaFilters f =
          LzmaFilters::FromChain(*o.filters, LzmaFilters::Use::kDecode);
      ret = lzma_raw_decoder(s, f.get());
      break;
    }
  }
  ThrowIfLzmaError(ret, kInit);
}

Decompressor::~Decompressor() = default;
Decompressor::Decompressor(Decompressor&&) noexcept = default;
Decompressor& Decompressor::operator=(Decompressor&&) noexcept = default;

std::string Decompressor::decompress(std::string_view data,
                                     int64_t max_length) {
  ChunkedOutput out;
  decompress_to(data, max_length, out);
  return out.ToString();
}

size_t Decompressor::decompress_to(std::string_view data, int64_t max_length,
                                   ChunkedOutput& out) {
  State::Out o;
  o.chunks = &out;
  o.limit = max_length < 0 ? SIZE_MAX : static_cast<size_t>(max_length);
  return state_->Decode(data, o);
}

size_t Decompressor::decompress_into(std::string_view data,
                                     std::span<uint8_t> out) {
  State::Out o;
  o.fixed = out.data();
  o.limit = out.size();
  return state_->Decode(data, o);
}

bool Decompressor::eof() const { return state_->eof; }
bool Decompressor::needs_input() const { return state_->needs_input; }
const std::string& Decompressor::unused_data() const {
  return state_->unused_data;
}
Check Decompressor::check() const { return state_->check; }
uint64_t Decompressor::total_in() const { return state_->strm->total_in; }
uint64_t Decompressor::total_out() const { return state_->strm->total_out; }

namespace {

// Python's lzma.decompress() rules over the whole of `data`.
StreamDecoder OneShotDecoder(const DecompressOptions& o) {
  return StreamDecoder({.format = o.format,
                        .mode = DecodeMode::kPython,
                        .memlimit = o.memlimit,
                        .filters = o.filters,
                        .ignore_check = o.ignore_check});
}

// Writes into a caller's buffer. Output past its end is an error, reported
// at once in the first stream and at the end for later ones (Python's rules
// may still drop a later stream's output).
class SpanSink : public Sink {
 public:
  SpanSink(std::span<uint8_t> out, const StreamDecoder* decoder)
      : out_(out), decoder_(decoder) {}
  void ThrowIfFull() const {
    if (written() > out_.size()) {
      throw Error(ErrorCode::kTruncated, kOp,
                  "output buffer of " + std::to_string(out_.size()) +
                      " bytes is too small");
    }
  }
  size_t size() const { return static_cast<size_t>(written()); }

 protected:
  void Put(const uint8_t* p, size_t n) override {
    const uint64_t at = written();
    if (at < out_.size()) {
      std::memcpy(out_.data() + at, p, std::min<uint64_t>(n, out_.size() - at));
    }
    // written() counts these bytes only after Put: check with them.
    if (decoder_->streams() == 0 && at + n > out_.size()) {
      throw Error(ErrorCode::kTruncated, kOp,
                  "output buffer of " + std::to_string(out_.size()) +
                      " bytes is too small");
    }
  }

 private:
  std::span<uint8_t> out_;
  const StreamDecoder* decoder_;
};

// One whole .xz Stream into a caller's buffer the short way: liblzma's
// Stream decoder writes straight into `out`, nothing passes through the
// one-shot decoder's pieces. Taken only when the Stream Footer and Index say
// `data` is exactly one Stream whose output fits (PeekWholeXzStream); true,
// with *written, only when it decoded and verified to its end with all of
// `data` used: then Python's rules give these bytes too. Anything else (an
// error, an Index that lied, an unsupported check) is false, and the caller
// decodes the general way, which gives the exact result or error (it
// overwrites what this wrote).
bool DecodeWholeXzInto(std::string_view data, std::span<uint8_t> out,
                       const DecompressOptions& o, const WholeXzStream* peeked,
                       size_t* written) {
  if ((o.format != Format::kAuto && o.format != Format::kXz) || data.empty() ||
      static_cast<uint8_t>(data[0]) != 0xFD) {
    return false;
  }
  std::optional<WholeXzStream> whole;
  if (peeked != nullptr) {
    whole = *peeked;
  } else {
    whole = PeekWholeXzStream(data);
  }
  if (!whole || whole->uncompressed_size > out.size()) return false;
  // A small call reuses the process's spare decoder (core/lzma_stream.h).
  std::unique_ptr<LzmaStream> strm = TakeSpareStream(SpareRole::kDecoder);
  lzma_stream* s = strm->get();
  const uint32_t flags =
      LZMA_TELL_UNSUPPORTED_CHECK | (o.ignore_check ? LZMA_IGNORE_CHECK : 0);
  if (lzma_stream_decoder(s, LzmaMemLimit(o.memlimit), flags) != LZMA_OK) {
    return false;
  }
  s->next_in = reinterpret_cast<const uint8_t*>(data.data());
  s->avail_in = data.size();
  s->next_out = out.data();
  s->avail_out = out.size();
  if (lzma_code(s, LZMA_FINISH) != LZMA_STREAM_END || s->avail_in != 0) {
    return false;
  }
  *written = out.size() - s->avail_out;
  if (*written <= kSpareBytesMax && lzma_memusage(s) <= kSpareMemoryMax) {
    KeepSpareStream(SpareRole::kDecoder, std::move(strm));
  }
  return true;
}

}  // namespace

std::string Decompress(std::string_view data,
                       const DecompressOptions& options) {
  std::string result;
  StringSink sink(&result);
  StreamDecoder decoder = OneShotDecoder(options);
  decoder.feed(data, sink);
  decoder.finish(sink);
  return result;
}

size_t DecompressInto(std::string_view data, std::span<uint8_t> out,
                      const DecompressOptions& options,
                      const WholeXzStream* peeked) {
  size_t written = 0;
  if (DecodeWholeXzInto(data, out, options, peeked, &written)) return written;
  StreamDecoder decoder = OneShotDecoder(options);
  SpanSink sink(out, &decoder);
  decoder.feed(data, sink);
  decoder.finish(sink);
  sink.ThrowIfFull();
  return sink.size();
}

}  // namespace parxz
