// The file decoder's sequential paths (decode_driver.h): .lzma and .lz
// streams under xz's rules, Python-mode streams of any container (an .xz one
// goes back to the Driver's .xz path), each on liblzma's own decoder run over
// the input by DecodeSequential, in stream order on the calling thread.

#include <lzma.h>

#include <cstddef>
#include <cstdint>
#include <memory>

#include "core/error.h"
#include "core/lzma_stream.h"
#include "core/stream_rules.h"
#include "parallel/decode/block_decoder.h"
#include "parallel/decode/decode_driver.h"

namespace parxz {
namespace decode_internal {

uint32_t Driver::IgnoreCheckFlag() const {
  return opt_.ignore_check ? LZMA_IGNORE_CHECK : 0;
}

Container Driver::DecodePythonStream() {
  const uint8_t first = in_.Ensure(1) >= 1 ? in_.data()[0] : 0;
  const Container container = AutoDecoderContainer(opt_.format, first);
  if (container == Container::kXz) {
    if (!DecodeXzStream()) ThrowTruncated();
    return container;
  }
  // .lzma and .lz: core's decoders, initialised as core/decompressor.cc
  // does (lzma_auto_decoder's .lzma decoder is the picky one).
  LzmaStream strm;
  const lzma_ret ret =
      opt_.format == Format::kAlone
          ? lzma_alone_decoder(strm.get(), opt_.limits.hard)
          : lzma_auto_decoder(
                strm.get(), opt_.limits.hard,
                LZMA_TELL_ANY_CHECK | LZMA_TELL_NO_CHECK | IgnoreCheckFlag());
  ThrowIfLzmaError(ret, "decompressor init");
  if (!DecodeSequential(strm.get(), /*finish=*/false)) ThrowTruncated();
  return container;
}

Container Driver::DecodeXzRulesStream(Container container) {
  bool ended = false;
  if (container == Container::kXz) {
    ended = DecodeXzStream();
  } else {
    LzmaStream strm;
    lzma_ret ret = LZMA_OK;
    if (container == Container::kLzip) {
      ret = lzma_lzip_decoder(strm.get(), opt_.limits.hard,
                              LZMA_TELL_UNSUPPORTED_CHECK | IgnoreCheckFlag());
    } else {
      ret = lzma_alone_decoder(strm.get(), opt_.limits.hard);
    }
    ThrowIfLzmaError(ret, "decompressor init");
    ended = DecodeSequential(strm.get(), /*finish=*/true);
  }
  if (!ended) {
    throw Error(ErrorCode::kTruncated, kOp, "Unexpected end of input",
                in_.offset());
  }
  return container;
}

void Driver::ThrowTruncated() {
  throw Error(ErrorCode::kTruncated, kOp,
              "Compressed data ended before the end-of-stream marker was "
              "reached",
              in_.offset());
}

bool Driver::DecodeSequential(lzma_stream* s, bool finish) {
  StreamWriter* const w = Streamed();  // the writes on another thread
  for (;;) {
    const size_t avail = InputPiece();
    const lzma_action action =
        finish && in_.exhausted() ? LZMA_FINISH : LZMA_RUN;
    const BlockResult r = CodeSome(s, {in_.data(), avail}, OutPiece(w), action);
    if (Emitted(w, r, avail)) return false;
    switch (r.ret) {
      case LZMA_OK:
      case LZMA_GET_CHECK:
      case LZMA_NO_CHECK:
        break;
      case LZMA_UNSUPPORTED_CHECK:  // only asked for by xz rules: a warning
        stats_.unsupported_check = true;
        break;
      case LZMA_STREAM_END:
        return true;
      default:
        throw LzmaError(r.ret, kOp, in_.offset());
    }
  }
}

bool Driver::Emitted(StreamWriter* w, const BlockResult& r, size_t avail) {
  in_.Consume(r.consumed);
  Emit(w, r.produced);
  Progress(in_.offset());
  if (r.ret != LZMA_OK || r.consumed > 0 || r.produced > 0) return false;
  if (avail == 0) return true;
  throw LzmaError(LZMA_BUF_ERROR, kOp, in_.offset());
}

}  // namespace decode_internal
}  // namespace parxz
