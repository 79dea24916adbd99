#include "parallel/compress/block_encoder.h"

#include <algorithm>
#include <cstring>
#include <string>
#include <utility>

#include "core/error.h"
#include "parallel/common/fd_io.h"

namespace parxz {

namespace {
constexpr char kOp[] = "compress block";

}  // namespace

std::span<const uint8_t> MemoryBlockInput::Read(uint64_t offset, size_t max) {
  return data_.subspan(offset, std::min<uint64_t>(max, data_.size() - offset));
}

std::span<const uint8_t> FileBlockInput::Read(uint64_t offset, size_t max) {
  const size_t want = std::min<uint64_t>({max, chunk_.size(), size_ - offset});
  const uint64_t at = offset_ + offset;
  const size_t got = PreadFully(fd_, chunk_.data(), want, at);
  if (got < want) {
    throw Error(ErrorCode::kIo, "read",
                "the file shrank while being compressed (at input byte " +
                    std::to_string(at + got) + ")");
  }
  return chunk_.subspan(0, got);
}

std::span<uint8_t> BlockEncoder::chunk_buffer() {
  if (!chunk_) chunk_.reset(new uint8_t[kChunk]);
  return {chunk_.get(), kChunk};
}

BlockEncoder::BlockEncoder(const lzma_filter* filters, lzma_check check,
                           uint64_t block_size)
    : filters_(filters),
      check_(check),
      block_size_(block_size),
      strm_(TakeSpareStream(SpareRole::kEncoder)),
      spare_ok_(lzma_raw_encoder_memusage(filters) <= kSpareMemoryMax) {}

BlockEncoder::~BlockEncoder() {
  if (spare_ok_) KeepSpareStream(SpareRole::kEncoder, std::move(strm_));
}

size_t BlockEncoder::OutputCapacity(uint64_t block_size) {
  return lzma_block_buffer_bound(static_cast<size_t>(block_size));
}

BlockRecord BlockEncoder::Encode(BlockInput& in, ByteBuffer& out,
                                 const std::atomic<bool>* cancel,
                                 LiveProgress* live) {
  // Header sized for the worst case of a full Block, as stream_encoder_mt.c
  // does (whatever `out`'s capacity): the sizes written later are smaller
  // and the header is padded, which is what makes our output identical to
  // xz's.
  lzma_block block{};
  block.version = 0;
  block.check = check_;
  block.compressed_size = OutputCapacity(block_size_);
  block.uncompressed_size = block_size_;
  block.filters = const_cast<lzma_filter*>(filters_);
  // Off until the Block is done; for good once one is too big to keep.
  const bool spare_ok = spare_ok_ && in.size() <= kSpareBytesMax;
  spare_ok_ = false;
  ThrowIfLzmaError(lzma_block_header_size(&block), kOp);
  ThrowIfLzmaError(lzma_block_encoder(strm_->get(), &block), kOp);

  lzma_stream* s = strm_->get();
  // At most the bound of the actual input size (which is the capacity for
  // a full Block): ParallelCompressBound() relies on it. Only a last,
  // shorter Block whose LZMA2 data exceeds that bound, which takes input
  // crafted against LZMA's model, is then stored where xz -T would keep the
  // larger compressed form.
  const size_t limit = OutputCapacity(in.size());
  if (out.capacity() < limit) {
    throw Error(ErrorCode::kInternal, kOp, "output buffer below the bound");
  }
  s->next_out = out.data() + block.header_size;
  s->avail_out = limit - block.header_size;
  uint64_t pos = 0;
  lzma_ret ret = LZMA_OK;
  std::span<const uint8_t> piece;
  size_t reported_avail = s->avail_out;  // output already given to `live`
  while (ret == LZMA_OK && s->avail_out > 0) {
    if (cancel != nullptr && cancel->load(std::memory_order_relaxed)) {
      throw Error(ErrorCode::kCancelled, kOp, "cancelled");
    }
    if (s->avail_in == 0 && pos < in.size()) {
      if (live != nullptr) {
        live->Add(piece.size(), reported_avail - s->avail_out);
        reported_avail = s->avail_out;
      }
      piece = in.Read(pos, kChunk);
      s->next_in = piece.data();
      s->avail_in = piece.size();
      pos += piece.size();
    }
    ret = lzma_code(s, pos == in.size() ? LZMA_FINISH : LZMA_RUN);
  }
  if (live != nullptr) live->Add(piece.size(), reported_avail - s->avail_out);
  if (ret == LZMA_STREAM_END) {
    out.resize(limit - s->avail_out);
    ThrowIfLzmaError(lzma_block_header_encode(&block, out.data()), kOp);
  } else if (ret == LZMA_OK) {
    // Did not fit in the bound: store it, header and all, uncompressed. This
    // needs the whole Block at once; it practically never happens, because
    // LZMA2 itself stores chunks that do not compress.
    ByteBuffer whole(static_cast<size_t>(in.size()));
    for (uint64_t at = 0; at < in.size();) {
      std::span<const uint8_t> p = in.Read(at, kChunk);
      std::memcpy(whole.data() + at, p.data(), p.size());
      at += p.size();
    }
    size_t written = 0;
    ThrowIfLzmaError(
        lzma_block_uncomp_encode(&block, whole.data(), in.size(), out.data(),
                                 &written, out.capacity()),
        kOp);
    out.resize(written);
  } else {
    throw LzmaError(ret, kOp);
  }
  spare_ok_ = spare_ok;
  return {lzma_block_unpadded_size(&block), block.uncompressed_size};
}

void BlockEncoderPool::With(const std::function<void(BlockEncoder&)>& f) {
  std::unique_ptr<BlockEncoder> encoder;
  if (!idle_.try_pop(encoder)) {
    encoder = std::make_unique<BlockEncoder>(filters_, check_, block_size_);
  }
  // Back to the pool whatever happens.
  struct Return {
    BlockEncoderPool* pool;
    std::unique_ptr<BlockEncoder>& encoder;
    ~Return() { pool->idle_.push(std::move(encoder)); }
  } give_back{this, encoder};
  f(*encoder);
}

}  // namespace parxz
