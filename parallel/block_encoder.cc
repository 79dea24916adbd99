#include "parallel/block_encoder.h"

#include <algorithm>

#include "core/error.h"

namespace parxz {

namespace {
constexpr char kOp[] = "compress block";
// Input handed to liblzma per call, so that cancellation is noticed quickly.
constexpr size_t kChunk = 1 << 20;
}  // namespace

BlockEncoder::BlockEncoder(const lzma_filter* filters, lzma_check check,
                           uint64_t block_size)
    : filters_(filters), check_(check), block_size_(block_size) {}

size_t BlockEncoder::OutputCapacity(uint64_t block_size) {
  return lzma_block_buffer_bound(static_cast<size_t>(block_size));
}

BlockRecord BlockEncoder::Encode(std::span<const uint8_t> in, ByteBuffer& out,
                                 const std::atomic<bool>* cancel) {
  // Header sized for the worst case, as stream_encoder_mt.c does: the sizes
  // written later are smaller and the header is padded, which is what makes
  // our output identical to xz's.
  lzma_block block{};
  block.version = 0;
  block.check = check_;
  block.compressed_size = out.capacity;
  block.uncompressed_size = block_size_;
  block.filters = const_cast<lzma_filter*>(filters_);
  ThrowIfLzmaError(lzma_block_header_size(&block), kOp);
  ThrowIfLzmaError(lzma_block_encoder(strm_.get(), &block), kOp);

  lzma_stream* s = strm_.get();
  s->next_out = out.data.get() + block.header_size;
  s->avail_out = out.capacity - block.header_size;
  size_t pos = 0;
  lzma_ret ret = LZMA_OK;
  while (ret == LZMA_OK && s->avail_out > 0) {
    if (cancel != nullptr && cancel->load(std::memory_order_relaxed)) {
      throw Error(ErrorCode::kCancelled, kOp, "cancelled");
    }
    const size_t n = std::min(kChunk, in.size() - pos);
    s->next_in = in.data() + pos;
    s->avail_in = n;
    const bool last = pos + n == in.size();
    ret = lzma_code(s, last ? LZMA_FINISH : LZMA_RUN);
    pos += n - s->avail_in;
  }
  if (ret == LZMA_STREAM_END) {
    out.size = out.capacity - s->avail_out;
    ThrowIfLzmaError(lzma_block_header_encode(&block, out.data.get()), kOp);
  } else if (ret == LZMA_OK) {
    // Did not fit in the bound: store it, header and all, uncompressed.
    out.size = 0;
    ThrowIfLzmaError(
        lzma_block_uncomp_encode(&block, in.data(), in.size(), out.data.get(),
                                 &out.size, out.capacity),
        kOp);
  } else {
    throw LzmaError(ret, kOp);
  }
  return {lzma_block_unpadded_size(&block), block.uncompressed_size};
}

}  // namespace parxz
