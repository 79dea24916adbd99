// Decoding with the rules of the xz command line, built on core's
// single-stream Decompressor:
//
//   StreamDecoder dec({.format = Format::kAuto});
//   while (n = read(...)) dec.Feed({buf, n}, sink);  // sink(decoded bytes)
//   dec.Finish();                                    // throws if truncated
//
// .xz: concatenated Streams, each optionally followed by Stream Padding (a
// multiple of four zero bytes); anything else after a Stream is an error.
// .lz: concatenated members; trailing data that does not start with "LZIP"
// is ignored (as lzip and xz do). .lzma and raw: one stream, nothing after
// it. Errors are parxz::Error with the offset counted from the start of the
// file. One thread at a time.
#ifndef PARXZ_TOOLS_STREAM_DECODER_H_
#define PARXZ_TOOLS_STREAM_DECODER_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/decompressor.h"
#include "core/options.h"

namespace parxz::cli {

struct StreamDecoderOptions {
  Format format = Format::kAuto;
  std::optional<uint64_t> memlimit;
  FilterChain filters;         // kRaw only
  bool single_stream = false;  // stop after the first stream, ignore the rest
};

class StreamDecoder {
 public:
  using Sink = std::function<void(std::string_view)>;

  explicit StreamDecoder(const StreamDecoderOptions& options);

  // Decodes `data`, handing every decoded byte to `sink` in order.
  void Feed(std::string_view data, const Sink& sink);
  // The input ended: throws Error(kTruncated / kCorruptData) if that was not
  // at a valid end.
  void Finish();

  // A Stream used a check this liblzma cannot verify (xz warns, status 2).
  bool unsupported_check() const { return unsupported_check_; }
  uint64_t total_in() const;
  uint64_t total_out() const { return total_out_; }
  uint64_t streams() const { return streams_; }

 private:
  enum class Kind { kUnknown, kXz, kAlone, kLzip, kRaw };
  enum class State { kDecoding, kBetween, kDone };

  void StartStream(Format format);

  StreamDecoderOptions options_;
  Kind kind_ = Kind::kUnknown;
  State state_ = State::kDecoding;
  std::optional<Decompressor> decoder_;
  uint64_t stream_start_ = 0;  // file offset of the current stream
  uint64_t padding_ = 0;       // zero bytes since the last .xz Stream
  std::string pending_;        // .lz: bytes that may start a next member
  uint64_t total_out_ = 0;
  uint64_t stream_out_ = 0;  // decoded bytes of the current stream
  uint64_t streams_ = 0;
  bool unsupported_check_ = false;
  std::vector<uint8_t> buffer_;
};

}  // namespace parxz::cli

#endif  // PARXZ_TOOLS_STREAM_DECODER_H_
