#include "tools/list.h"

#include <lzma.h>

#include <algorithm>
#include <cstdio>
#include <vector>

#include "core/options.h"
#include "parallel/access/random_access.h"
#include "parallel/common/fd_io.h"
#include "tools/progress.h"

namespace parxz::cli {

namespace {

std::string Printf(const char* fmt, auto... args) {
  char buf[512];
  std::snprintf(buf, sizeof buf, fmt, args...);
  return buf;
}

std::string Ratio(uint64_t packed, uint64_t plain) {
  if (plain == 0) return "---";
  const double r = static_cast<double>(packed) / static_cast<double>(plain);
  return r > 9.999 ? "---" : Printf("%.3f", r);
}

// xz joins them with "," in the table and ", " in the -v text.
std::string CheckNames(uint32_t mask, const char* separator = ",") {
  std::string s;
  for (int id = 0; id <= LZMA_CHECK_ID_MAX; ++id) {
    if (mask & (1u << id)) s += (s.empty() ? "" : separator) + CheckName(id);
  }
  return s;
}

std::string SizeWithBytes(uint64_t n) {
  return n < 10000 ? HumanSize(n)
                   : HumanSize(n) + " (" + std::to_string(n) + " B)";
}

uint64_t U(uint64_t v) { return v; }

// xz's parse_check_value(): the stored check as hex (CRC32/CRC64 as their
// little-endian integers, SHA-256 byte by byte).
std::string CheckValue(int fd, const XzBlockInfo& b) {
  const uint32_t size = lzma_check_size(static_cast<lzma_check>(b.check_id));
  if (b.check_id == 0) return "---";
  uint8_t buf[LZMA_CHECK_SIZE_MAX] = {};
  PreadFully(fd, buf, size, b.compressed_offset + b.total_size - size);
  std::string s;
  if (size == 4 || size == 8) {
    for (uint32_t i = size; i > 0; --i) s += Printf("%02x", buf[i - 1]);
  } else {
    for (uint32_t i = 0; i < size; ++i) s += Printf("%02x", buf[i]);
  }
  return s;
}

void AddDetails(int fd, const XzBlockInfo& x, BlockInfo& b) {
  b.check_value = CheckValue(fd, x);
  b.header_size = x.header_size;
  b.flags = std::string(x.header_has_compressed_size ? "c" : "-") +
            (x.header_has_uncompressed_size ? "u" : "-");
  b.compressed_size = x.unpadded_size - x.header_size -
                      lzma_check_size(static_cast<lzma_check>(x.check_id));
  b.memusage = x.memusage;
  b.filters = x.filters;
}

// The files added up, as xz's totals; Streams and Blocks only counted.
struct Sums {
  FileInfo t;
  uint64_t streams = 0, blocks = 0;
};

Sums Sum(const std::vector<FileInfo>& files) {
  Sums sums;
  FileInfo& t = sums.t;
  for (const FileInfo& f : files) {
    sums.streams += f.streams.size();
    sums.blocks += f.blocks.size();
    t.file_size += f.file_size;
    t.uncompressed_size += f.uncompressed_size;
    t.padding += f.padding;
    t.checks |= f.checks;
    t.memusage_max = std::max(t.memusage_max, f.memusage_max);
    t.all_have_sizes &= f.all_have_sizes;
    t.min_version = std::max(t.min_version, f.min_version);
  }
  return sums;
}

// The lines xz -lv prints for a file and for the totals alike.
std::string SummaryLines(const FileInfo& f, uint64_t streams, uint64_t blocks) {
  std::string s = Printf("  Streams:           %llu\n", U(streams));
  s += Printf("  Blocks:            %llu\n", U(blocks));
  s += "  Compressed size:   " + SizeWithBytes(f.file_size) + "\n";
  s += "  Uncompressed size: " + SizeWithBytes(f.uncompressed_size) + "\n";
  s += "  Ratio:             " + Ratio(f.file_size, f.uncompressed_size) + "\n";
  s += "  Check:             " + CheckNames(f.checks, ", ") + "\n";
  s += "  Stream Padding:    " + HumanSize(f.padding) + "\n";
  return s;
}

uint64_t RoundUpToMiB(uint64_t n) { return (n + (1 << 20) - 1) >> 20; }

// xz's version number 50040002 as "5.4.0" (alpha/beta suffixed).
std::string XzVersion(uint32_t v) {
  const uint32_t stability = v % 10;
  return Printf("%u.%u.%u%s", v / 10000000, v / 10000 % 1000, v / 10 % 1000,
                stability == 0   ? "alpha"
                : stability == 1 ? "beta"
                                 : "");
}

std::string DetailSummary(uint64_t memusage, bool sizes, uint32_t version) {
  return Printf("  %-18s %llu MiB\n",
                "Memory needed:", U(RoundUpToMiB(memusage))) +
         Printf("  %-18s %s\n", "Sizes in headers:", sizes ? "Yes" : "No") +
         "  Minimum XZ Utils version: " + XzVersion(version) + "\n";
}

}  // namespace

FileInfo ReadFileInfo(int fd, const std::string& name, bool details) {
  // The Index reader of parallel/access/random_access.h (lzma_file_info_decoder).
  const XzFileInfo x = ReadXzFileInfo(fd, details);
  FileInfo info;
  info.name = name;
  info.file_size = x.file_size;
  info.uncompressed_size = x.uncompressed_size;
  info.checks = x.checks;
  for (const XzStreamInfo& st : x.streams) {
    info.streams.push_back({.number = st.number,
                            .blocks = st.block_count,
                            .compressed_offset = st.compressed_offset,
                            .uncompressed_offset = st.uncompressed_offset,
                            .compressed_size = st.compressed_size,
                            .uncompressed_size = st.uncompressed_size,
                            .padding = st.padding,
                            .check = st.check_id});
    info.padding += st.padding;
  }
  for (const XzBlockInfo& b : x.blocks) {
    info.blocks.push_back({.stream = b.stream,
                           .number = b.number_in_stream,
                           .compressed_offset = b.compressed_offset,
                           .uncompressed_offset = b.uncompressed_offset,
                           .total_size = b.total_size,
                           .uncompressed_size = b.uncompressed_size,
                           .check = b.check_id});
    if (details) AddDetails(fd, b, info.blocks.back());
  }
  if (details) {
    info.memusage_max = x.memusage_max;
    info.all_have_sizes = x.all_sizes_in_headers;
    info.min_version = x.min_xz_version;
  }
  return info;
}

std::string FormatListHeader() {
  return "Strms  Blocks   Compressed Uncompressed  Ratio  Check   Filename\n";
}

std::string FormatListRow(const FileInfo& f) {
  return Printf("%5llu %7llu  %11s  %11s  %5s  %-7s %s\n",
                static_cast<unsigned long long>(f.streams.size()),
                static_cast<unsigned long long>(f.blocks.size()),
                HumanSize(f.file_size).c_str(),
                HumanSize(f.uncompressed_size).c_str(),
                Ratio(f.file_size, f.uncompressed_size).c_str(),
                CheckNames(f.checks).c_str(), f.name.c_str());
}

std::string FormatListTotals(const std::vector<FileInfo>& files) {
  const Sums sums = Sum(files);
  const FileInfo& t = sums.t;
  return std::string(79, '-') + "\n" +
         Printf("%5llu %7llu  %11s  %11s  %5s  %-7s %zu files\n",
                U(sums.streams), U(sums.blocks), HumanSize(t.file_size).c_str(),
                HumanSize(t.uncompressed_size).c_str(),
                Ratio(t.file_size, t.uncompressed_size).c_str(),
                CheckNames(t.checks).c_str(), files.size());
}

std::string FormatListVerbose(const FileInfo& f, size_t index, size_t count,
                              bool details) {
  std::string s = f.name + (count == 0 ? Printf(" (%zu)\n", index)
                                       : Printf(" (%zu/%zu)\n", index, count));
  s += SummaryLines(f, f.streams.size(), f.blocks.size());
  s += "  Streams:\n";
  s += Printf("    %6s %9s %15s %15s %15s %15s  %5s  %-10s %7s\n", "Stream",
              "Blocks", "CompOffset", "UncompOffset", "CompSize", "UncompSize",
              "Ratio", "Check", "Padding");
  for (const StreamInfo& st : f.streams) {
    s += Printf(
        "    %6llu %9llu %15llu %15llu %15llu %15llu  %5s  %-10s %7llu\n",
        U(st.number), U(st.blocks), U(st.compressed_offset),
        U(st.uncompressed_offset), U(st.compressed_size),
        U(st.uncompressed_size),
        Ratio(st.compressed_size, st.uncompressed_size).c_str(),
        CheckName(st.check).c_str(), U(st.padding));
  }
  if (!f.blocks.empty()) {
    uint32_t check_max = 0;
    for (const StreamInfo& st : f.streams) {
      check_max = std::max(check_max,
                           lzma_check_size(static_cast<lzma_check>(st.check)));
    }
    const int checkval_width = std::max(8, static_cast<int>(2 * check_max));
    const int check_width = details ? 10 : 1;
    s += "  Blocks:\n";
    s += Printf("    %6s %9s %15s %15s %15s %15s  %5s  %-*s", "Stream", "Block",
                "CompOffset", "UncompOffset", "TotalSize", "UncompSize",
                "Ratio", check_width, "Check");
    if (details) {
      s += Printf(" %-*s  %6s  %-5s %15s %11s  %s", checkval_width, "CheckVal",
                  "Header", "Flags", "CompSize", "MemUsage", "Filters");
    }
    s += "\n";
    for (const BlockInfo& b : f.blocks) {
      s += Printf("    %6llu %9llu %15llu %15llu %15llu %15llu  %5s  %-*s",
                  U(b.stream), U(b.number), U(b.compressed_offset),
                  U(b.uncompressed_offset), U(b.total_size),
                  U(b.uncompressed_size),
                  Ratio(b.total_size, b.uncompressed_size).c_str(), check_width,
                  CheckName(b.check).c_str());
      if (details) {
        s += Printf(" %-*s  %6u  %-5s %15llu %7llu MiB  %s", checkval_width,
                    b.check_value.c_str(), b.header_size, b.flags.c_str(),
                    U(b.compressed_size), U(RoundUpToMiB(b.memusage)),
                    b.filters.c_str());
      }
      s += "\n";
    }
  }
  if (details) {
    s += DetailSummary(f.memusage_max, f.all_have_sizes, f.min_version);
  }
  return s;
}

std::string FormatListVerboseTotals(const std::vector<FileInfo>& files,
                                    bool details) {
  const Sums sums = Sum(files);
  const FileInfo& t = sums.t;
  std::string s = "\nTotals:\n";
  s += Printf("  Number of files:   %zu\n", files.size());
  s += SummaryLines(t, sums.streams, sums.blocks);
  if (details) {
    s += DetailSummary(t.memusage_max, t.all_have_sizes, t.min_version);
  }
  return s;
}

namespace {

// Robot mode names checks untranslated, "None" also for an empty mask.
std::string RobotChecks(uint32_t mask) {
  return CheckNames(mask == 0 ? 1 : mask);
}

}  // namespace

std::string FormatListRobot(const FileInfo& f, bool verbose, bool details) {
  std::string s = "name\t" + f.name + "\n";
  s += Printf("file\t%zu\t%zu\t%llu\t%llu\t%s\t%s\t%llu\n", f.streams.size(),
              f.blocks.size(), U(f.file_size), U(f.uncompressed_size),
              Ratio(f.file_size, f.uncompressed_size).c_str(),
              RobotChecks(f.checks).c_str(), U(f.padding));
  if (!verbose) return s;
  for (const StreamInfo& st : f.streams) {
    s += Printf("stream\t%llu\t%llu\t%llu\t%llu\t%llu\t%llu\t%s\t%s\t%llu\n",
                U(st.number), U(st.blocks), U(st.compressed_offset),
                U(st.uncompressed_offset), U(st.compressed_size),
                U(st.uncompressed_size),
                Ratio(st.compressed_size, st.uncompressed_size).c_str(),
                CheckName(st.check).c_str(), U(st.padding));
  }
  uint64_t number_in_file = 0;
  for (const BlockInfo& b : f.blocks) {
    s += Printf("block\t%llu\t%llu\t%llu\t%llu\t%llu\t%llu\t%llu\t%s\t%s",
                U(b.stream), U(b.number), U(++number_in_file),
                U(b.compressed_offset), U(b.uncompressed_offset),
                U(b.total_size), U(b.uncompressed_size),
                Ratio(b.total_size, b.uncompressed_size).c_str(),
                CheckName(b.check).c_str());
    if (details) {
      s += Printf("\t%s\t%u\t%s\t%llu\t%llu\t%s", b.check_value.c_str(),
                  b.header_size, b.flags.c_str(), U(b.compressed_size),
                  U(b.memusage), b.filters.c_str());
    }
    s += "\n";
  }
  if (details) {
    s += Printf("summary\t%llu\t%s\t%u\n", U(f.memusage_max),
                f.all_have_sizes ? "yes" : "no", f.min_version);
  }
  return s;
}

std::string FormatListRobotTotals(const std::vector<FileInfo>& files,
                                  bool details) {
  const Sums sums = Sum(files);
  const FileInfo& t = sums.t;
  std::string s = Printf(
      "totals\t%llu\t%llu\t%llu\t%llu\t%s\t%s\t%llu\t%zu", U(sums.streams),
      U(sums.blocks), U(t.file_size), U(t.uncompressed_size),
      Ratio(t.file_size, t.uncompressed_size).c_str(),
      RobotChecks(t.checks).c_str(), U(t.padding), files.size());
  if (details) {
    s += Printf("\t%llu\t%s\t%u", U(t.memusage_max),
                t.all_have_sizes ? "yes" : "no", t.min_version);
  }
  return s + "\n";
}

}  // namespace parxz::cli
