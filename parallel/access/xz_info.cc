#include "parallel/access/xz_info.h"

#include <lzma.h>

#include <algorithm>
#include <cstdlib>
#include <span>

#include "parallel/access/file_index.h"

namespace parxz {
namespace access_internal {

namespace {

Check CheckOf(int id) {
  return (id == LZMA_CHECK_NONE || id == LZMA_CHECK_CRC32 ||
          id == LZMA_CHECK_CRC64 || id == LZMA_CHECK_SHA256)
             ? static_cast<Check>(id)
             : Check::kUnknown;
}

}  // namespace

std::string BlockName(const XzBlockInfo& b) {
  return DescribeBlock(b.stream, b.number_in_stream, b.compressed_offset);
}

uint8_t ReadIndexedHeader(const ByteSource& file, const XzBlockInfo& b,
                          uint64_t memlimit, BlockHead* head) {
  head->offset = b.compressed_offset;
  head->stream = b.stream;
  head->number = b.number_in_stream;
  if (b.compressed_offset >= file.size() ||
      b.total_size > file.size() - b.compressed_offset) {
    throw BlockError(LZMA_DATA_ERROR, *head, file.size(), kOp);
  }
  std::vector<uint8_t> buf;
  const std::span<const uint8_t> bytes =
      file.Read(b.compressed_offset,
                static_cast<size_t>(std::min<uint64_t>(
                    b.total_size, LZMA_BLOCK_HEADER_SIZE_MAX)),
                buf);
  const IndexedHeaderResult h = ParseIndexedBlockHeader(
      bytes,
      {b.total_size, b.unpadded_size, b.uncompressed_size,
       static_cast<lzma_check>(b.check_id)},
      memlimit, head);
  if (h.ret != LZMA_OK)
    throw BlockError(h.ret, *head, b.compressed_offset + h.at, kOp);
  return bytes[1];
}

XzFileInfo InfoFromIndex(const ByteSource& file, const lzma_index* index,
                         bool with_headers, uint64_t memlimit) {
  XzFileInfo info;
  info.file_size = lzma_index_file_size(index);
  info.uncompressed_size = lzma_index_uncompressed_size(index);
  info.checks = lzma_index_checks(index);
  info.index_memusage = lzma_index_memused(index);
  lzma_index_iter it;
  lzma_index_iter_init(&it, index);
  while (!lzma_index_iter_next(&it, LZMA_INDEX_ITER_STREAM)) {
    XzStreamInfo s;
    s.number = static_cast<uint32_t>(it.stream.number);
    s.block_count = it.stream.block_count;
    s.compressed_offset = it.stream.compressed_offset;
    s.uncompressed_offset = it.stream.uncompressed_offset;
    s.compressed_size = it.stream.compressed_size;
    s.uncompressed_size = it.stream.uncompressed_size;
    s.padding = it.stream.padding;
    s.check_id = static_cast<int>(it.stream.flags->check);
    s.check = CheckOf(s.check_id);
    info.streams.push_back(s);
  }
  lzma_index_iter_rewind(&it);
  uint64_t number = 0;
  while (!lzma_index_iter_next(&it, LZMA_INDEX_ITER_BLOCK)) {
    XzBlockInfo b;
    b.stream = static_cast<uint32_t>(it.stream.number);
    b.number_in_stream = it.block.number_in_stream;
    b.number = ++number;
    b.compressed_offset = it.block.compressed_file_offset;
    b.uncompressed_offset = it.block.uncompressed_file_offset;
    b.total_size = it.block.total_size;
    b.unpadded_size = it.block.unpadded_size;
    b.uncompressed_size = it.block.uncompressed_size;
    b.check_id = static_cast<int>(it.stream.flags->check);
    b.check = CheckOf(b.check_id);
    info.blocks.push_back(b);
  }
  if (!with_headers) return info;

  // As xz's list.c: header details, memory, "Sizes in headers", version.
  info.all_sizes_in_headers = true;
  info.min_xz_version = 50000002;
  for (XzBlockInfo& b : info.blocks) {
    BlockHead head;
    const uint8_t flags = ReadIndexedHeader(file, b, memlimit, &head);
    b.header_size = head.block.header_size;
    b.header_has_compressed_size = (flags & 0x40) != 0;
    b.header_has_uncompressed_size = (flags & 0x80) != 0;
    if (!b.header_has_compressed_size || !b.header_has_uncompressed_size) {
      info.all_sizes_in_headers = false;
    }
    b.memusage = head.memusage;
    info.memusage_max = std::max(info.memusage_max, b.memusage);
    size_t last = 0;
    for (size_t i = 0; head.filters[i].id != LZMA_VLI_UNKNOWN; ++i) {
      if (head.filters[i].id == LZMA_FILTER_ARM64) {
        info.min_xz_version = std::max<uint32_t>(info.min_xz_version, 50040002);
      }
      last = i;
    }
    if (head.filters[last].id == LZMA_FILTER_LZMA2 &&
        b.uncompressed_size == 0) {
      info.min_xz_version = std::max<uint32_t>(info.min_xz_version, 50000022);
    }
    char* text = nullptr;
    if (lzma_str_from_filters(&text, head.filters,
                              LZMA_STR_DECODER | LZMA_STR_GETOPT_LONG,
                              nullptr) == LZMA_OK) {
      b.filters = text;
      free(text);
    }
  }
  return info;
}

void ThrowNotAFile() {
  throw Error(ErrorCode::kBadOptions, kOp,
              "random access needs a regular file (not a pipe or terminal)");
}

}  // namespace access_internal

namespace {

using access_internal::InfoFromIndex;

std::span<const uint8_t> Bytes(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

ByteSource SourceOrThrow(int fd) {
  std::optional<ByteSource> file = ByteSource::ForFd(fd);
  if (!file) access_internal::ThrowNotAFile();
  return *file;
}
XzFileInfo ReadInfo(const ByteSource& file, bool with_headers,
                    uint64_t memlimit) {
  LzmaIndexPtr index = DecodeFileIndex(file, 0, memlimit);
  return InfoFromIndex(file, index.get(), with_headers, memlimit);
}

}  // namespace

XzFileInfo ReadXzFileInfo(std::string_view xz, bool with_headers,
                          std::optional<uint64_t> memlimit) {
  return ReadInfo(ByteSource(Bytes(xz)), with_headers, LzmaMemLimit(memlimit));
}

XzFileInfo ReadXzFileInfo(int fd, bool with_headers,
                          std::optional<uint64_t> memlimit) {
  return ReadInfo(SourceOrThrow(fd), with_headers, LzmaMemLimit(memlimit));
}

}  // namespace parxz
