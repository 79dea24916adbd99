// The decompression half of the C API (parxz.h): the C options translated
// into the decode front's DecodeRequest (parallel/decode/decode_front.h),
// which picks the engine for the one-shot call and the streaming handle.
#include <cstring>
#include <memory>
#include <string>

#include "capi/c_support.h"
#include "parallel/decode/decode_front.h"

namespace {

using parxz::capi::Bytes;
using parxz::capi::Guard;
using parxz::capi::Require;
using parxz::capi::Span;

parxz::DecodeRequest ToDecodeRequest(const parxz_decompress_options* in) {
  static const char* const kOp = "decompressor init";
  parxz::DecodeRequest r;
  if (in == nullptr) return r;
  r.format = parxz::capi::ToDecodeFormat(in->format, kOp);
  if (in->memlimit != 0) r.memlimit = in->memlimit;  // 0: none (parxz.h)
  if (in->filters != nullptr || in->num_filters != 0) {
    r.filters = parxz::capi::ToChain(in->filters, in->num_filters, kOp);
  }
  r.threads = in->threads;
  return r;
}

}  // namespace

struct parxz_decompressor {
  // The front's one incremental engine (threads 1: core's Decompressor).
  std::unique_ptr<parxz::ThreadedDecompressor> dec;
  int error = PARXZ_OK;  // sticky
  parxz::capi::Message message;
};

extern "C" {

void parxz_decompress_options_init(parxz_decompress_options* options) {
  if (options == nullptr) return;
  std::memset(options, 0, sizeof *options);
  options->format = PARXZ_FORMAT_AUTO;
  options->threads = 1;
}

int parxz_decompress_buffer(const parxz_decompress_options* options,
                            const void* in, size_t in_len, void* out,
                            size_t out_cap, size_t* out_len) {
  return Guard("decompress", nullptr, nullptr, [&] {
    Require(out_len != nullptr, "out_len is NULL");
    *out_len = 0;
    Require(in != nullptr || in_len == 0, "in is NULL");
    Require(out != nullptr || out_cap == 0, "out is NULL");
    *out_len = parxz::DecodeInto(Bytes(in, in_len), Span(out, out_cap),
                                 ToDecodeRequest(options));
  });
}

int parxz_decompressor_new(const parxz_decompress_options* options,
                           parxz_decompressor** out) {
  return Guard("decompressor init", nullptr, nullptr, [&] {
    Require(out != nullptr, "out is NULL");
    *out = nullptr;
    auto d = std::make_unique<parxz_decompressor>();
    d->dec = parxz::NewDecoder(ToDecodeRequest(options));
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
    if (parxz::capi::Failed(d)) throw parxz::capi::StickyError{d->error};
    *out_len =
        d->dec->decompress_into(Bytes(in, in_len), Span(out, max_length));
  });
}

int parxz_decompressor_end_input(parxz_decompressor* d) {
  static const char* const kOp = "end_input";
  if (d == nullptr) {
    return Guard(kOp, nullptr, nullptr,
                 [] { Require(false, "decompressor is NULL"); });
  }
  return Guard(kOp, &d->message, &d->error, [&] { d->dec->end_input(); });
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
