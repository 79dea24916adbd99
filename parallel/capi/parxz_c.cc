// The C API (parxz.h) on core/ and parallel/. Every entry point runs its body
// inside Guard(), which turns any exception into an error code plus message,
// so that nothing C++ crosses the boundary. Messages live in fixed-size
// buffers (per handle, and one thread-local buffer), so that recording an
// error never allocates and cannot itself fail.
#include <lzma.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <exception>
#include <memory>
#include <new>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>

#include "core/compressor.h"
#include "core/decompressor.h"
#include "core/error.h"
#include "core/options.h"
#include "parallel/parallel_compressor.h"
#include "parallel/parallel_decompressor.h"
#include "parxz.h"

namespace {

using parxz::Error;
using parxz::ErrorCode;

constexpr size_t kMessageSize = 512;

// A message buffer that never allocates.
struct Message {
  char text[kMessageSize] = {0};
  void Set(const char* s) noexcept {
    std::snprintf(text, sizeof text, "%s", s);
  }
};

thread_local Message t_last_error;

// An argument error: rejected before any handle state is touched, so it is
// not recorded in the handle (only in the thread-local last error).
struct ArgumentError {
  const char* what;
};

// A handle's earlier error, raised again: its message is already recorded.
struct StickyError {
  int code;
};

int CodeOf(ErrorCode code) { return static_cast<int>(code); }

// Runs `body` (which returns nothing or throws); returns PARXZ_OK or the code
// of what it threw, recording the message in `handle_message` (if any) and in
// the thread-local last error. `sticky_code` (if any) receives the code.
template <typename Body>
int Guard(const char* op, Message* handle_message, int* sticky_code,
          Body&& body) noexcept {
  // Records inside each handler: e.what() dies with the exception object.
  auto record = [&](int code, const char* text) noexcept {
    t_last_error.Set(text);
    if (handle_message != nullptr) handle_message->Set(text);
    if (sticky_code != nullptr) *sticky_code = code;
    return code;
  };
  char buf[kMessageSize];
  try {
    body();
    return PARXZ_OK;
  } catch (const ArgumentError& e) {
    std::snprintf(buf, sizeof buf, "%s failed: %s", op, e.what);
    t_last_error.Set(buf);
    return PARXZ_E_BAD_OPTIONS;
  } catch (const StickyError& e) {
    return e.code;
  } catch (const Error& e) {
    return record(CodeOf(e.code()), e.what());
  } catch (const std::bad_alloc&) {
    std::snprintf(buf, sizeof buf, "%s failed: out of memory", op);
    return record(PARXZ_E_OUT_OF_MEMORY, buf);
  } catch (const std::exception& e) {
    std::snprintf(buf, sizeof buf, "%s failed: internal error: %s", op,
                  e.what());
    return record(PARXZ_E_INTERNAL, buf);
  } catch (...) {
    std::snprintf(buf, sizeof buf, "%s failed: unknown internal error", op);
    return record(PARXZ_E_INTERNAL, buf);
  }
}

void Require(bool ok, const char* what) {
  if (!ok) throw ArgumentError{what};
}

std::string_view Bytes(const void* p, size_t n) {
  return n == 0 ? std::string_view()
                : std::string_view(static_cast<const char*>(p), n);
}

std::span<uint8_t> Span(void* p, size_t n) {
  return n == 0 ? std::span<uint8_t>()
                : std::span<uint8_t>(static_cast<uint8_t*>(p), n);
}

[[noreturn]] void BadOptions(const std::string& op, const std::string& why) {
  throw Error(ErrorCode::kBadOptions, op, why);
}

parxz::FilterChain ToChain(const parxz_filter* filters, size_t n,
                           const char* op) {
  if (filters == nullptr) {
    if (n != 0) BadOptions(op, "filters is NULL but num_filters is not 0");
    return {};
  }
  if (n < 1 || n > LZMA_FILTERS_MAX) {
    BadOptions(op,
               "a filter chain has 1 to 4 filters, not " + std::to_string(n));
  }
  constexpr uint32_t kAllBits = (1u << 11) - 1;
  parxz::FilterChain chain;
  for (size_t i = 0; i < n; ++i) {
    const parxz_filter& f = filters[i];
    if ((f.set & ~kAllBits) != 0) {
      BadOptions(op, "filter " + std::to_string(i) + ": unknown bits in `set`");
    }
    parxz::FilterSpec s;
    s.id = static_cast<parxz::FilterId>(f.id);
    auto take = [&](uint32_t bit, uint32_t value,
                    std::optional<uint32_t>& field) {
      if (f.set & bit) field = value;
    };
    take(PARXZ_SET_PRESET, f.preset, s.preset);
    take(PARXZ_SET_DICT_SIZE, f.dict_size, s.dict_size);
    take(PARXZ_SET_LC, f.lc, s.lc);
    take(PARXZ_SET_LP, f.lp, s.lp);
    take(PARXZ_SET_PB, f.pb, s.pb);
    if (f.set & PARXZ_SET_MODE) s.mode = static_cast<parxz::Mode>(f.mode);
    take(PARXZ_SET_NICE_LEN, f.nice_len, s.nice_len);
    if (f.set & PARXZ_SET_MF) s.mf = static_cast<parxz::MatchFinder>(f.mf);
    take(PARXZ_SET_DEPTH, f.depth, s.depth);
    take(PARXZ_SET_DIST, f.dist, s.dist);
    take(PARXZ_SET_START_OFFSET, f.start_offset, s.start_offset);
    chain.push_back(s);
  }
  return chain;
}

parxz::Format ToFormat(int format, bool decoding, const char* op) {
  if (format < PARXZ_FORMAT_AUTO || format > PARXZ_FORMAT_RAW ||
      (!decoding && format == PARXZ_FORMAT_AUTO)) {
    BadOptions(op, "Invalid container format: " + std::to_string(format));
  }
  return static_cast<parxz::Format>(format);
}

parxz_compress_options DefaultCompressOptions() {
  parxz_compress_options o;
  std::memset(&o, 0, sizeof o);
  o.format = PARXZ_FORMAT_XZ;
  o.check = PARXZ_CHECK_DEFAULT;
  o.preset = PARXZ_PRESET_DEFAULT;
  o.threads = 1;
  return o;
}

// The C options, validated and split into what the sequential or the
// parallel compressor takes.
struct CompressPlan {
  bool parallel = false;
  parxz::CompressOptions seq;
  parxz::ParallelOptions par;
};

// What core's Compressor would reject at construction, checked here without
// allocating an encoder, so that the bounds answer 0 for the same options
// (messages as core's, which checks again).
void ValidateSequential(const parxz_compress_options& o, parxz::Format format,
                        std::optional<uint32_t> preset,
                        const std::optional<parxz::FilterChain>& filters) {
  static const char* const kOp = "compressor init";
  if (format != parxz::Format::kXz && o.check != PARXZ_CHECK_DEFAULT &&
      o.check != PARXZ_CHECK_NONE) {
    BadOptions(kOp, "Integrity checks are only supported by FORMAT_XZ");
  }
  if ((preset || o.extreme) && filters) {
    BadOptions(kOp, "Cannot specify both preset and filter chain");
  }
  if (filters) {
    parxz::LzmaFilters::FromChain(*filters);  // validates every field
    const bool lzma1 = filters->back().id == parxz::FilterId::kLzma1;
    if (format == parxz::Format::kXz && lzma1) {
      BadOptions(kOp,
                 "Invalid filter chain for FORMAT_XZ - LZMA1 is not allowed");
    }
    if (format == parxz::Format::kAlone && (filters->size() != 1 || !lzma1)) {
      BadOptions(kOp,
                 "Invalid filter chain for FORMAT_ALONE - must be a single "
                 "LZMA1 filter");
    }
  } else if (format == parxz::Format::kRaw) {
    BadOptions(kOp, "Must specify filters for FORMAT_RAW");
  }
  if (format == parxz::Format::kXz && o.check != PARXZ_CHECK_DEFAULT &&
      !parxz::IsCheckSupported(static_cast<parxz::Check>(o.check))) {
    throw Error(ErrorCode::kUnsupported, kOp, "Unsupported integrity check");
  }
}

CompressPlan Plan(const parxz_compress_options* in) {
  static const char* const kOp = "compressor init";
  const parxz_compress_options o = in ? *in : DefaultCompressOptions();
  CompressPlan p;
  const parxz::Format format = ToFormat(o.format, false, kOp);
  p.parallel = format == parxz::Format::kXz && o.sequential == 0;
  if (!p.parallel &&
      (o.threads != 1 || o.block_size != 0 || o.max_blocks_in_flight != 0)) {
    BadOptions(kOp,
               "threads, block_size and max_blocks_in_flight apply to the "
               "block-parallel .xz compressor only (not to sequential, .lzma "
               "or raw)");
  }
  if (o.check != PARXZ_CHECK_DEFAULT &&
      (o.check < 0 || o.check > LZMA_CHECK_ID_MAX)) {
    BadOptions(kOp, "Invalid integrity check: " + std::to_string(o.check));
  }
  std::optional<uint32_t> preset;
  if (o.preset != PARXZ_PRESET_DEFAULT) {
    parxz::ValidatePreset(o.preset);
    preset = o.preset;
  }
  std::optional<parxz::FilterChain> filters;
  if (o.filters != nullptr || o.num_filters != 0) {
    filters = ToChain(o.filters, o.num_filters, kOp);
  }
  if (p.parallel) {
    if (format != parxz::Format::kXz) {
      BadOptions(kOp,
                 "the parallel compressor (threads != 1 or block_size != 0) "
                 "writes the .xz format only");
    }
    p.par.preset = preset;
    p.par.extreme = o.extreme != 0;
    if (o.check != PARXZ_CHECK_DEFAULT) {
      p.par.check = static_cast<parxz::Check>(o.check);
    }
    p.par.filters = std::move(filters);
    p.par.threads = o.threads;
    p.par.block_size = o.block_size;
    p.par.max_blocks_in_flight = o.max_blocks_in_flight;
    p.par = parxz::ResolveParallelOptions(p.par);  // validates
  } else {
    ValidateSequential(o, format, preset, filters);
    p.seq.format = format;
    if (o.check != PARXZ_CHECK_DEFAULT) {
      p.seq.check = static_cast<parxz::Check>(o.check);
    }
    p.seq.preset = preset;
    p.seq.extreme = o.extreme != 0;
    p.seq.filters = std::move(filters);
  }
  return p;
}

bool EndsWithLzma1(const CompressPlan& p) {
  if (p.parallel) return false;
  if (p.seq.format == parxz::Format::kAlone) return true;
  return p.seq.filters && !p.seq.filters->empty() &&
         p.seq.filters->back().id == parxz::FilterId::kLzma1;
}

// Saturating arithmetic for the bounds: a bound that does not fit in size_t
// is reported as SIZE_MAX (no buffer can be that large anyway).
size_t SatAdd(size_t a, size_t b) {
  return a > SIZE_MAX - b ? SIZE_MAX : a + b;
}
size_t SatMul(size_t a, size_t b) {
  return (b != 0 && a > SIZE_MAX / b) ? SIZE_MAX : a * b;
}

size_t Bound(size_t n, const CompressPlan& p) {
  if (EndsWithLzma1(p)) return SatAdd(SatAdd(n, n / 8), 4096);
  if (!p.parallel) {
    const size_t b = lzma_stream_buffer_bound(n);
    return b == 0 ? SIZE_MAX : b;
  }
  // Stream Header + Footer, each Block at its own bound, and an Index of
  // at most 1 + 9 (count) + 18 per record + 3 (padding) + 4 (CRC32) bytes.
  const size_t bs = static_cast<size_t>(p.par.block_size);
  const size_t full = n / bs;
  const size_t last = n % bs;
  const size_t blocks = full + (last ? 1 : 0);
  size_t total = 2 * LZMA_STREAM_HEADER_SIZE;
  total = SatAdd(total, SatMul(full, lzma_block_buffer_bound(bs)));
  if (last) total = SatAdd(total, lzma_block_buffer_bound(last));
  total = SatAdd(total, SatAdd(17, SatMul(blocks, 18)));
  return total;
}

parxz::DecompressOptions ToDecompressOptions(
    const parxz_decompress_options* in) {
  static const char* const kOp = "decompressor init";
  parxz::DecompressOptions d;
  if (in == nullptr) return d;
  d.format = ToFormat(in->format, true, kOp);
  if (in->memlimit != 0) d.memlimit = in->memlimit;
  if (in->filters != nullptr || in->num_filters != 0) {
    d.filters = ToChain(in->filters, in->num_filters, kOp);
  }
  return d;
}

}  // namespace

