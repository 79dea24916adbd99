#include "core/stream_decoder.h"

#include <lzma.h>

#include <string>
#include <utility>

#include "core/error.h"

namespace parxz {

namespace {

constexpr char kOp[] = "decompress";
// The output buffer starts small and doubles while calls fill it: a 4 KiB
// one-shot call must not zero 1 MiB (a third of its time).
constexpr size_t kFirstBufferSize = 64 << 10;
constexpr size_t kBufferSize = 1 << 20;

std::span<const uint8_t> AsBytes(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

}  // namespace

StreamDecoder::StreamDecoder(const StreamDecoderOptions& options)
    : options_(options),
      rules_(options.mode, options.single_stream),
      buffer_(kFirstBufferSize) {
  DecompressOptions first{.format = options_.format,
                          .memlimit = options_.memlimit,
                          .filters = options_.filters};
  if (options_.mode == DecodeMode::kXz && first.format == Format::kRaw) {
    first.memlimit.reset();  // xz's rules: checked below
  }
  ValidateDecompressOptions(first);
  if (options_.format == Format::kRaw && options_.memlimit &&
      options_.mode == DecodeMode::kXz) {
    // xz checks a raw chain against the limit before decoding; the
    // Decompressor (Python's rules) takes no limit with FORMAT_RAW.
    const LzmaFilters f =
        LzmaFilters::FromChain(*options_.filters, LzmaFilters::Use::kDecode);
    const uint64_t need = lzma_raw_decoder_memusage(f.get());
    if (need == UINT64_MAX || need > *options_.memlimit) {
      constexpr uint64_t kMiB = 1 << 20;
      throw Error(ErrorCode::kMemLimit, "decompressor init",
                  "Memory usage limit exceeded (" +
                      std::to_string((need + kMiB - 1) / kMiB) +
                      " MiB needed, the limit is " +
                      std::to_string(*options_.memlimit / kMiB) + " MiB)",
                  0);
    }
  }
}

uint64_t StreamDecoder::total_in() const {
  return stream_start_ +
         (state_ == State::kDecoding && decoder_ ? decoder_->total_in() : 0);
}

void StreamDecoder::StartStream() {
  DecompressOptions d;
  if (options_.mode == DecodeMode::kXz) {
    // The container the rules detected, so that a later .xz Stream is read
    // as .xz even with FORMAT_AUTO; .lz goes through liblzma's auto decoder.
    switch (container_) {
      case Container::kXz:
        d.format = Format::kXz;
        break;
      case Container::kAlone:
        d.format = Format::kAlone;
        break;
      case Container::kLzip:
        d.format = Format::kAuto;
        break;
      case Container::kRaw:
        d.format = Format::kRaw;
        break;
    }
  } else {
    d.format = options_.format;
  }
  if (d.format == Format::kRaw) {
    d.filters = options_.filters;
  } else {
    d.memlimit = options_.memlimit;
  }
  d.ignore_check = options_.ignore_check;
  decoder_.emplace(d);
  stream_out_ = 0;
  state_ = State::kDecoding;
}

bool StreamDecoder::DecodeSome(std::string_view& data, std::string& carry,
                               Sink& sink) {
  for (;;) {
    size_t n;
    try {
      n = decoder_->decompress_into(data, buffer_);
    } catch (const Error& e) {
      if (rules_.ends_quietly(e)) {
        // Python: a later stream that is not valid ends the output before
        // it; what it produced is dropped.
        sink.Rollback(sink.written() - stream_out_);
        total_out_ -= stream_out_;
        decoder_.reset();
        state_ = State::kDone;
        return false;
      }
      if (options_.mode == DecodeMode::kXz) {
        // What liblzma decoded before it found the problem is in buffer_;
        // hand it on as xz does, then report.
        const uint64_t partial = decoder_->total_out() - stream_out_;
        if (partial > 0 && partial <= buffer_.size()) {
          total_out_ += partial;
          sink.Write(std::string_view(
              reinterpret_cast<const char*>(buffer_.data()), partial));
        }
      }
      throw Error(e.code(), e.operation(), e.detail(),
                  stream_start_ + e.offset().value_or(decoder_->total_in()));
    }
    data = {};
    if (n > 0) {
      stream_out_ += n;
      total_out_ += n;
      sink.Write(
          std::string_view(reinterpret_cast<const char*>(buffer_.data()), n));
    }
    if (n == buffer_.size() && n < kBufferSize) buffer_.resize(2 * n);
    if (decoder_->eof()) break;
    if (decoder_->needs_input()) return false;
  }
  const Check check = decoder_->check();
  if (check != Check::kUnknown && !IsCheckSupported(check)) {
    unsupported_check_ = true;
  }
  rules_.stream_ended(container_);
  stream_start_ += decoder_->total_in();
  carry = decoder_->unused_data();
  data = carry;
  decoder_.reset();
  state_ = State::kBetween;
  return true;
}

void StreamDecoder::Between(std::string_view& data, std::string& carry,
                            bool input_ended, Sink&) {
  const StreamRules::Next next =
      rules_.after_stream(AsBytes(data), input_ended, stream_start_);
  stream_start_ += next.skip;
  data.remove_prefix(next.skip);
  switch (next.action) {
    case StreamRules::kNeedInput:
      pending_.assign(data);  // e.g. the start of a possible "LZIP"
      data = {};
      return;
    case StreamRules::kNextStream:
      StartStream();
      return;
    case StreamRules::kEnd:
      state_ = State::kDone;
      carry.clear();
      data = {};
      return;
  }
}

void StreamDecoder::feed(std::string_view data, Sink& sink) {
  std::string carry;  // owns `data` once it points at kept input
  if (!pending_.empty()) {
    carry = std::move(pending_);
    pending_.clear();
    carry.append(data);
    data = carry;
  }
  for (;;) {
    switch (state_) {
      case State::kDone:
        return;
      case State::kDetect: {
        const bool xz_cli = options_.mode == DecodeMode::kXz;
        if (data.empty() || (xz_cli && data.size() < kDetectBytes)) {
          pending_.assign(data);
          return;
        }
        if (xz_cli) {
          const std::optional<Container> c = DetectContainer(
              options_.format, AsBytes(data.substr(0, kDetectBytes)));
          if (!c) {
            throw Error(ErrorCode::kCorruptData, kOp,
                        "File format not recognized", 0);
          }
          container_ = *c;
        } else {
          container_ = AutoDecoderContainer(options_.format,
                                            static_cast<uint8_t>(data[0]));
        }
        StartStream();
        break;
      }
      case State::kDecoding:
        if (!DecodeSome(data, carry, sink)) return;
        break;
      case State::kBetween:
        Between(data, carry, /*input_ended=*/false, sink);
        if (state_ == State::kBetween) return;
        break;
    }
  }
}

void StreamDecoder::finish(Sink& sink) {
  std::string carry = std::move(pending_);
  pending_.clear();
  std::string_view data = carry;
  for (;;) {
    switch (state_) {
      case State::kDone:
        return;
      case State::kDetect:
        if (options_.mode == DecodeMode::kXz) {
          // Too short to be any format xz knows (or empty).
          if (!data.empty() || options_.format != Format::kRaw) {
            const std::optional<Container> c =
                DetectContainer(options_.format, AsBytes(data));
            if (!c || data.empty()) {
              throw Error(ErrorCode::kCorruptData, kOp,
                          "File format not recognized", 0);
            }
            container_ = *c;
          } else {
            container_ = Container::kRaw;
          }
        } else {
          container_ = data.empty() ? Container::kXz
                                    : AutoDecoderContainer(
                                          options_.format,
                                          static_cast<uint8_t>(data[0]));
        }
        StartStream();
        break;
      case State::kDecoding:
        DecodeSome(data, carry, sink);
        if (state_ == State::kDecoding) {
          if (options_.mode == DecodeMode::kXz) {
            throw Error(ErrorCode::kTruncated, kOp, "Unexpected end of input",
                        total_in());
          }
          throw Error(ErrorCode::kTruncated, kOp,
                      "Compressed data ended before the end-of-stream marker "
                      "was reached",
                      total_in());
        }
        break;
      case State::kBetween:
        Between(data, carry, /*input_ended=*/true, sink);
        break;
    }
  }
}

}  // namespace parxz
