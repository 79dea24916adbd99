// What the Index of a .xz file says about its Streams and Blocks (for
// `parxz -l` and random access), read from the end of the file without
// decoding any data.
//
//   parxz::XzFileInfo info = parxz::ReadXzFileInfo(fd, /*with_headers=*/true);
//   for (const parxz::XzBlockInfo& b : info.blocks) ...
//
// Included by parallel/access/random_access.h (XzRandomAccess::info()), so
// users include that. Errors are parxz::Error (kCorruptData, kTruncated, kIo,
// kMemLimit), naming the offset and, for Block Headers, the Block. Every
// function may be called from any thread.
#ifndef PARXZ_PARALLEL_ACCESS_XZ_INFO_H_
#define PARXZ_PARALLEL_ACCESS_XZ_INFO_H_

#include <lzma.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/options.h"
#include "parallel/decode/decode_input.h"
#include "parallel/decode/xz_parser.h"

namespace parxz {

// One Block as the Index records it. Offsets are from the start of the file.
struct XzBlockInfo {
  uint32_t stream = 0;             // 1-based Stream number
  uint64_t number_in_stream = 0;   // 1-based, as `xz -lv` prints it
  uint64_t number = 0;             // 1-based over the whole file
  uint64_t compressed_offset = 0;  // of its Block Header
  uint64_t uncompressed_offset = 0;
  uint64_t total_size = 0;  // header + data + padding + check
  uint64_t unpadded_size = 0;
  uint64_t uncompressed_size = 0;
  Check check = Check::kUnknown;  // of its Stream (may be an unnamed ID)
  int check_id = 0;

  // Filled only by ReadXzFileInfo(..., with_headers = true), as `xz -lvv`:
  uint32_t header_size = 0;
  bool header_has_compressed_size = false;
  bool header_has_uncompressed_size = false;
  uint64_t memusage = 0;  // decoder memory of its filter chain
  std::string filters;    // e.g. "--lzma2=dict=8MiB"
};

struct XzStreamInfo {
  uint32_t number = 0;  // 1-based
  uint64_t block_count = 0;
  uint64_t compressed_offset = 0;  // of its Stream Header
  uint64_t uncompressed_offset = 0;
  uint64_t compressed_size = 0;  // header to footer, without padding
  uint64_t uncompressed_size = 0;
  uint64_t padding = 0;  // Stream Padding after it
  Check check = Check::kUnknown;
  int check_id = 0;
};

struct XzFileInfo {
  uint64_t file_size = 0;  // compressed, all of it
  uint64_t uncompressed_size = 0;
  uint32_t checks = 0;          // bit i set: check ID i is used
  uint64_t index_memusage = 0;  // memory the Index needed (lzma_index_memused)
  std::vector<XzStreamInfo> streams;
  std::vector<XzBlockInfo> blocks;
  // With with_headers: the largest decoder memory of any Block, whether
  // every Block Header records both sizes, and the oldest XZ Utils version
  // that decodes the file (50000002 = 5.0.0, as liblzma's LZMA_VERSION).
  uint64_t memusage_max = 0;
  bool all_sizes_in_headers = false;
  uint32_t min_xz_version = 0;
};

// What the Index of a complete .xz file in memory says. `with_headers`
// also reads every Block Header (for `xz -lvv`). `memlimit`: as
// RandomAccessOptions::memlimit. Throws Error.
XzFileInfo ReadXzFileInfo(std::string_view xz, bool with_headers = false,
                          std::optional<uint64_t> memlimit = std::nullopt);
// The same for a seekable descriptor (read with pread(); not owned).
XzFileInfo ReadXzFileInfo(int fd, bool with_headers = false,
                          std::optional<uint64_t> memlimit = std::nullopt);

namespace access_internal {
// For random_access.cc only.
// The operation errors of random access name.
inline constexpr char kOp[] = "random access";
// The table of `index` (of `file`); with_headers: as ReadXzFileInfo.
XzFileInfo InfoFromIndex(const ByteSource& file, const lzma_index* index,
                         bool with_headers, uint64_t memlimit);
// Reads and checks the header of Block `b` of `file` into `head` against the
// Index; returns the header's flags byte. Throws Error naming the Block.
uint8_t ReadIndexedHeader(const ByteSource& file, const XzBlockInfo& b,
                          uint64_t memlimit, BlockHead* head);
// "Block 3 of Stream 1 at compressed byte 1234"-style name of `b`.
std::string BlockName(const XzBlockInfo& b);
[[noreturn]] void ThrowNotAFile();
}  // namespace access_internal

}  // namespace parxz

#endif  // PARXZ_PARALLEL_ACCESS_XZ_INFO_H_
