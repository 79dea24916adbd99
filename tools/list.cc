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

uint32_t CheckSize(int check_id) {
  return lzma_check_size(static_cast<lzma_check>(check_id));
}

// -vv's Flags column: "c"/"u" when the Block Header records the
// compressed/uncompressed size.
std::string Flags(const XzBlockInfo& b) {
  return std::string(b.header_has_compressed_size ? "c" : "-") +
         (b.header_has_uncompressed_size ? "u" : "-");
}

// -vv's CompSize column: the compressed data alone.
uint64_t CompressedSize(const XzBlockInfo& b) {
  return b.unpadded_size - b.header_size - CheckSize(b.check_id);
}

// The Stream Padding of the whole file.
uint64_t Padding(const XzFileInfo& x) {
  uint64_t padding = 0;
  for (const XzStreamInfo& st : x.streams) padding += st.padding;
  return padding;
}

// The files added up, as xz's totals; Streams and Blocks only counted. The
// -vv fields start from xz's own defaults (sizes known, XZ Utils 5.0.0).
struct Sums {
  XzFileInfo t;
  uint64_t streams = 0, blocks = 0, padding = 0;
};

Sums Sum(const std::vector<ListedFile>& files) {
  Sums sums;
  XzFileInfo& t = sums.t;
  t.all_sizes_in_headers = true;
  t.min_xz_version = 50000002;  // XZ Utils 5.0.0
  for (const ListedFile& l : files) {
    const XzFileInfo& f = l.xz;
    sums.streams += f.streams.size();
    sums.blocks += f.blocks.size();
    sums.padding += Padding(f);
    t.file_size += f.file_size;
    t.uncompressed_size += f.uncompressed_size;
    t.checks |= f.checks;
    t.memusage_max = std::max(t.memusage_max, f.memusage_max);
    t.all_sizes_in_headers &= f.all_sizes_in_headers;
    t.min_xz_version = std::max(t.min_xz_version, f.min_xz_version);
  }
  return sums;
}

