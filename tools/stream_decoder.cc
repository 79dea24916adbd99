#include "tools/stream_decoder.h"

#include <utility>

#include "core/error.h"

namespace parxz::cli {

namespace {

constexpr char kOp[] = "decompress";
constexpr std::string_view kLzipMagic = "LZIP";
constexpr size_t kBufferSize = 1 << 20;

}  // namespace

StreamDecoder::StreamDecoder(const StreamDecoderOptions& options)
    : options_(options), buffer_(kBufferSize) {
  switch (options_.format) {
    case Format::kXz:
      kind_ = Kind::kXz;
      break;
    case Format::kAlone:
      kind_ = Kind::kAlone;
      break;
    case Format::kRaw:
      kind_ = Kind::kRaw;
      break;
    case Format::kAuto:
      break;  // decided by the first byte
  }
  StartStream(options_.format);
}

void StreamDecoder::StartStream(Format format) {
  DecompressOptions d{.format = format};
  if (format == Format::kRaw) {
    d.filters = options_.filters;
  } else {
    d.memlimit = options_.memlimit;
  }
  decoder_.emplace(d);
  stream_out_ = 0;
  state_ = State::kDecoding;
}

uint64_t StreamDecoder::total_in() const {
  return stream_start_ +
         (state_ == State::kDecoding && decoder_ ? decoder_->total_in() : 0);
}

void StreamDecoder::Feed(std::string_view data, const Sink& sink) {
  std::string carry;  // owns `data` once it points at leftover input
  for (;;) {
    if (state_ == State::kDone) return;
    if (state_ == State::kDecoding) {
      if (kind_ == Kind::kUnknown) {
        if (data.empty()) return;
        // liblzma's auto decoder looks at the first byte the same way.
        const auto first = static_cast<uint8_t>(data[0]);
        kind_ = first == 0xFD  ? Kind::kXz
                : first == 'L' ? Kind::kLzip
                               : Kind::kAlone;
      }
      for (;;) {
        size_t n;
        try {
          n = decoder_->decompress_into(data, buffer_);
        } catch (const Error& e) {
          // What liblzma decoded before it found the problem is already in
          // buffer_; hand it on as xz does, then report.
          const uint64_t partial = decoder_->total_out() - stream_out_;
          if (partial > 0 && partial <= buffer_.size()) {
            total_out_ += partial;
            sink(std::string_view(reinterpret_cast<const char*>(buffer_.data()),
                                  partial));
          }
          throw Error(
              e.code(), e.operation(), e.detail(),
              stream_start_ + e.offset().value_or(decoder_->total_in()));
        }
        stream_out_ += n;
        data = {};
        if (n > 0) {
          total_out_ += n;
          sink(std::string_view(reinterpret_cast<const char*>(buffer_.data()),
                                n));
        }
        if (decoder_->eof()) break;
        if (decoder_->needs_input()) return;
      }
      const Check check = decoder_->check();
      if (check != Check::kUnknown && !IsCheckSupported(check)) {
        unsupported_check_ = true;
      }
      ++streams_;
      stream_start_ += decoder_->total_in();
      carry = decoder_->unused_data();
      data = carry;
      decoder_.reset();
      padding_ = 0;
      state_ = options_.single_stream ? State::kDone : State::kBetween;
      continue;
    }
    // Between streams.
    if (data.empty()) return;
    switch (kind_) {
      case Kind::kXz: {
        size_t zeros = 0;
        while (zeros < data.size() && data[zeros] == '\0') ++zeros;
        padding_ += zeros;
        stream_start_ += zeros;
        data.remove_prefix(zeros);
        if (data.empty()) return;
        if (padding_ % 4 != 0) {
          throw Error(ErrorCode::kCorruptData, kOp,
                      "Stream Padding is not a multiple of four bytes",
                      stream_start_);
        }
        StartStream(Format::kXz);
        break;
      }
      case Kind::kLzip: {
        pending_.append(data);
        data = {};
        if (pending_.size() < kLzipMagic.size()) {
          if (kLzipMagic.starts_with(pending_)) return;  // need more
          state_ = State::kDone;  // trailing data: ignored
          return;
        }
        if (!pending_.starts_with(kLzipMagic)) {
          state_ = State::kDone;
          return;
        }
        carry = std::move(pending_);
        pending_.clear();
        data = carry;
        StartStream(Format::kAuto);
        break;
      }
      default:
        throw Error(ErrorCode::kCorruptData, kOp,
                    "Trailing data after the end of the stream", stream_start_);
    }
  }
}

void StreamDecoder::Finish() {
  if (state_ == State::kDecoding) {
    if (kind_ == Kind::kUnknown) {
      throw Error(ErrorCode::kCorruptData, kOp, "File format not recognized",
                  0);
    }
    throw Error(ErrorCode::kTruncated, kOp, "Unexpected end of input",
                total_in());
  }
  if (state_ == State::kBetween && kind_ == Kind::kXz && padding_ % 4 != 0) {
    throw Error(ErrorCode::kCorruptData, kOp,
                "Stream Padding is not a multiple of four bytes",
                stream_start_);
  }
}

}  // namespace parxz::cli
