// Sequential compression with the semantics of Python's lzma.LZMACompressor.
//
//   parxz::Compressor c({.preset = 6});          // .xz, CRC64
//   std::string out = c.compress(part1);        // may return "" and buffer
//   out += c.compress(part2);
//   out += c.flush();                           // ends the stream
//
// compress() returns compressed bytes for at least part of the input and may
// keep the rest inside liblzma; only flush() finishes the stream, and after it
// every call is a kMisuse error. One thread at a time per object; distinct
// objects are independent. For many cores use
// parallel/compress/parallel_compressor.h.
#ifndef PARXZ_CORE_COMPRESSOR_H_
#define PARXZ_CORE_COMPRESSOR_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "core/error.h"
#include "core/options.h"

namespace parxz {

struct CompressOptions {
  // kXz, kAlone or kRaw (kAuto is for decoding only).
  Format format = Format::kXz;
  // Default: kCrc64 for kXz. kAlone and kRaw store no check: only unset or
  // kNone is accepted there.
  std::optional<Check> check;
  // 0..9, default 6; may carry kPresetExtreme. Not together with `filters`.
  std::optional<uint32_t> preset;
  // Same as OR-ing kPresetExtreme into the preset.
  bool extreme = false;
  // A custom chain instead of the preset. Required for kRaw; for kAlone it
  // must be exactly one LZMA1 filter.
  std::optional<FilterChain> filters;
};

// The one check of compression options, shared by Compressor, the parallel
// compressor (parallel/compress/parallel_compressor.h) and the C API
// (capi/parxz.h). Throws Error(kBadOptions) with the messages of CPython's
// lzma.LZMACompressor ("Cannot specify both preset and filter chain", ...),
// or Error(kUnsupported) for a check this liblzma cannot compute. Allocates
// no encoder: values only liblzma's encoder refuses (a dictionary above its
// limit, a misaligned BCJ start offset) fail when the encoder starts.
void ValidateCompressOptions(const CompressOptions& options);
// Its first part, the rules about which options may go together (a check
// only with kXz, a preset or a filter chain, not both), which look only at
// what is set: CPython applies them before it converts any value, and so do
// bindings that convert values themselves (python/).
void ValidateCompressCombination(const CompressOptions& options);

// Memory a Compressor with these options allocates, in bytes (liblzma's
// lzma_raw_encoder_memusage of its filter chain). Throws as
// ValidateCompressOptions(), or Error(kBadOptions) for a chain liblzma cannot
// size.
uint64_t CompressMemoryUsage(const CompressOptions& options);

// Upper bound of the size of Compress(data) for `size` input bytes in the
// .xz format (liblzma's lzma_stream_buffer_bound).
size_t CompressBound(size_t size);
// The same for any valid options: lzma_stream_buffer_bound for LZMA2 chains
// (.xz, raw), and for LZMA1 (.lzma, raw LZMA1), for which liblzma has no
// bound, size + size / 8 + 4096, a margin above what such data was seen to
// need. SIZE_MAX when it does not fit. Throws as ValidateCompressOptions().
size_t CompressBound(size_t size, const CompressOptions& options);

// One-shot: a complete stream for `data`. Throws Error.
std::string Compress(std::string_view data,
                     const CompressOptions& options = {});

// One-shot into a caller's buffer (no allocation for the output); returns the
// number of bytes written. Throws Error (kBadOptions... or kTruncated when
// `out` is too small; CompressBound() is always enough for kXz).
size_t CompressInto(std::string_view data, std::span<uint8_t> out,
                    const CompressOptions& options = {});

// The names before free functions were CamelCase across core/ and parallel/,
// kept for source compatibility.
[[deprecated("use parxz::Compress")]] inline std::string compress(
    std::string_view data, const CompressOptions& options = {}) {
  return Compress(data, options);
}
[[deprecated("use parxz::CompressInto")]] inline size_t compress_into(
    std::string_view data, std::span<uint8_t> out,
    const CompressOptions& options = {}) {
  return CompressInto(data, out, options);
}

class Compressor {
 public:
  // Throws Error(kBadOptions / kUnsupported) for invalid combinations, with
  // the messages of Python's lzma module.
  explicit Compressor(const CompressOptions& options = {});
  ~Compressor();
  Compressor(Compressor&&) noexcept;
  Compressor& operator=(Compressor&&) noexcept;

  // Feeds `data`; returns the compressed bytes liblzma produced so far.
  std::string compress(std::string_view data);
  // Finishes the stream and returns the rest of it. Once only.
  std::string flush();

  // Zero-copy forms writing into a caller's buffer.
  struct Progress {
    size_t consumed = 0;    // input bytes taken
    size_t produced = 0;    // output bytes written
    bool finished = false;  // flush_into(): the stream is complete;
                            // end_block_into(): the Block is
  };
  // Consumes input until it is all taken or `out` is full.
  Progress compress_into(std::string_view data, std::span<uint8_t> out);
  // Call until `finished`; then the compressor is flushed. Once flush_into()
  // was called, compress()/compress_into() are kMisuse errors.
  Progress flush_into(std::span<uint8_t> out);
  // Ends the current Block now, so that a decoder can decode everything
  // given so far (.xz: LZMA_FULL_FLUSH, what `xz -T1 --block-size` and
  // --flush-timeout do; raw: LZMA_SYNC_FLUSH, which LZMA1 refuses); call
  // until `finished`. The next data starts a new Block. .lzma has no Blocks:
  // Error(kUnsupported).
  Progress end_block_into(std::span<uint8_t> out);

  bool flushed() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace parxz

#endif  // PARXZ_CORE_COMPRESSOR_H_