// ---- Handles -------------------------------------------------------------

struct parxz_compressor {
  std::optional<parxz::Compressor> seq;
  std::unique_ptr<parxz::ParallelCompressor> par;
  // Parallel only: compressed bytes the caller had no room for yet.
  std::string pending;
  size_t pending_pos = 0;
  bool finishing = false;  // parallel: flush() was called
  bool finished = false;   // the caller was told *finished = 1
  uint64_t total_in = 0;
  uint64_t total_out = 0;
  int error = PARXZ_OK;  // sticky
  Message message;

  // Copies pending bytes into out; returns how many.
  size_t Drain(uint8_t* out, size_t cap) {
    const size_t n = std::min(cap, pending.size() - pending_pos);
    if (n) std::memcpy(out, pending.data() + pending_pos, n);
    pending_pos += n;
    if (pending_pos == pending.size()) {
      pending.clear();
      pending_pos = 0;
    }
    return n;
  }
};

struct parxz_decompressor {
  std::optional<parxz::Decompressor> dec;
  int error = PARXZ_OK;  // sticky
  Message message;
};

namespace {

// Errors stick: a handle that failed answers every later call with the same
// code and keeps its original message.
template <typename Handle>
bool Failed(const Handle* h) {
  if (h->error == PARXZ_OK) return false;
  t_last_error.Set(h->message.text);
  return true;
}

}  // namespace

