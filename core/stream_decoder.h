// Sequential decoding of a whole input, stream after stream, with the rules
// of core/stream_rules.h: Python's lzma.decompress() (kPython), the xz
// command line (kXz) or one stream only (kSingleStream). Built on the
// single-stream Decompressor; the rules decide what follows each stream.
//
//   StreamDecoder dec({.mode = DecodeMode::kXz});
//   FunctionSink sink([](std::string_view bytes) { write(bytes); });
//   while (n = read(...)) dec.feed({buf, n}, sink);
//   dec.finish(sink);                        // throws if the input was cut
//
// kXz detects the container as xz does (DetectContainer: "File format not
// recognized" for anything else) and enforces the memory limit for raw
// streams too; kPython and kSingleStream behave as Python's lzma module. The
// parallel decoder (parallel/decode/parallel_decompressor.h) applies the same rules
// to .xz input decoded on threads. Errors are parxz::Error with the offset
// counted from the start of the input. One thread at a time.
#ifndef PARXZ_CORE_STREAM_DECODER_H_
#define PARXZ_CORE_STREAM_DECODER_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/decompressor.h"
#include "core/options.h"
#include "core/sink.h"
#include "core/stream_rules.h"

namespace parxz {

struct StreamDecoderOptions {
  Format format = Format::kAuto;
  DecodeMode mode = DecodeMode::kXz;
  // kSingleStream for xz's --single-stream: ignore what follows the first.
  bool single_stream = false;
  // Bytes the decoder may use (raw streams too in kXz mode); none if unset.
  std::optional<uint64_t> memlimit;
  // Required for kRaw.
  std::optional<FilterChain> filters;
  // DecompressOptions::ignore_check for every stream (xz's --ignore-check).
  bool ignore_check = false;
};

class StreamDecoder {
 public:
  // Throws Error(kBadOptions) for invalid options.
  explicit StreamDecoder(const StreamDecoderOptions& options);

  // Decodes `data`, handing every decoded byte to `sink` in order.
  void feed(std::string_view data, Sink& sink);
  // The input ended: throws Error(kTruncated / kCorruptData) if that was not
  // at a valid end.
  void finish(Sink& sink);

  // No more input will be decoded (one stream only, trailing .lz data, or
  // kPython's quiet end after an invalid later stream).
  bool done() const { return state_ == State::kDone; }
  // A stream used a check this liblzma cannot verify (xz warns, status 2).
  bool unsupported_check() const { return unsupported_check_; }
  // Compressed bytes decoded or skipped so far.
  uint64_t total_in() const;
  uint64_t total_out() const { return total_out_; }
  uint64_t streams() const { return rules_.streams(); }

 private:
  enum class State { kDetect, kDecoding, kBetween, kDone };

  void StartStream();
  // Runs the current stream's decoder over `data`; true at its end (then
  // `data` holds what follows it).
  bool DecodeSome(std::string_view& data, std::string& carry,
                  Sink& sink);
  void Between(std::string_view& data, std::string& carry, bool input_ended,
               Sink& sink);

  StreamDecoderOptions options_;
  StreamRules rules_;
  State state_ = State::kDetect;
  Container container_ = Container::kXz;
  std::optional<Decompressor> decoder_;
  std::string pending_;        // bytes not decided on yet (detection, .lz)
  uint64_t stream_start_ = 0;  // input offset of the current stream
  uint64_t stream_out_ = 0;    // decoded bytes of the current stream
  uint64_t total_out_ = 0;
  bool unsupported_check_ = false;
  std::vector<uint8_t> buffer_;
};

}  // namespace parxz

#endif  // PARXZ_CORE_STREAM_DECODER_H_
