#include "parallel/compress/stream_assembler.h"

#include "core/error.h"

namespace parxz {

StreamAssembler::StreamAssembler(lzma_check check)
    : check_(check), index_(lzma_index_init(nullptr)) {
  if (index_ == nullptr) {
    throw Error(ErrorCode::kOutOfMemory, "compress",
                "cannot allocate the Index");
  }
}

StreamAssembler::~StreamAssembler() { lzma_index_end(index_, nullptr); }

std::string StreamAssembler::Header() const {
  lzma_stream_flags flags{};
  flags.version = 0;
  flags.check = check_;
  std::string out(LZMA_STREAM_HEADER_SIZE, '\0');
  ThrowIfLzmaError(
      lzma_stream_header_encode(&flags, reinterpret_cast<uint8_t*>(out.data())),
      "encode stream header");
  return out;
}

void StreamAssembler::AddBlock(const BlockRecord& record) {
  ThrowIfLzmaError(lzma_index_append(index_, nullptr, record.unpadded_size,
                                     record.uncompressed_size),
                   "append to index");
}

std::string StreamAssembler::Trailer() const {
  const lzma_vli index_size = lzma_index_size(index_);
  std::string out(index_size + LZMA_STREAM_HEADER_SIZE, '\0');
  auto* p = reinterpret_cast<uint8_t*>(out.data());
  size_t pos = 0;
  ThrowIfLzmaError(lzma_index_buffer_encode(index_, p, &pos, index_size),
                   "encode index");
  lzma_stream_flags flags{};
  flags.version = 0;
  flags.check = check_;
  flags.backward_size = index_size;
  ThrowIfLzmaError(lzma_stream_footer_encode(&flags, p + pos),
                   "encode stream footer");
  return out;
}

uint64_t StreamAssembler::blocks() const {
  return lzma_index_block_count(index_);
}

}  // namespace parxz
