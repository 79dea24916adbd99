// `parxz -l`: what `xz -l` prints about .xz files, read from their Indexes
// (parallel/access/random_access.h reads them from the end; no data is decoded).
//
//   FileInfo info = ReadFileInfo(fd, "a.xz");    // throws parxz::Error
//   std::string table = FormatListHeader() + FormatListRow(info);
//
// With -v, FormatListVerbose() adds a row per Stream and per Block: offsets,
// sizes, ratio and check, in xz's columns.
#ifndef PARXZ_TOOLS_LIST_H_
#define PARXZ_TOOLS_LIST_H_

#include <cstdint>
#include <string>
#include <vector>

namespace parxz::cli {

struct BlockInfo {
  uint64_t stream = 0;               // 1-based
  uint64_t number = 0;               // 1-based, within the stream
  uint64_t compressed_offset = 0;    // in the file
  uint64_t uncompressed_offset = 0;  // in the decoded output
  uint64_t total_size = 0;           // Block Header + data + padding + check
  uint64_t uncompressed_size = 0;
  int check = 0;
  // -vv only: from the Block Header and the stored check.
  std::string check_value;  // hex, "---" for none
  uint32_t header_size = 0;
  std::string flags;  // "cu": compressed/uncompressed size in the header
  uint64_t compressed_size = 0;
  uint64_t memusage = 0;
  std::string filters;  // "--lzma2=dict=8MiB"
};

struct StreamInfo {
  uint64_t number = 0;
  uint64_t blocks = 0;
  uint64_t compressed_offset = 0;
  uint64_t uncompressed_offset = 0;
  uint64_t compressed_size = 0;
  uint64_t uncompressed_size = 0;
  uint64_t padding = 0;  // Stream Padding after this Stream
  int check = 0;
};

struct FileInfo {
  std::string name;
  uint64_t file_size = 0;
  uint64_t uncompressed_size = 0;
  uint64_t padding = 0;
  uint32_t checks = 0;  // bit mask of check IDs, as lzma_index_checks()
  std::vector<StreamInfo> streams;
  std::vector<BlockInfo> blocks;
  // -vv only (xz's defaults otherwise).
  uint64_t memusage_max = 0;
  bool all_have_sizes = true;
  uint32_t min_version = 50000002;  // XZ Utils 5.0.0
};

// Reads the Stream Footers and Indexes of the .xz file open at `fd` (must be
// seekable); `details` also every Block Header and check (xz -lvv). Throws
// parxz::Error naming the problem and its offset.
FileInfo ReadFileInfo(int fd, const std::string& name, bool details = false);

std::string FormatListHeader();
std::string FormatListRow(const FileInfo& info);
// The "N files" totals line of xz -l, with its separator.
std::string FormatListTotals(const std::vector<FileInfo>& files);
// xz -lv: the per-file block (`index`/`count` as in "a.xz (1/2)"; count 0:
// unknown, "a.xz (1)").
// `details`: -vv's Block Header columns and summary lines.
std::string FormatListVerbose(const FileInfo& info, size_t index, size_t count,
                              bool details = false);
std::string FormatListVerboseTotals(const std::vector<FileInfo>& files,
                                    bool details = false);

// --robot: xz's tab-separated lines ("name", "file", with -v "stream" and
// "block"; the "totals" line is printed even for one file).
std::string FormatListRobot(const FileInfo& info, bool verbose,
                            bool details = false);
std::string FormatListRobotTotals(const std::vector<FileInfo>& files,
                                  bool details = false);

}  // namespace parxz::cli

#endif  // PARXZ_TOOLS_LIST_H_
