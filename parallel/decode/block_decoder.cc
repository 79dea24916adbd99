#include "parallel/decode/block_decoder.h"

#include <algorithm>
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

BlockPromise BlockPromise::FromHeader(const BlockHead& head) {
  BlockPromise p;
  if (head.block.compressed_size != LZMA_VLI_UNKNOWN)
    p.in = head.total_size() - head.block.header_size;
  p.out = head.block.uncompressed_size;
  return p;
}

lzma_ret BlockVerdict(const BlockResult& r, const BlockPromise& promise,
                      bool input_complete) {
  switch (r.ret) {
    case LZMA_STREAM_END:
      if ((promise.in != LZMA_VLI_UNKNOWN && r.consumed != promise.in) ||
          (promise.out != LZMA_VLI_UNKNOWN && r.produced != promise.out)) {
        return LZMA_DATA_ERROR;
      }
      return LZMA_STREAM_END;
    case LZMA_OK:
      return input_complete && !r.cancelled ? LZMA_DATA_ERROR : LZMA_OK;
    default:
      return r.ret;
  }
}

namespace {

// Output is grown as it is decoded rather than allocated from the promised
// size at once (a header may lie): first this much, then doubling.
constexpr size_t kFirstGrow = size_t{64} << 20;

bool Requested(const std::atomic<bool>* flag) {
  return flag != nullptr && flag->load(std::memory_order_relaxed);
}

}  // namespace

BlockResult BlockDecoder::Decode(BlockHead* head, const BlockRequest& req) {
  BlockResult r;
  r.ret = Start(head);
  const bool complete =
      req.promise.in != LZMA_VLI_UNKNOWN && req.in.size() >= req.promise.in;
  const BlockOutput& out = req.out;
  ByteBuffer* const grow =
      out.kind == BlockOutput::Kind::kGrow ? out.buffer : nullptr;
  if (grow != nullptr) grow->resize(0);
  while (r.ret == LZMA_OK) {
    if (Requested(req.cancel) || Requested(req.halt)) {
      r.cancelled = true;
      break;
    }
    std::span<uint8_t> space;
    switch (out.kind) {
      case BlockOutput::Kind::kInto:
        space = out.span.subspan(static_cast<size_t>(r.produced));
        break;
      case BlockOutput::Kind::kDiscard:
        space = {scratch(), kScratchSize};
        break;
      case BlockOutput::Kind::kGrow: {
        const uint64_t cap = req.promise.out;  // UNKNOWN is huge
        if (r.produced == grow->size() && r.produced < cap) {
          grow->resize(static_cast<size_t>(std::min<uint64_t>(
              cap, std::max<uint64_t>(kFirstGrow, 2 * r.produced))));
        }
        space = {grow->data() + r.produced,
                 grow->size() - static_cast<size_t>(r.produced)};
        break;
      }
    }
    const std::span<const uint8_t> rest = req.in.subspan(r.consumed);
    const BlockResult piece =
        Code(rest.first(std::min(rest.size(), kPiece)),
             space.first(std::min(space.size(), kOutPiece)));
    r.ret = piece.ret;
    r.consumed += piece.consumed;
    r.produced += piece.produced;
    if (req.live != nullptr) req.live->Add(piece.consumed, piece.produced);
    if (piece.consumed == 0 && piece.produced == 0) break;
  }
  if (grow != nullptr) grow->resize(static_cast<size_t>(r.produced));
  r.ret = BlockVerdict(r, req.promise, complete);
  return r;
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
