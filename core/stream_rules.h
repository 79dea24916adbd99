// What a decoder does at the end of a stream: the one place that decides it.
//
// Every front end (core's one-shot decompress(), the parallel decoder's
// sequential parts, the C API, Python, the command line) asks a StreamRules
// what the bytes after a decoded stream mean:
//
//   StreamRules rules(DecodeMode::kXz);
//   ... a stream of Container::kXz ended ...
//   rules.stream_ended(Container::kXz);
//   for (;;) {
//     StreamRules::Next next = rules.after_stream(following, input_ended, at);
//     consume(next.skip);                       // Stream Padding, if any
//     if (next.action == StreamRules::kNeedInput) { read more; continue; }
//     if (next.action == StreamRules::kNextStream) start_another_stream();
//     break;                                    // kEnd: done
//   }
//
// The three rule sets:
//   kSingleStream  LZMADecompressor / Decompressor: one stream; what follows
//                  is unused_data(). (xz --single-stream behaves the same way
//                  and ignores the rest.)
//   kPython        lzma.decompress(): while bytes follow, try another stream
//                  with the same options; once one stream decoded, an error in
//                  a later one ends the output quietly before it (its partial
//                  output is dropped), but a later stream cut short is still
//                  an error ("Compressed data ended before ...").
//   kXz            `xz -d`/`xz -t`: .xz Streams, each optionally followed by
//                  Stream Padding (zero bytes, a multiple of four in all);
//                  anything else after a Stream is corrupt data, and a later
//                  Stream Header that is not one is corrupt data too.
//                  .lz members follow each other; after the last, bytes that
//                  do not start with "LZIP" are ignored (as lzip and xz).
//                  .lzma and raw streams: nothing may follow.
//
// Also here: xz's format detection (which container a file is in, from its
// first bytes), used by the xz-rule decoders. Pure functions and a small
// state object; no liblzma coder state, no I/O, no threads.
#ifndef PARXZ_CORE_STREAM_RULES_H_
#define PARXZ_CORE_STREAM_RULES_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "core/error.h"
#include "core/options.h"

namespace parxz {

// What to do with more than one stream and with what follows the last one.
enum class DecodeMode {
  kSingleStream,
  kPython,
  kXz,
};

// The container of one stream, as the rules need to tell them apart.
enum class Container { kXz, kAlone, kLzip, kRaw };

// Bytes DetectContainer() wants to see (fewer only when the input is shorter).
inline constexpr size_t kDetectBytes = 13;

// xz's detection (src/xz/coder.c): for Format::kAuto, the .xz magic, "LZIP",
// or a plausible .lzma header (power-of-two-ish dictionary, sane size);
// kRaw forces a raw stream; kXz and kAlone still need their magic or a
// plausible header (as `xz -F xz` and `xz -F lzma`). nullopt: "File format not
// recognized". `head` is the first min(kDetectBytes, input size) bytes.
std::optional<Container> DetectContainer(Format format,
                                         std::span<const uint8_t> head);

// The container liblzma's lzma_auto_decoder picks from the first byte (what
// Python's FORMAT_AUTO does): 0xFD -> .xz, 'L' -> .lz, anything else .lzma.
Container AutoDecoderContainer(Format format, uint8_t first_byte);

// True if `head` (at least 6 bytes) starts with the .xz Stream Header magic.
bool HasXzMagic(std::span<const uint8_t> head);

// `data` read from its end as one whole .xz Stream: the Stream Footer, then
// the Index it points at, whose Number of Records is read first (above
// `max_records`: nullopt, the rest is not decoded) and whose Stream size
// must be all of `data` (nothing before or after the Stream). The Index's
// figures or nullopt; never throws. Nothing is decoded or verified against
// the Blocks, so the figures are claims (a damaged file may lie): enough to
// choose a path or size a buffer, never to trust.
struct WholeXzStream {
  uint64_t blocks = 0;
  uint64_t uncompressed_size = 0;
};
std::optional<WholeXzStream> PeekWholeXzStream(
    std::span<const uint8_t> data, uint64_t max_records = UINT64_MAX);
std::optional<WholeXzStream> PeekWholeXzStream(
    std::string_view data, uint64_t max_records = UINT64_MAX);

class StreamRules {
 public:
  enum Action {
    kNeedInput,   // look again with more bytes (or with input_ended)
    kNextStream,  // a stream starts here: decode it with the same options
    kEnd,         // decoding is over; the rest (if any) is not decoded
  };
  struct Next {
    Action action;
    size_t skip;  // bytes of `following` to consume first (Stream Padding)
  };

  // `single_stream` (xz's --single-stream) turns kXz into kSingleStream.
  explicit StreamRules(DecodeMode mode, bool single_stream = false);

  DecodeMode mode() const { return mode_; }
  // Streams decoded to their end so far.
  uint64_t streams() const { return streams_; }

  // A stream in `container` decoded to its end.
  void stream_ended(Container container);

  // After stream_ended: what `following` (the bytes after the stream, or
  // after what earlier calls said to skip) means. kNextStream: decode
  // another stream in the same container as the last (kPython: with the
  // same options as the first). `input_ended`: nothing
  // comes after `following`. `offset`: the input offset of following[0], for
  // errors. Throws Error(kCorruptData) where the rules call the bytes
  // corrupt (xz: trailing garbage, padding not a multiple of four).
  Next after_stream(std::span<const uint8_t> following, bool input_ended,
                    uint64_t offset);

  // A later stream (streams() > 0) failed with `e`: true when the rules end
  // the output quietly before that stream (kPython, for any error but a
  // truncated stream, I/O, running out of memory, cancellation, misuse or an
  // internal error, which Python does not raise as LZMAError); false when
  // `e` stands.
  bool ends_quietly(const Error& e) const;

  // kXz: a later Stream Header that is not a Stream Header is corrupt data
  // (LZMA_DATA_ERROR), not "format not recognized" as for the first.
  bool later_header_is_corrupt() const {
    return mode_ == DecodeMode::kXz && streams_ > 0;
  }

 private:
  DecodeMode mode_;
  uint64_t streams_ = 0;
  std::optional<Container> last_;
  uint64_t padding_ = 0;  // kXz .xz: zero bytes since the last Stream
};

}  // namespace parxz

#endif  // PARXZ_CORE_STREAM_RULES_H_
