// The compression half of the C API (parxz.h): the C options translated
// into the compress front's CompressRequest (parallel/compress/compress_front.h),
// which validates them, picks the engine (core's Compressor for
// `sequential`, .lzma and raw; ParallelCompressor otherwise) and gives the
// bounds and the one push surface. This file only translates.
#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <utility>

#include "capi/c_support.h"
#include "parallel/compress/compress_front.h"

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

// `input_size`: the whole input's size where the call knows it (for
// PARXZ_BLOCK_SIZE_AUTO).
parxz::CompressPlan Plan(const parxz_compress_options* in,
                         std::optional<uint64_t> input_size = std::nullopt) {
  const parxz_compress_options o = in ? *in : DefaultCompressOptions();
  parxz::CompressRequest r;
  r.format = static_cast<parxz::Format>(o.format);
  if (o.check != PARXZ_CHECK_DEFAULT) {
    r.check = static_cast<parxz::Check>(o.check);
  }
  if (o.preset != PARXZ_PRESET_DEFAULT) r.preset = o.preset;
  r.extreme = o.extreme != 0;
  if (o.filters != nullptr || o.num_filters != 0) {
    r.filters = parxz::capi::ToChain(o.filters, o.num_filters, kInit);
  }
  r.sequential = o.sequential != 0;
  r.threads = o.threads;
  r.block_size = o.block_size;
  r.input_size = input_size;
  r.max_blocks_in_flight = o.max_blocks_in_flight;
  return parxz::PlanCompress(r);
}

}  // namespace

struct parxz_compressor {
  std::optional<parxz::PushCompressor> c;
  bool finishing = false;  // finish() was called
  bool finished = false;   // the caller was told *finished = 1
  int error = PARXZ_OK;    // sticky
  parxz::capi::Message message;
};

extern "C" {

void parxz_compress_options_init(parxz_compress_options* options) {
  if (options != nullptr) *options = DefaultCompressOptions();
}

size_t parxz_compress_bound(size_t in_len,
                            const parxz_compress_options* options) {
  size_t bound = 0;
  Guard("compress_bound", nullptr, nullptr,
        [&] {
          const uint64_t b = parxz::CompressBound(in_len, Plan(options, in_len));
          bound = b > SIZE_MAX ? SIZE_MAX : static_cast<size_t>(b);
        });
  return bound;
}

int parxz_compress_memusage(const parxz_compress_options* options,
                            uint64_t* bytes) {
  return Guard("compress_memusage", nullptr, nullptr, [&] {
    Require(bytes != nullptr, "bytes is NULL");
    *bytes = 0;
    *bytes = parxz::CompressMemory(Plan(options));
  });
}

int parxz_compress_buffer(const parxz_compress_options* options, const void* in,
                          size_t in_len, void* out, size_t out_cap,
                          size_t* out_len) {
  return Guard("compress", nullptr, nullptr, [&] {
    Require(out_len != nullptr, "out_len is NULL");
    *out_len = 0;
    Require(in != nullptr || in_len == 0, "in is NULL");
    Require(out != nullptr || out_cap == 0, "out is NULL");
    *out_len = parxz::CompressInto(Bytes(in, in_len), Span(out, out_cap),
                                   Plan(options, in_len));
  });
}

int parxz_compressor_new(const parxz_compress_options* options,
                         parxz_compressor** out) {
  return Guard(kInit, nullptr, nullptr, [&] {
    Require(out != nullptr, "out is NULL");
    *out = nullptr;
    auto c = std::make_unique<parxz_compressor>();
    c->c.emplace(Plan(options));
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
    const auto pr = c->c->compress_into(Bytes(in, in_len), Span(out, out_cap));
    *in_used = pr.consumed;
    *out_len = pr.produced;
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
    const auto pr = c->c->flush_into(Span(out, out_cap));
    *out_len = pr.produced;
    c->finished = pr.finished;
    *finished = c->finished ? 1 : 0;
  });
}

uint64_t parxz_compressor_total_in(const parxz_compressor* c) {
  return c ? c->c->total_in() : 0;
}

uint64_t parxz_compressor_total_out(const parxz_compressor* c) {
  return c ? c->c->total_out() : 0;
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
