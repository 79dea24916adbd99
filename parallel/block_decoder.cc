#include "parallel/block_decoder.h"

#include <utility>

namespace parxz {

BlockResult CodeSome(lzma_stream* s, std::span<const uint8_t> in,
                     std::span<uint8_t> out, lzma_action action) {
  s->next_in = in.data();
  s->avail_in = in.size();
  s->next_out = out.data();
  s->avail_out = out.size();
  BlockResult r;
  for (;;) {
    const size_t in_before = s->avail_in;
    const size_t out_before = s->avail_out;
    const lzma_ret ret = lzma_code(s, action);
    if (ret != LZMA_OK) {
      r.ret = ret == LZMA_BUF_ERROR ? LZMA_OK : ret;
      break;
    }
    if (s->avail_in == in_before && s->avail_out == out_before) break;
  }
  r.consumed = in.size() - s->avail_in;
  r.produced = out.size() - s->avail_out;
  s->next_in = nullptr;
  s->avail_in = 0;
  s->next_out = nullptr;
  s->avail_out = 0;
  return r;
}

lzma_ret BlockDecoder::Start(BlockHead* head) {
  head->block.filters = head->filters;
  const lzma_ret ret = lzma_block_decoder(strm_.get(), &head->block);
  head->FreeFilters();
  head->block.filters = head->filters;
  return ret;
}

uint8_t* BlockDecoder::scratch() {
  if (!scratch_) scratch_.reset(new uint8_t[kScratchSize]);
  return scratch_.get();
}

BlockResult BlockDecoder::Decode(BlockHead* head, std::span<const uint8_t> in,
                                 std::span<uint8_t> out,
                                 LiveProgress* live) {
  BlockResult r;
  r.ret = Start(head);
  if (r.ret != LZMA_OK) return r;
  const bool discard = out.empty();
  for (;;) {
    const std::span<uint8_t> space =
        discard ? std::span<uint8_t>(scratch(), kScratchSize)
                : out.subspan(static_cast<size_t>(r.produced));
    std::span<const uint8_t> rest = in.subspan(r.consumed);
    const bool more_input = live != nullptr && rest.size() > kScratchSize;
    if (more_input) rest = rest.first(kScratchSize);
    const BlockResult piece = Code(rest, space);
    r.ret = piece.ret;
    r.consumed += piece.consumed;
    r.produced += piece.produced;
    if (live != nullptr) live->Add(piece.consumed, piece.produced);
    if (piece.ret != LZMA_OK) return r;
    if (more_input && (piece.consumed > 0 || piece.produced > 0)) continue;
    // Only a full scratch buffer asks for another piece.
    if (!discard || piece.produced < space.size()) return r;
  }
}

std::unique_ptr<BlockDecoder> BlockDecoderPool::Acquire() {
  std::unique_ptr<BlockDecoder> d;
  if (!idle_.try_pop(d)) d = std::make_unique<BlockDecoder>();
  return d;
}

void BlockDecoderPool::Release(std::unique_ptr<BlockDecoder> decoder) {
  idle_.push(std::move(decoder));
}

void BlockDecoderPool::Trim(size_t n) {
  for (std::unique_ptr<BlockDecoder> d;
       idle_.unsafe_size() > n && idle_.try_pop(d);) {
  }
}

}  // namespace parxz
