// `parxz -l`: what `xz -l` prints about .xz files, read from their Indexes
// (parallel/access/random_access.h reads them from the end; no data is
// decoded).
//
//   ListedFile info = ReadFileInfo(fd, "a.xz");  // throws parxz::Error
//   std::string table = FormatListHeader() + FormatListRow(info);
//
// With -v, FormatListVerbose() adds a row per Stream and per Block: offsets,
// sizes, ratio and check, in xz's columns.
#ifndef PARXZ_TOOLS_LIST_H_
#define PARXZ_TOOLS_LIST_H_

#include <cstdint>
#include <string>
#include <vector>

#include "parallel/access/random_access.h"

namespace parxz::cli {

// One file as `parxz -l` lists it: parallel's Index model of it plus what
// only xz -lvv prints and the model does not hold.
struct ListedFile {
  std::string name;
  XzFileInfo xz;
  // -vv only: each Block's stored check as hex ("---" for none), in the
  // order of xz.blocks; empty otherwise.
  std::vector<std::string> check_values;
};

// Reads the Stream Footers and Indexes of the .xz file open at `fd` (must be
// seekable); `details` also every Block Header and check (xz -lvv). Throws
// parxz::Error naming the problem and its offset.
ListedFile ReadFileInfo(int fd, const std::string& name, bool details = false);

std::string FormatListHeader();
std::string FormatListRow(const ListedFile& info);
// The "N files" totals line of xz -l, with its separator.
std::string FormatListTotals(const std::vector<ListedFile>& files);
// xz -lv: the per-file block (`index`/`count` as in "a.xz (1/2)"; count 0:
// unknown, "a.xz (1)").
// `details`: -vv's Block Header columns and summary lines.
std::string FormatListVerbose(const ListedFile& info, size_t index,
                              size_t count, bool details = false);
std::string FormatListVerboseTotals(const std::vector<ListedFile>& files,
                                    bool details = false);

// --robot: xz's tab-separated lines ("name", "file", with -v "stream" and
// "block"; the "totals" line is printed even for one file).
std::string FormatListRobot(const ListedFile& info, bool verbose,
                            bool details = false);
std::string FormatListRobotTotals(const std::vector<ListedFile>& files,
                                  bool details = false);

}  // namespace parxz::cli

#endif  // PARXZ_TOOLS_LIST_H_
