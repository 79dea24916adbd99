// Sequential, incremental decompression with exactly the documented semantics
// of Python's lzma.LZMADecompressor, plus the one-shot decompress().
//
//   parxz::Decompressor d;                      // FORMAT_AUTO
//   std::string out;
//   while (!d.eof()) {
//     // Ask for more input only when the decompressor wants it; otherwise
//     // drain what it holds, at most 64 KiB per call.
//     std::string in = d.needs_input() ? read_some() : std::string();
//     out += d.decompress(in, 64 << 10);
//   }
//   // d.unused_data() now holds whatever followed the stream.
//
// Input that decompress() cannot use yet is buffered internally and used by the
// next call. At most `max_length` bytes come back (all if max_length < 0).
// needs_input() is false when the output limit was hit and more output is
// ready, and at end of stream. After the end, decompress() is a kEndOfStream
// error. A Decompressor decodes one stream; the one-shot decompress() and
// StreamDecoder (core/stream_decoder.h) handle concatenated streams. One thread
// at a time per object.
#ifndef PARXZ_CORE_DECOMPRESSOR_H_
#define PARXZ_CORE_DECOMPRESSOR_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "core/chunked_output.h"
#include "core/error.h"
#include "core/options.h"

namespace parxz {

struct WholeXzStream;  // core/stream_rules.h

struct DecompressOptions {
  // kAuto detects .xz, .lzma (LZMA_Alone) and .lz (lzip).
  Format format = Format::kAuto;
  // Bytes of memory the decoder may use; exceeding it is a kMemLimit error.
  // Not allowed with kRaw. Default: unlimited.
  std::optional<uint64_t> memlimit;
  // Required for kRaw, refused for the other formats.
  std::optional<FilterChain> filters;
  // Don't verify the integrity check of .xz Blocks and .lz members
  // (liblzma's LZMA_IGNORE_CHECK; xz's --ignore-check). .lzma and raw
  // streams have no check anyway.
  bool ignore_check = false;
};

// One-shot: decodes every concatenated stream in `data`, as Python's
// lzma.decompress() (DecodeMode::kPython, core/stream_rules.h): stops quietly
// at trailing data that is not a stream once one stream decoded, and fails
// (kTruncated) on an unfinished stream.
std::string Decompress(std::string_view data,
                       const DecompressOptions& options = {});
// The same into a caller's buffer; returns the bytes written. Throws
// Error(kTruncated, "output buffer of N bytes is too small") when the output
// does not fit. `peeked`: what PeekWholeXzStream(data) (core/stream_rules.h)
// told a caller that already asked, so that the Index is not parsed again;
// null: not asked yet.
size_t DecompressInto(std::string_view data, std::span<uint8_t> out,
                      const DecompressOptions& options = {},
                      const WholeXzStream* peeked = nullptr);

// The names before free functions were CamelCase across core/ and parallel/,
// kept for source compatibility.
[[deprecated("use parxz::Decompress")]] inline std::string decompress(
    std::string_view data, const DecompressOptions& options = {}) {
  return Decompress(data, options);
}
[[deprecated("use parxz::DecompressInto")]] inline size_t decompress_into(
    std::string_view data, std::span<uint8_t> out,
    const DecompressOptions& options = {}) {
  return DecompressInto(data, out, options);
}

// The option checks every decoder makes first, with CPython's messages
// ("Cannot specify memory limit with FORMAT_RAW", ...): throws
// Error(kBadOptions).
void ValidateDecompressOptions(const DecompressOptions& options);

class Decompressor {
 public:
  // Throws Error(kBadOptions) for invalid option combinations.
  explicit Decompressor(const DecompressOptions& options = {});
  ~Decompressor();
  Decompressor(Decompressor&&) noexcept;
  Decompressor& operator=(Decompressor&&) noexcept;

  // Appends `data` to the pending input and returns up to `max_length`
  // decompressed bytes (unlimited when negative). max_length 0 is allowed any
  // number of times in a row and just buffers `data` (CPython would raise
  // "Insufficient buffer space" on the second call that makes no progress).
  std::string decompress(std::string_view data, int64_t max_length = -1);
  // Zero-copy form: as decompress(data, out.size()), writing into `out`;
  // returns the number of bytes written.
  size_t decompress_into(std::string_view data, std::span<uint8_t> out);
  // As decompress(), appending the bytes to `out` (core/chunked_output.h)
  // rather than growing a string: a binding then copies them once to where
  // they go. Returns the bytes appended; after an exception, what it
  // appended is not output (as decompress() returns nothing).
  size_t decompress_to(std::string_view data, int64_t max_length,
                       ChunkedOutput& out);

  bool eof() const;
  bool needs_input() const;
  // The bytes after the end of the stream (empty until eof()).
  const std::string& unused_data() const;
  // The stream's check ID: Check::kUnknown until the header was read; may be
  // an unnamed ID 2..15. kNone for kAlone and kRaw.
  Check check() const;
  // Compressed bytes consumed so far (the offset errors are reported at).
  uint64_t total_in() const;
  // Decompressed bytes produced so far.
  uint64_t total_out() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace parxz

#endif  // PARXZ_CORE_DECOMPRESSOR_H_
