// The file decoder's streamed output (decode_driver.h): Blocks decoded one
// at a time in stream order, on BlockDecoder in bounded pieces (input read a
// piece at a time, output in reused pieces, whatever the Block's size). With
// 2+ threads the output goes to a StreamWriter: the Block is decoded with
// lzma_block.ignore_check and its CRC32/CRC64 verified on the writer's
// thread against the Check field liblzma read, with the error liblzma would
// have given (LZMA_DATA_ERROR at the Block's end) after all of its output, as
// `xz -d` writes it. SHA-256 and checks liblzma cannot verify stay in-line.

#include <lzma.h>

#include <algorithm>
#include <memory>
#include <utility>

#include "core/error.h"
#include "parallel/access/file_index.h"
#include "parallel/decode/block_check.h"
#include "parallel/decode/block_decoder.h"
#include "parallel/decode/decode_driver.h"
#include "parallel/decode/stream_writer.h"

namespace parxz {
namespace decode_internal {

StreamWriter* Driver::Streamed() {
  if (opt_.threads < 2) return nullptr;
  if (!writer_) writer_ = std::make_unique<StreamWriter>(sink_);
  if (!streaming_) {
    out_mark_ = sink_.written();
    committed_mark_ = writer_->committed();
    streaming_ = true;
  }
  return writer_.get();
}

void Driver::Settle() {
  if (!streaming_) return;
  writer_->Drain();  // throws the writer's error (again on every call)
  streaming_ = false;
}

uint64_t Driver::OutBytes() const {
  if (!streaming_) return sink_.written();
  return out_mark_ + (writer_->committed() - committed_mark_);
}

size_t Driver::InputPiece() {
  // Topped up only when low: DecodeInput moves what is left to the front
  // of its buffer on every refill.
  constexpr size_t kLow = size_t{64} << 10;
  const size_t avail = in_.available();
  return avail >= kLow ? avail : in_.Ensure(kChunk);
}

std::span<uint8_t> Driver::OutPiece(StreamWriter* w) {
  if (w != nullptr) return w->Piece();
  if (!scratch_) scratch_.reset(new uint8_t[kChunk]);
  return {scratch_.get(), kChunk};
}

void Driver::Emit(StreamWriter* w, size_t n) {
  if (n == 0) return;
  if (w != nullptr) {
    w->Commit(n);
  } else {
    sink_.Write(scratch_.get(), n);
  }
}

bool Driver::DecodeAlone(const BlockHead& head) {
  if (!indexed_.empty()) {
    const IndexedBlock* ib = FindIndexedBlock(indexed_, head.offset);
    if (ib == nullptr) return false;
    const IndexedBlock* next = ib + 1;
    // Blocks of one Stream follow each other without a gap.
    return next == indexed_.data() + indexed_.size() ||
           next->offset != ib->offset + ib->total_size;
  }
  // No Index (a pipe): the Block's data, which a run would read first
  // anyway, is read ahead, and the byte after it looked at: the Index
  // Indicator says the Block is its Stream's last. Only within the soft
  // limit, as a run's memory is; beyond it the plan decides. A Stream's
  // first Block may be its only one: beyond kFirstBlockReadAhead it is
  // decoded alone rather than held.
  if (head.total_size() == 0 || in_.in_memory()) return false;
  const uint64_t data = head.total_size() - head.block.header_size;
  if (head.number == 1 && data >= kFirstBlockReadAhead) return true;
  if (data >= opt_.limits.soft || data >= SIZE_MAX) return false;
  const size_t want = static_cast<size_t>(data) + 1;
  return in_.Ensure(want) >= want && in_.data()[want - 1] == 0x00;
}

bool Driver::DecodeBlockSequentially(BlockHead& head) {
  StreamWriter* const w = Streamed();
  const lzma_check check = head.block.check;
  const bool check_here =
      w != nullptr && !head.block.ignore_check && BlockCheck::Computable(check);
  if (check_here) head.block.ignore_check = true;
  if (w != nullptr) {
    w->BeginCheck(check_here ? check : LZMA_CHECK_NONE);
  }
  std::unique_ptr<BlockDecoder> decoder = decoders_.Acquire();
  const lzma_ret ret = decoder->Start(&head);
  if (ret != LZMA_OK) throw BlockError(ret, head, in_.offset());
  for (;;) {
    const size_t avail = InputPiece();
    const std::span<uint8_t> out = OutPiece(w);
    const BlockResult r = decoder->Code({in_.data(), avail}, out);
    in_.Consume(r.consumed);
    Emit(w, r.produced);
    if (opt_.live != nullptr) opt_.live->Add(r.consumed, r.produced);
    Progress(in_.offset());
    if (r.ret == LZMA_STREAM_END) break;
    if (r.ret != LZMA_OK) {
      throw BlockError(r.ret, head, in_.offset());
    }
    if (r.consumed == 0 && r.produced == 0) {
      if (avail == 0) {
        decoders_.Release(std::move(decoder));
        return false;
      }
      throw BlockError(LZMA_BUF_ERROR, head, in_.offset());
    }
  }
  decoders_.Release(std::move(decoder));
  if (check_here) {
    // What liblzma's block decoder returns for a wrong Check, where it
    // returns it: after the Check field.
    w->EndCheck(head.block.raw_check,
                BlockError(LZMA_DATA_ERROR, head, in_.offset()));
  }
  CountBlock(head, in_.offset());
  return true;
}

}  // namespace decode_internal
}  // namespace parxz