// The lines xz -lv prints for a file and for the totals alike.
std::string SummaryLines(const XzFileInfo& f, uint64_t streams, uint64_t blocks,
                         uint64_t padding) {
  std::string s = Printf("  Streams:           %llu\n", U(streams));
  s += Printf("  Blocks:            %llu\n", U(blocks));
  s += "  Compressed size:   " + SizeWithBytes(f.file_size) + "\n";
  s += "  Uncompressed size: " + SizeWithBytes(f.uncompressed_size) + "\n";
  s += "  Ratio:             " + Ratio(f.file_size, f.uncompressed_size) + "\n";
  s += "  Check:             " + CheckNames(f.checks, ", ") + "\n";
  s += "  Stream Padding:    " + HumanSize(padding) + "\n";
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

ListedFile ReadFileInfo(int fd, const std::string& name, bool details) {
  // The Index reader of parallel/access/random_access.h
  // (lzma_file_info_decoder).
  ListedFile info{.name = name, .xz = ReadXzFileInfo(fd, details)};
  if (details) {
    for (const XzBlockInfo& b : info.xz.blocks) {
      info.check_values.push_back(CheckValue(fd, b));
    }
  }
  return info;
}

std::string FormatListHeader() {
  return "Strms  Blocks   Compressed Uncompressed  Ratio  Check   Filename\n";
}

std::string FormatListRow(const ListedFile& l) {
  const XzFileInfo& f = l.xz;
  return Printf("%5llu %7llu  %11s  %11s  %5s  %-7s %s\n",
                static_cast<unsigned long long>(f.streams.size()),
                static_cast<unsigned long long>(f.blocks.size()),
                HumanSize(f.file_size).c_str(),
                HumanSize(f.uncompressed_size).c_str(),
                Ratio(f.file_size, f.uncompressed_size).c_str(),
                CheckNames(f.checks).c_str(), l.name.c_str());
}

std::string FormatListTotals(const std::vector<ListedFile>& files) {
  const Sums sums = Sum(files);
  const XzFileInfo& t = sums.t;
  return std::string(79, '-') + "\n" +
         Printf("%5llu %7llu  %11s  %11s  %5s  %-7s %zu files\n",
                U(sums.streams), U(sums.blocks), HumanSize(t.file_size).c_str(),
                HumanSize(t.uncompressed_size).c_str(),
                Ratio(t.file_size, t.uncompressed_size).c_str(),
                CheckNames(t.checks).c_str(), files.size());
}

std::string FormatListVerbose(const ListedFile& l, size_t index, size_t count,
                              bool details) {
  const XzFileInfo& f = l.xz;
  std::string s = l.name + (count == 0 ? Printf(" (%zu)\n", index)
                                       : Printf(" (%zu/%zu)\n", index, count));
  s += SummaryLines(f, f.streams.size(), f.blocks.size(), Padding(f));
  s += "  Streams:\n";
  s += Printf("    %6s %9s %15s %15s %15s %15s  %5s  %-10s %7s\n", "Stream",
              "Blocks", "CompOffset", "UncompOffset", "CompSize", "UncompSize",
              "Ratio", "Check", "Padding");
  for (const XzStreamInfo& st : f.streams) {
    s += Printf(
        "    %6llu %9llu %15llu %15llu %15llu %15llu  %5s  %-10s %7llu\n",
        U(st.number), U(st.block_count), U(st.compressed_offset),
        U(st.uncompressed_offset), U(st.compressed_size),
        U(st.uncompressed_size),
        Ratio(st.compressed_size, st.uncompressed_size).c_str(),
        CheckName(st.check_id).c_str(), U(st.padding));
  }
  if (!f.blocks.empty()) {
    uint32_t check_max = 0;
    for (const XzStreamInfo& st : f.streams) {
      check_max = std::max(check_max, CheckSize(st.check_id));
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
    for (size_t i = 0; i < f.blocks.size(); ++i) {
      const XzBlockInfo& b = f.blocks[i];
      s += Printf("    %6llu %9llu %15llu %15llu %15llu %15llu  %5s  %-*s",
                  U(b.stream), U(b.number_in_stream), U(b.compressed_offset),
                  U(b.uncompressed_offset), U(b.total_size),
                  U(b.uncompressed_size),
                  Ratio(b.total_size, b.uncompressed_size).c_str(), check_width,
                  CheckName(b.check_id).c_str());
      if (details) {
        s += Printf(" %-*s  %6u  %-5s %15llu %7llu MiB  %s", checkval_width,
                    l.check_values[i].c_str(), b.header_size, Flags(b).c_str(),
                    U(CompressedSize(b)), U(RoundUpToMiB(b.memusage)),
                    b.filters.c_str());
      }
      s += "\n";
    }
  }
  if (details) {
    s +=
        DetailSummary(f.memusage_max, f.all_sizes_in_headers, f.min_xz_version);
  }
  return s;
}

std::string FormatListVerboseTotals(const std::vector<ListedFile>& files,
                                    bool details) {
  const Sums sums = Sum(files);
  const XzFileInfo& t = sums.t;
  std::string s = "\nTotals:\n";
  s += Printf("  Number of files:   %zu\n", files.size());
  s += SummaryLines(t, sums.streams, sums.blocks, sums.padding);
  if (details) {
    s +=
        DetailSummary(t.memusage_max, t.all_sizes_in_headers, t.min_xz_version);
  }
  return s;
}

namespace {

// Robot mode names checks untranslated, "None" also for an empty mask.
std::string RobotChecks(uint32_t mask) {
  return CheckNames(mask == 0 ? 1 : mask);
}

}  // namespace

std::string FormatListRobot(const ListedFile& l, bool verbose, bool details) {
  const XzFileInfo& f = l.xz;
  std::string s = "name\t" + l.name + "\n";
  s += Printf("file\t%zu\t%zu\t%llu\t%llu\t%s\t%s\t%llu\n", f.streams.size(),
              f.blocks.size(), U(f.file_size), U(f.uncompressed_size),
              Ratio(f.file_size, f.uncompressed_size).c_str(),
              RobotChecks(f.checks).c_str(), U(Padding(f)));
  if (!verbose) return s;
  for (const XzStreamInfo& st : f.streams) {
    s += Printf("stream\t%llu\t%llu\t%llu\t%llu\t%llu\t%llu\t%s\t%s\t%llu\n",
                U(st.number), U(st.block_count), U(st.compressed_offset),
                U(st.uncompressed_offset), U(st.compressed_size),
                U(st.uncompressed_size),
                Ratio(st.compressed_size, st.uncompressed_size).c_str(),
                CheckName(st.check_id).c_str(), U(st.padding));
  }
  uint64_t number_in_file = 0;
  for (size_t i = 0; i < f.blocks.size(); ++i) {
    const XzBlockInfo& b = f.blocks[i];
    s += Printf("block\t%llu\t%llu\t%llu\t%llu\t%llu\t%llu\t%llu\t%s\t%s",
                U(b.stream), U(b.number_in_stream), U(++number_in_file),
                U(b.compressed_offset), U(b.uncompressed_offset),
                U(b.total_size), U(b.uncompressed_size),
                Ratio(b.total_size, b.uncompressed_size).c_str(),
                CheckName(b.check_id).c_str());
    if (details) {
      s += Printf("\t%s\t%u\t%s\t%llu\t%llu\t%s", l.check_values[i].c_str(),
                  b.header_size, Flags(b).c_str(), U(CompressedSize(b)),
                  U(b.memusage), b.filters.c_str());
    }
    s += "\n";
  }
  if (details) {
    s += Printf("summary\t%llu\t%s\t%u\n", U(f.memusage_max),
                f.all_sizes_in_headers ? "yes" : "no", f.min_xz_version);
  }
  return s;
}

std::string FormatListRobotTotals(const std::vector<ListedFile>& files,
                                  bool details) {
  const Sums sums = Sum(files);
  const XzFileInfo& t = sums.t;
  std::string s = Printf(
      "totals\t%llu\t%llu\t%llu\t%llu\t%s\t%s\t%llu\t%zu", U(sums.streams),
      U(sums.blocks), U(t.file_size), U(t.uncompressed_size),
      Ratio(t.file_size, t.uncompressed_size).c_str(),
      RobotChecks(t.checks).c_str(), U(sums.padding), files.size());
  if (details) {
    s += Printf("\t%llu\t%s\t%u", U(t.memusage_max),
                t.all_sizes_in_headers ? "yes" : "no", t.min_xz_version);
  }
  return s + "\n";
}

}  // namespace parxz::cli
