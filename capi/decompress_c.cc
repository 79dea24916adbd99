// The decompression half of the C API (parxz.h): the one-shot call (Python's
// lzma.decompress rules, sequential or block-parallel) and the streaming
// handle on ThreadedDecompressor (core's Decompressor when threads is 1).
#include <cstring>
#include <memory>
#include <optional>
#include <string>

#include "capi/c_support.h"
#include "core/decompressor.h"
#include "parallel/decode/parallel_decompressor.h"
#include "parallel/decode/threaded_decompressor.h"

namespace {

using parxz::capi::Bytes;
using parxz::capi::Guard;
using parxz::capi::Require;
using parxz::capi::Span;

parxz::DecompressOptions ToDecompressOptions(
    const parxz_decompress_options* in) {
  static const char* const kOp = "decompressor init";
  parxz::DecompressOptions d;
  if (in == nullptr) return d;
  d.format = parxz::capi::ToDecodeFormat(in->format, kOp);
  if (in->memlimit != 0) d.memlimit = in->memlimit;
  if (in->filters != nullptr || in->num_filters != 0) {
    d.filters = parxz::capi::ToChain(in->filters, in->num_filters, kOp);
  }
  return d;
}

}  // namespace

struct parxz_decompressor {
  // threads 1 is core's Decompressor inside: one code path for both.
  std::optional<parxz::ThreadedDecompressor> dec;
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
      po.memlimit_hard = opts.memlimit;
      po.format = opts.format;
      const std::string plain =
          parxz::ParallelDecompress(Bytes(in, in_len), po);
      if (plain.size() > out_cap) {
        throw parxz::Error(parxz::ErrorCode::kTruncated, kOp,
                           "output buffer of " + std::to_string(out_cap) +
                               " bytes is too small");
      }
      if (!plain.empty()) std::memcpy(out, plain.data(), plain.size());
      *out_len = plain.size();
      return;
    }
    *out_len =
        parxz::decompress_into(Bytes(in, in_len), Span(out, out_cap), opts);
  });
}

int parxz_decompressor_new(const parxz_decompress_options* options,
                           parxz_decompressor** out) {
  return Guard("decompressor init", nullptr, nullptr, [&] {
    Require(out != nullptr, "out is NULL");
    *out = nullptr;
    auto d = std::make_unique<parxz_decompressor>();
    parxz::ThreadedDecompressOptions o;
    o.base = ToDecompressOptions(options);
    o.threads = options != nullptr ? options->threads : 1;
    d->dec.emplace(o);
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
