#include "parallel/decode/xz_parser.h"

#include <cstring>
#include <utility>

namespace parxz {

BlockHead::BlockHead() {
  std::memset(&block, 0, sizeof(block));
  for (lzma_filter& f : filters) {
    f.id = LZMA_VLI_UNKNOWN;
    f.options = nullptr;
  }
  block.filters = filters;
}

BlockHead::~BlockHead() { FreeFilters(); }

BlockHead::BlockHead(BlockHead&& other) noexcept : BlockHead() {
  *this = std::move(other);
}

BlockHead& BlockHead::operator=(BlockHead&& other) noexcept {
  if (this == &other) return *this;
  FreeFilters();
  block = other.block;
  for (size_t i = 0; i <= LZMA_FILTERS_MAX; ++i) {
    filters[i] = other.filters[i];
    other.filters[i].id = LZMA_VLI_UNKNOWN;
    other.filters[i].options = nullptr;
  }
  block.filters = filters;
  offset = other.offset;
  stream = other.stream;
  number = other.number;
  memusage = other.memusage;
  return *this;
}

void BlockHead::FreeFilters() { lzma_filters_free(filters, nullptr); }

uint64_t BlockHead::total_size() const {
  if (block.compressed_size == LZMA_VLI_UNKNOWN) return 0;
  return lzma_block_total_size(&block);
}

lzma_ret ParseBlockHeader(const uint8_t* in, lzma_check check,
                          uint64_t memlimit, BlockHead* head) {
  head->FreeFilters();
  lzma_block& b = head->block;
  // As stream_decoder.c's SEQ_BLOCK_INIT: version 1, the Stream's check.
  b.version = 1;
  b.check = check;
  b.header_size = lzma_block_header_size_decode(in[0]);
  b.filters = head->filters;
  lzma_ret ret = lzma_block_header_decode(&b, nullptr, in);
  if (ret != LZMA_OK) return ret;
  b.ignore_check = false;
  head->memusage = lzma_raw_decoder_memusage(head->filters);
  if (head->memusage == UINT64_MAX) return LZMA_OPTIONS_ERROR;
  if (head->memusage > memlimit) return LZMA_MEMLIMIT_ERROR;
  return LZMA_OK;
}

StreamChecker::StreamChecker() : hash_(lzma_index_hash_init(nullptr, nullptr)) {
  if (hash_ == nullptr) throw LzmaError(LZMA_MEM_ERROR, "decompress");
}

StreamChecker::~StreamChecker() { lzma_index_hash_end(hash_, nullptr); }

lzma_ret StreamChecker::ParseHeader(const uint8_t* in) {
  return lzma_stream_header_decode(&flags_, in);
}

lzma_ret StreamChecker::AddBlock(const lzma_block& block) {
  return lzma_index_hash_append(hash_, lzma_block_unpadded_size(&block),
                                block.uncompressed_size);
}

lzma_ret StreamChecker::DecodeIndex(const uint8_t* in, size_t* pos,
                                    size_t size) {
  return lzma_index_hash_decode(hash_, in, pos, size);
}

lzma_ret StreamChecker::CheckFooter(const uint8_t* in) const {
  lzma_stream_flags footer;
  lzma_ret ret = lzma_stream_footer_decode(&footer, in);
  if (ret == LZMA_OK && lzma_index_hash_size(hash_) != footer.backward_size) {
    ret = LZMA_DATA_ERROR;
  }
  if (ret == LZMA_OK) ret = lzma_stream_flags_compare(&flags_, &footer);
  return ret == LZMA_FORMAT_ERROR ? LZMA_DATA_ERROR : ret;
}

XzStreamParser::XzStreamParser(uint64_t memlimit, uint64_t stream)
    : memlimit_(memlimit), stream_(stream) {}

XzStreamParser::Step XzStreamParser::Fail(Step s, lzma_ret ret, Part part) {
  s.event = Event::kError;
  s.error = ret;
  s.part = part;
  state_ = State::kFailed;
  last_ = s;
  last_.consumed = 0;
  return s;
}

XzStreamParser::Step XzStreamParser::Next(std::span<const uint8_t> in,
                                          uint64_t offset, BlockHead* head) {
  Step s;
  auto more = [&](size_t need) {
    s.event = Event::kMore;
    s.need = need;
    return s;
  };
  for (;;) {
    const std::span<const uint8_t> rest = in.subspan(s.consumed);
    switch (state_) {
      case State::kStreamHeader: {
        if (rest.size() < LZMA_STREAM_HEADER_SIZE)
          return more(LZMA_STREAM_HEADER_SIZE);
        const lzma_ret ret = checker_.ParseHeader(rest.data());
        s.consumed += LZMA_STREAM_HEADER_SIZE;
        if (ret != LZMA_OK) return Fail(s, ret, Part::kStreamHeader);
        state_ = State::kBlockStart;
        break;
      }
      case State::kBlockStart: {
        if (rest.empty()) return more(1);
        if (rest[0] == 0x00) {
          state_ = State::kIndexNext;
          s.event = Event::kIndex;
          return s;
        }
        const uint32_t size = lzma_block_header_size_decode(rest[0]);
        if (rest.size() < size) return more(size);
        head->offset = offset + s.consumed;
        head->stream = stream_;
        head->number = ++blocks_;
        const lzma_ret ret =
            ParseBlockHeader(rest.data(), checker_.check(), memlimit_, head);
        s.consumed += size;
        if (ret != LZMA_OK) return Fail(s, ret, Part::kBlockHeader);
        s.event = Event::kBlock;
        return s;
      }
      case State::kIndexNext:
        state_ = State::kIndex;
        break;
      case State::kIndex: {
        // lzma_index_hash_decode: no calls without input.
        if (rest.empty()) return more(1);
        size_t pos = 0;
        const lzma_ret ret =
            checker_.DecodeIndex(rest.data(), &pos, rest.size());
        s.consumed += pos;
        if (ret == LZMA_OK) return more(1);
        if (ret != LZMA_STREAM_END) return Fail(s, ret, Part::kIndex);
        state_ = State::kFooter;
        break;
      }
      case State::kFooter: {
        if (rest.size() < LZMA_STREAM_HEADER_SIZE)
          return more(LZMA_STREAM_HEADER_SIZE);
        const lzma_ret ret = checker_.CheckFooter(rest.data());
        s.consumed += LZMA_STREAM_HEADER_SIZE;
        if (ret != LZMA_OK) return Fail(s, ret, Part::kStreamFooter);
        state_ = State::kEnded;
        s.event = Event::kEnd;
        last_ = s;
        last_.consumed = 0;
        return s;
      }
      case State::kEnded:
      case State::kFailed:
        return last_;
    }
  }
}

lzma_ret XzStreamParser::BlockEnded(const lzma_block& block) {
  return checker_.AddBlock(block);
}

void XzStreamParser::RestartAtBlock(uint64_t number) {
  blocks_ = number - 1;
  state_ = State::kBlockStart;
}

IndexedHeaderResult ParseIndexedBlockHeader(std::span<const uint8_t> bytes,
                                            const IndexedBlockSizes& sizes,
                                            uint64_t memlimit,
                                            BlockHead* head) {
  if (bytes.empty()) return {LZMA_BUF_ERROR, 0};
  const uint32_t header_size = lzma_block_header_size_decode(bytes[0]);
  if (bytes[0] == 0x00 || header_size >= sizes.total_size) {
    return {LZMA_DATA_ERROR, 0};
  }
  if (bytes.size() < header_size) return {LZMA_BUF_ERROR, bytes.size()};
  lzma_ret ret = ParseBlockHeader(bytes.data(), sizes.check, memlimit, head);
  if (ret == LZMA_OK)
    ret = lzma_block_compressed_size(&head->block, sizes.unpadded_size);
  if (ret == LZMA_OK) {
    if (head->block.uncompressed_size == LZMA_VLI_UNKNOWN) {
      head->block.uncompressed_size = sizes.uncompressed_size;
    } else if (head->block.uncompressed_size != sizes.uncompressed_size) {
      ret = LZMA_DATA_ERROR;
    }
  }
  return {ret, ret == LZMA_OK ? 0 : header_size};
}

std::string DescribeBlock(uint64_t stream, uint64_t number,
                          uint64_t header_offset) {
  return "Block " + std::to_string(number) + " of Stream " +
         std::to_string(stream) + " (Block Header at compressed byte " +
         std::to_string(header_offset) + ")";
}

std::string DescribeBlock(const BlockHead& head) {
  return DescribeBlock(head.stream, head.number, head.offset);
}

Error BlockError(lzma_ret ret, const BlockHead& head, uint64_t offset,
                 std::string_view operation) {
  return DecodeError(ret, DescribeBlock(head), offset, operation);
}

Error DecodeError(lzma_ret ret, const std::string& where, uint64_t offset,
                  std::string_view operation) {
  const Error base = LzmaError(ret, operation);
  return Error(base.code(), std::string(operation),
               base.detail() + " in " + where, offset);
}

}  // namespace parxz