extern "C" {

const char* parxz_error_name(int code) {
  if (code == PARXZ_OK) return "ok";
  if (code < PARXZ_E_CORRUPT_DATA || code > PARXZ_E_CANCELLED) {
    return "unknown error";
  }
  return parxz::ErrorCodeName(static_cast<ErrorCode>(code)).data();
}

const char* parxz_last_error_message(void) { return t_last_error.text; }

const char* parxz_version(void) { return "0.1.0"; }

void parxz_compress_options_init(parxz_compress_options* options) {
  if (options != nullptr) *options = DefaultCompressOptions();
}

void parxz_decompress_options_init(parxz_decompress_options* options) {
  if (options == nullptr) return;
  std::memset(options, 0, sizeof *options);
  options->format = PARXZ_FORMAT_AUTO;
  options->threads = 1;
}

size_t parxz_compress_bound(size_t in_len,
                            const parxz_compress_options* options) {
  size_t bound = 0;
  Guard("compress_bound", nullptr, nullptr,
        [&] { bound = Bound(in_len, Plan(options)); });
  return bound;
}

int parxz_compress_memusage(const parxz_compress_options* options,
                            uint64_t* bytes) {
  return Guard("compress_memusage", nullptr, nullptr, [&] {
    Require(bytes != nullptr, "bytes is NULL");
    *bytes = 0;
    CompressPlan p = Plan(options);
    if (p.parallel) {
      *bytes = parxz::MemoryUsage(p.par);
      return;
    }
    const uint32_t preset = p.seq.preset.value_or(parxz::kPresetDefault) |
                            (p.seq.extreme ? parxz::kPresetExtreme : 0);
    parxz::LzmaFilters f = p.seq.filters
                               ? parxz::LzmaFilters::FromChain(*p.seq.filters)
                               : parxz::LzmaFilters::FromPreset(preset);
    const uint64_t m = lzma_raw_encoder_memusage(f.get());
    if (m == UINT64_MAX) {
      throw Error(ErrorCode::kBadOptions, "compress_memusage",
                  "Invalid or unsupported options");
    }
    *bytes = m;
  });
}

int parxz_compress_buffer(const parxz_compress_options* options, const void* in,
                          size_t in_len, void* out, size_t out_cap,
                          size_t* out_len) {
  static const char* const kOp = "compress";
  return Guard(kOp, nullptr, nullptr, [&] {
    Require(out_len != nullptr, "out_len is NULL");
    *out_len = 0;
    Require(in != nullptr || in_len == 0, "in is NULL");
    Require(out != nullptr || out_cap == 0, "out is NULL");
    CompressPlan p = Plan(options);
    if (!p.parallel) {
      *out_len =
          parxz::compress_into(Bytes(in, in_len), Span(out, out_cap), p.seq);
      return;
    }
    // Feed one Block at a time and copy each piece of output straight to
    // `out`, so that at most the Blocks in flight are held inside.
    parxz::ParallelCompressor c(p.par);
    const auto* src = static_cast<const char*>(in);
    auto* dst = static_cast<uint8_t*>(out);
    size_t produced = 0;
    auto put = [&](const std::string& piece) {
      if (piece.size() > out_cap - produced) {
        throw Error(ErrorCode::kTruncated, kOp,
                    "output buffer of " + std::to_string(out_cap) +
                        " bytes is too small");
      }
      if (!piece.empty()) {
        std::memcpy(dst + produced, piece.data(), piece.size());
      }
      produced += piece.size();
    };
    const size_t step = static_cast<size_t>(
        std::min<uint64_t>(p.par.block_size, uint64_t{64} << 20));
    for (size_t pos = 0; pos < in_len;) {
      const size_t n = std::min(step, in_len - pos);
      put(c.compress(std::string_view(src + pos, n)));
      pos += n;
    }
    put(c.flush());
    *out_len = produced;
  });
}

int parxz_compressor_new(const parxz_compress_options* options,
                         parxz_compressor** out) {
  return Guard("compressor init", nullptr, nullptr, [&] {
    Require(out != nullptr, "out is NULL");
    *out = nullptr;
    CompressPlan p = Plan(options);
    auto c = std::make_unique<parxz_compressor>();
    if (p.parallel) {
      c->par = std::make_unique<parxz::ParallelCompressor>(p.par);
    } else {
      c->seq.emplace(p.seq);
    }
    *out = c.release();
  });
}

int parxz_compressor_compress(parxz_compressor* c, const void* in,
                              size_t in_len, size_t* in_used, void* out,
                              size_t out_cap, size_t* out_len) {
  static const char* const kOp = "compress";
  if (c == nullptr) {
    return Guard(kOp, nullptr, nullptr,
                 [] { Require(false, "compressor is NULL"); });
  }
  return Guard(kOp, &c->message, &c->error, [&] {
    Require(in_used != nullptr && out_len != nullptr,
            "in_used or out_len is NULL");
    *in_used = 0;
    *out_len = 0;
    Require(in != nullptr || in_len == 0, "in is NULL");
    Require(out != nullptr || out_cap == 0, "out is NULL");
    if (Failed(c)) throw StickyError{c->error};
    if (c->finished || c->finishing) {
      throw Error(ErrorCode::kMisuse, kOp, "compress() after finish()");
    }
    auto* dst = static_cast<uint8_t*>(out);
    if (c->seq) {
      parxz::Compressor::Progress pr =
          c->seq->compress_into(Bytes(in, in_len), Span(out, out_cap));
      *in_used = pr.consumed;
      *out_len = pr.produced;
    } else {
      // Hand out what is pending first; take new input only once nothing is
      // pending, so that at most one call's worth of output waits here.
      size_t produced = c->Drain(dst, out_cap);
      if (c->pending.empty() && in_len > 0) {
        c->pending = c->par->compress(Bytes(in, in_len));
        *in_used = in_len;
        produced += c->Drain(dst + produced, out_cap - produced);
      }
      *out_len = produced;
    }
    c->total_in += *in_used;
    c->total_out += *out_len;
  });
}

int parxz_compressor_finish(parxz_compressor* c, void* out, size_t out_cap,
                            size_t* out_len, int* finished) {
  static const char* const kOp = "finish";
  if (c == nullptr) {
    return Guard(kOp, nullptr, nullptr,
                 [] { Require(false, "compressor is NULL"); });
  }
  return Guard(kOp, &c->message, &c->error, [&] {
    Require(out_len != nullptr && finished != nullptr,
            "out_len or finished is NULL");
    *out_len = 0;
    *finished = 0;
    Require(out != nullptr || out_cap == 0, "out is NULL");
    if (Failed(c)) throw StickyError{c->error};
    if (c->finished) {
      throw Error(ErrorCode::kMisuse, kOp, "Repeated call to finish()");
    }
    auto* dst = static_cast<uint8_t*>(out);
    if (c->seq) {
      parxz::Compressor::Progress pr = c->seq->flush_into(Span(out, out_cap));
      *out_len = pr.produced;
      c->finished = pr.finished;
    } else {
      if (!c->finishing) {
        std::string rest = c->par->flush();
        c->finishing = true;
        if (c->pending.empty()) {
          c->pending = std::move(rest);
        } else {
          c->pending.append(rest);
        }
      }
      *out_len = c->Drain(dst, out_cap);
      c->finished = c->pending.empty();
    }
    c->total_out += *out_len;
    *finished = c->finished ? 1 : 0;
  });
}

uint64_t parxz_compressor_total_in(const parxz_compressor* c) {
  return c ? c->total_in : 0;
}

uint64_t parxz_compressor_total_out(const parxz_compressor* c) {
  return c ? c->total_out : 0;
}

const char* parxz_compressor_error_message(const parxz_compressor* c) {
  return c ? c->message.text : "";
}

void parxz_compressor_free(parxz_compressor* c) {
  // Destructors of core/parallel objects do not throw; the parallel one
  // stops its workers and discards unfinished work.
  delete c;
}

int parxz_decompress_buffer(const parxz_decompress_options* options,
                            const void* in, size_t in_len, void* out,
                            size_t out_cap, size_t* out_len) {
  static const char* const kOp = "decompress";
  return Guard(kOp, nullptr, nullptr, [&] {
    Require(out_len != nullptr, "out_len is NULL");
    *out_len = 0;
    Require(in != nullptr || in_len == 0, "in is NULL");
    Require(out != nullptr || out_cap == 0, "out is NULL");
    const parxz::DecompressOptions opts = ToDecompressOptions(options);
    if (options != nullptr && options->threads != 1 &&
        opts.format != parxz::Format::kRaw) {
      // Block-parallel decoding: same output and verdicts as below, but the
      // result comes back as a string, so it is copied once.
      parxz::ParallelDecodeOptions po;
      po.threads = options->threads;
      po.memlimit_hard = opts.memlimit.value_or(UINT64_MAX);
      po.format = opts.format;
      const std::string plain =
          parxz::ParallelDecompress(Bytes(in, in_len), po);
      if (plain.size() > out_cap) {
        throw Error(ErrorCode::kTruncated, kOp,
                    "output buffer of " + std::to_string(out_cap) +
                        " bytes is too small");
      }
      if (!plain.empty()) std::memcpy(out, plain.data(), plain.size());
      *out_len = plain.size();
      return;
    }
    // As core's decompress(), but writing into `out`: one Decompressor per
    // concatenated stream, each fed what the previous one left unused.
    auto* dst = static_cast<uint8_t*>(out);
    size_t produced = 0;
    std::string_view data = Bytes(in, in_len);
    std::string rest;  // owns the input of the next stream
    uint64_t offset = 0;
    bool decoded_one = false;
    for (;;) {
      parxz::Decompressor d(opts);
      bool too_small = false;
      try {
        produced += d.decompress_into(
            data, std::span<uint8_t>(dst + produced, out_cap - produced));
        // Output full but not at the end: find out whether more output
        // would follow (too small a buffer) or more input is needed.
        uint8_t probe;
        while (!too_small && !d.eof() && !d.needs_input()) {
          too_small = d.decompress_into({}, std::span<uint8_t>(&probe, 1)) > 0;
        }
      } catch (const Error& e) {
        if (decoded_one) break;  // trailing data that is not a stream
        if (e.offset() && offset > 0) {
          throw Error(e.code(), e.operation(), e.detail(),
                      offset + *e.offset());
        }
        throw;
      }
      if (too_small) {
        throw Error(ErrorCode::kTruncated, kOp,
                    "output buffer of " + std::to_string(out_cap) +
                        " bytes is too small");
      }
      if (!d.eof()) {
        throw Error(ErrorCode::kTruncated, kOp,
                    "Compressed data ended before the end-of-stream marker "
                    "was reached",
                    offset + d.total_in());
      }
      decoded_one = true;
      offset += d.total_in();
      if (d.unused_data().empty()) break;
      rest = d.unused_data();
      data = rest;
    }
    *out_len = produced;
  });
}

int parxz_decompressor_new(const parxz_decompress_options* options,
                           parxz_decompressor** out) {
  return Guard("decompressor init", nullptr, nullptr, [&] {
    Require(out != nullptr, "out is NULL");
    *out = nullptr;
    auto d = std::make_unique<parxz_decompressor>();
    d->dec.emplace(ToDecompressOptions(options));
    *out = d.release();
  });
}

int parxz_decompressor_decompress(parxz_decompressor* d, const void* in,
                                  size_t in_len, void* out, size_t max_length,
                                  size_t* out_len) {
  static const char* const kOp = "decompress";
  if (d == nullptr) {
    return Guard(kOp, nullptr, nullptr,
                 [] { Require(false, "decompressor is NULL"); });
  }
  return Guard(kOp, &d->message, &d->error, [&] {
    Require(out_len != nullptr, "out_len is NULL");
    *out_len = 0;
    Require(in != nullptr || in_len == 0, "in is NULL");
    Require(out != nullptr || max_length == 0, "out is NULL");
    if (Failed(d)) throw StickyError{d->error};
    *out_len =
        d->dec->decompress_into(Bytes(in, in_len), Span(out, max_length));
  });
}

int parxz_decompressor_eof(const parxz_decompressor* d) {
  return d && d->dec->eof() ? 1 : 0;
}

int parxz_decompressor_needs_input(const parxz_decompressor* d) {
  return d && d->dec->needs_input() ? 1 : 0;
}

const uint8_t* parxz_decompressor_unused_data(const parxz_decompressor* d,
                                              size_t* len) {
  static const uint8_t kEmpty[1] = {0};
  if (d == nullptr) {
    if (len) *len = 0;
    return kEmpty;
  }
  const std::string& u = d->dec->unused_data();
  if (len) *len = u.size();
  return u.empty() ? kEmpty : reinterpret_cast<const uint8_t*>(u.data());
}

int parxz_decompressor_check(const parxz_decompressor* d) {
  return d ? static_cast<int>(d->dec->check()) : PARXZ_CHECK_UNKNOWN;
}

uint64_t parxz_decompressor_total_in(const parxz_decompressor* d) {
  return d ? d->dec->total_in() : 0;
}

uint64_t parxz_decompressor_total_out(const parxz_decompressor* d) {
  return d ? d->dec->total_out() : 0;
}

const char* parxz_decompressor_error_message(const parxz_decompressor* d) {
  return d ? d->message.text : "";
}

void parxz_decompressor_free(parxz_decompressor* d) { delete d; }

}  // extern "C"
