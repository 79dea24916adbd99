#include "core/stream_rules.h"

#include <lzma.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <string_view>

namespace parxz {

namespace {

constexpr char kOp[] = "decompress";
constexpr uint8_t kXzMagic[6] = {0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00};
constexpr std::string_view kLzipMagic = "LZIP";

bool StartsWith(std::span<const uint8_t> bytes, std::string_view prefix) {
  return bytes.size() >= prefix.size() &&
         std::memcmp(bytes.data(), prefix.data(), prefix.size()) == 0;
}

// xz's is_format_lzma(): a plausible 13-byte LZMA_Alone header: valid
// properties, a dictionary size of 2^n or 2^n + 2^(n-1) (or UINT32_MAX), and
// an uncompressed size that is unknown or at most 256 GiB.
bool IsPlausibleLzmaHeader(std::span<const uint8_t> p) {
  if (p.size() < kDetectBytes) return false;
  lzma_filter filter = {LZMA_FILTER_LZMA1, nullptr};
  if (lzma_properties_decode(&filter, nullptr, p.data(), 5) != LZMA_OK) {
    return false;
  }
  const uint32_t dict_size =
      static_cast<lzma_options_lzma*>(filter.options)->dict_size;
  free(filter.options);
  if (dict_size != UINT32_MAX) {
    uint32_t d = dict_size - 1;
    d |= d >> 2;
    d |= d >> 3;
    d |= d >> 4;
    d |= d >> 8;
    d |= d >> 16;
    ++d;
    if (d != dict_size || dict_size == 0) return false;
  }
  uint64_t uncompressed = 0;
  for (int i = 0; i < 8; ++i) uncompressed |= uint64_t{p[5 + i]} << (i * 8);
  return uncompressed == UINT64_MAX || uncompressed <= (uint64_t{1} << 38);
}

}  // namespace

bool HasXzMagic(std::span<const uint8_t> head) {
  return head.size() >= sizeof(kXzMagic) &&
         std::memcmp(head.data(), kXzMagic, sizeof(kXzMagic)) == 0;
}

std::optional<WholeXzStream> PeekWholeXzStream(std::span<const uint8_t> data,
                                               uint64_t max_records) {
  if (data.size() < 2 * LZMA_STREAM_HEADER_SIZE) return std::nullopt;
  const uint8_t* bytes = data.data();
  lzma_stream_flags footer;
  if (lzma_stream_footer_decode(
          &footer, bytes + data.size() - LZMA_STREAM_HEADER_SIZE) != LZMA_OK) {
    return std::nullopt;
  }
  const uint64_t index_end = data.size() - LZMA_STREAM_HEADER_SIZE;
  if (footer.backward_size > index_end - LZMA_STREAM_HEADER_SIZE) {
    return std::nullopt;
  }
  const uint64_t index_start = index_end - footer.backward_size;
  if (bytes[index_start] != 0x00) return std::nullopt;  // Index Indicator
  lzma_vli records = 0;
  size_t pos = static_cast<size_t>(index_start) + 1;
  // Every Record takes at least two bytes: a count beyond that is a lie,
  // and liblzma would allocate room for it before finding out.
  if (lzma_vli_decode(&records, nullptr, bytes, &pos, index_end) != LZMA_OK ||
      records > max_records || records > footer.backward_size / 2) {
    return std::nullopt;
  }
  lzma_index* index = nullptr;
  uint64_t memlimit = lzma_index_memusage(1, records);
  pos = static_cast<size_t>(index_start);
  if (lzma_index_buffer_decode(&index, &memlimit, nullptr, bytes, &pos,
                               index_end) != LZMA_OK) {
    return std::nullopt;
  }
  std::optional<WholeXzStream> whole;
  if (lzma_index_stream_size(index) == data.size()) {
    whole =
        WholeXzStream{.blocks = lzma_index_block_count(index),
                      .uncompressed_size = lzma_index_uncompressed_size(index)};
  }
  lzma_index_end(index, nullptr);
  return whole;
}

std::optional<WholeXzStream> PeekWholeXzStream(std::string_view data,
                                               uint64_t max_records) {
  return PeekWholeXzStream(
      {reinterpret_cast<const uint8_t*>(data.data()), data.size()},
      max_records);
}

std::optional<Container> DetectContainer(Format format,
                                         std::span<const uint8_t> head) {
  switch (format) {
    case Format::kXz:  // as xz -F xz: the magic still has to be there
      if (HasXzMagic(head)) return Container::kXz;
      return std::nullopt;
    case Format::kAlone:  // xz checks the header even when told the format
      if (IsPlausibleLzmaHeader(head)) return Container::kAlone;
      return std::nullopt;
    case Format::kRaw:
      return Container::kRaw;
    case Format::kAuto:
      break;
  }
  if (HasXzMagic(head)) return Container::kXz;
  if (StartsWith(head, kLzipMagic)) return Container::kLzip;
  if (IsPlausibleLzmaHeader(head)) return Container::kAlone;
  return std::nullopt;
}

Container AutoDecoderContainer(Format format, uint8_t first_byte) {
  switch (format) {
    case Format::kXz:
      return Container::kXz;
    case Format::kAlone:
      return Container::kAlone;
    case Format::kRaw:
      return Container::kRaw;
    case Format::kAuto:
      break;
  }
  if (first_byte == 0xFD) return Container::kXz;
  if (first_byte == 'L') return Container::kLzip;
  return Container::kAlone;
}

StreamRules::StreamRules(DecodeMode mode, bool single_stream)
    : mode_(single_stream ? DecodeMode::kSingleStream : mode) {}

void StreamRules::stream_ended(Container container) {
  ++streams_;
  last_ = container;
  padding_ = 0;
}

StreamRules::Next StreamRules::after_stream(std::span<const uint8_t> following,
                                            bool input_ended, uint64_t offset) {
  switch (mode_) {
    case DecodeMode::kSingleStream:
      return {kEnd, 0};
    case DecodeMode::kPython:
      if (!following.empty()) return {kNextStream, 0};
      return {input_ended ? kEnd : kNeedInput, 0};
    case DecodeMode::kXz:
      break;
  }
  switch (last_.value_or(Container::kXz)) {
    case Container::kXz: {
      // Stream Padding: zero bytes, a multiple of four before the next
      // Stream and at the end of the input.
      const size_t zeros =
          static_cast<size_t>(std::find_if(following.begin(), following.end(),
                                           [](uint8_t b) { return b != 0; }) -
                              following.begin());
      padding_ += zeros;
      const bool more = zeros < following.size();
      if (!more && !input_ended) return {kNeedInput, zeros};
      if (padding_ % 4 != 0) {
        throw Error(ErrorCode::kCorruptData, kOp,
                    "Stream Padding is not a multiple of four bytes",
                    offset + zeros);
      }
      padding_ = 0;
      return {more ? kNextStream : kEnd, zeros};
    }
    case Container::kLzip: {
      // Another member, or trailing data that is ignored.
      if (following.size() < kLzipMagic.size() && !input_ended &&
          kLzipMagic.starts_with(
              std::string_view(reinterpret_cast<const char*>(following.data()),
                               following.size()))) {
        return {kNeedInput, 0};
      }
      return {StartsWith(following, kLzipMagic) ? kNextStream : kEnd, 0};
    }
    case Container::kAlone:
    case Container::kRaw:
      if (!following.empty()) {
        throw Error(ErrorCode::kCorruptData, kOp,
                    "Trailing data after the end of the stream", offset);
      }
      return {input_ended ? kEnd : kNeedInput, 0};
  }
  return {kEnd, 0};
}

bool StreamRules::ends_quietly(const Error& e) const {
  if (mode_ != DecodeMode::kPython || streams_ == 0) return false;
  switch (e.code()) {
    case ErrorCode::kIo:
    case ErrorCode::kCancelled:
    case ErrorCode::kTruncated:
    case ErrorCode::kInternal:
    case ErrorCode::kMisuse:
    case ErrorCode::kOutOfMemory:  // Python: MemoryError, not LZMAError
      return false;
    default:
      return true;
  }
}

}  // namespace parxz
