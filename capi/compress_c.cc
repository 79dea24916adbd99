// The compression half of the C API (parxz.h): options, bounds, the one-shot
// call and the streaming handle, on core's Compressor (sequential, .lzma,
// raw) and parallel's ParallelCompressor (the default for .xz). Options are
// checked by the library (ValidateCompressOptions, ResolveParallelOptions)
// and bounds come from it (CompressBound, ParallelCompressBound); this file
// only translates.
#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <utility>

#include "capi/c_support.h"
#include "core/compressor.h"
#include "parallel/compress/parallel_compressor.h"

namespace {

using parxz::capi::Bytes;
using parxz::capi::Guard;
using parxz::capi::Require;
using parxz::capi::Span;

constexpr char kInit[] = "compressor init";
static_assert(PARXZ_BLOCK_SIZE_AUTO == parxz::kBlockSizeAuto);

parxz_compress_options DefaultCompressOptions() {
  parxz_compress_options o;
  std::memset(&o, 0, sizeof o);
  o.format = PARXZ_FORMAT_XZ;
  o.check = PARXZ_CHECK_DEFAULT;
  o.preset = PARXZ_PRESET_DEFAULT;
  o.threads = 1;  // a library call takes one core unless asked (parxz.h)
  return o;
}

// The C options, validated and split into what the sequential or the
// parallel compressor takes.
struct CompressPlan {
  bool parallel = false;
  parxz::CompressOptions seq;
  parxz::ParallelOptions par;
};

// `input_size`: the whole input's size where the call knows it (for
// PARXZ_BLOCK_SIZE_AUTO).
CompressPlan Plan(const parxz_compress_options* in,
                  std::optional<uint64_t> input_size = std::nullopt) {
  const parxz_compress_options o = in ? *in : DefaultCompressOptions();
  parxz::CompressOptions c;
  c.format = static_cast<parxz::Format>(o.format);
  if (o.check != PARXZ_CHECK_DEFAULT) {
    c.check = static_cast<parxz::Check>(o.check);
  }
  if (o.preset != PARXZ_PRESET_DEFAULT) c.preset = o.preset;
  c.extreme = o.extreme != 0;
  if (o.filters != nullptr || o.num_filters != 0) {
    c.filters = parxz::capi::ToChain(o.filters, o.num_filters, kInit);
  }
  parxz::ValidateCompressOptions(c);
  CompressPlan p;
  p.parallel = c.format == parxz::Format::kXz && o.sequential == 0;
  if (!p.parallel) {
    if (o.threads != 1 || o.block_size != 0 || o.max_blocks_in_flight != 0) {
      parxz::capi::BadOptions(
          kInit,
          "threads, block_size and max_blocks_in_flight apply to the "
          "block-parallel .xz compressor only (not to sequential, "
          ".lzma or raw)");
    }
    p.seq = std::move(c);
    return p;
  }
  p.par.preset = c.preset;
  p.par.extreme = c.extreme;
  if (c.check) p.par.check = *c.check;
  p.par.filters = std::move(c.filters);
  p.par.threads = o.threads;
  p.par.block_size = o.block_size;
  p.par.input_size = input_size;
  p.par.max_blocks_in_flight = o.max_blocks_in_flight;
  p.par = parxz::ResolveParallelOptions(p.par);
  return p;
}

size_t Bound(size_t n, const CompressPlan& p) {
  if (!p.parallel) return parxz::CompressBound(n, p.seq);
  const uint64_t b = parxz::ParallelCompressBound(n, p.par);
  return b > SIZE_MAX ? SIZE_MAX : static_cast<size_t>(b);
}

}  // namespace

struct parxz_compressor {
  // Exactly one is set.
  std::optional<parxz::Compressor> seq;
  std::unique_ptr<parxz::ParallelCompressor> par;
  bool finishing = false;  // finish() was called
  bool finished = false;   // the caller was told *finished = 1
  uint64_t total_in = 0;
  uint64_t total_out = 0;
  int error = PARXZ_OK;  // sticky
  parxz::capi::Message message;

  // Calls f with whichever compressor this handle holds.
  template <typename F>
  void Visit(F&& f) {
    if (seq) {
      f(*seq);
    } else {
      f(*par);
    }
  }
};

extern "C" {

void parxz_compress_options_init(parxz_compress_options* options) {
  if (options != nullptr) *options = DefaultCompressOptions();
}

size_t parxz_compress_bound(size_t in_len,
                            const parxz_compress_options* options) {
  size_t bound = 0;
  Guard("compress_bound", nullptr, nullptr,
        [&] { bound = Bound(in_len, Plan(options, in_len)); });
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
    *bytes = parxz::CompressMemoryUsage(p.seq);
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
    CompressPlan p = Plan(options, in_len);
    if (!p.parallel) {
      *out_len =
          parxz::compress_into(Bytes(in, in_len), Span(out, out_cap), p.seq);
      return;
    }
    // Blocks go from the encoders' buffers straight into `out`.
    parxz::ParallelCompressor c(p.par);
    const std::span<uint8_t> dst = Span(out, out_cap);
    const auto body = c.compress_into(Bytes(in, in_len), dst);
    if (body.consumed == in_len) {
      const auto rest = c.flush_into(dst.subspan(body.produced));
      if (rest.finished) {
        *out_len = body.produced + rest.produced;
        return;
      }
    }
    throw parxz::Error(
        parxz::ErrorCode::kTruncated, kOp,
        "output buffer of " + std::to_string(out_cap) + " bytes is too small");
  });
}

int parxz_compressor_new(const parxz_compress_options* options,
                         parxz_compressor** out) {
  return Guard(kInit, nullptr, nullptr, [&] {
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
    if (parxz::capi::Failed(c)) throw parxz::capi::StickyError{c->error};
    if (c->finished || c->finishing) {
      throw parxz::Error(parxz::ErrorCode::kMisuse, kOp,
                         "compress() after finish()");
    }
    c->Visit([&](auto& compressor) {
      const auto pr =
          compressor.compress_into(Bytes(in, in_len), Span(out, out_cap));
      *in_used = pr.consumed;
      *out_len = pr.produced;
    });
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
    if (parxz::capi::Failed(c)) throw parxz::capi::StickyError{c->error};
    if (c->finished) {
      throw parxz::Error(parxz::ErrorCode::kMisuse, kOp,
                         "Repeated call to finish()");
    }
    c->finishing = true;
    c->Visit([&](auto& compressor) {
      const auto pr = compressor.flush_into(Span(out, out_cap));
      *out_len = pr.produced;
      c->finished = pr.finished;
    });
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

}  // extern "C"
