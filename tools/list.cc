#include "tools/list.h"

#include <lzma.h>

#include <cstdio>
#include <vector>

#include "core/options.h"
#include "parallel/random_access.h"
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

}  // namespace

FileInfo ReadFileInfo(int fd, const std::string& name) {
  // The Index reader of parallel/random_access.h (lzma_file_info_decoder).
  const XzFileInfo x = ReadXzFileInfo(fd);
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
  uint64_t streams = 0, blocks = 0, packed = 0, plain = 0;
  uint32_t checks = 0;
  for (const FileInfo& f : files) {
    streams += f.streams.size();
    blocks += f.blocks.size();
    packed += f.file_size;
    plain += f.uncompressed_size;
    checks |= f.checks;
  }
  return std::string(79, '-') + "\n" +
         Printf("%5llu %7llu  %11s  %11s  %5s  %-7s %zu files\n",
                static_cast<unsigned long long>(streams),
                static_cast<unsigned long long>(blocks),
                HumanSize(packed).c_str(), HumanSize(plain).c_str(),
                Ratio(packed, plain).c_str(), CheckNames(checks).c_str(),
                files.size());
}

std::string FormatListVerbose(const FileInfo& f, size_t index, size_t count) {
  std::string s = f.name + Printf(" (%zu/%zu)\n", index, count);
  s += Printf("  Streams:           %zu\n", f.streams.size());
  s += Printf("  Blocks:            %zu\n", f.blocks.size());
  s += "  Compressed size:   " + SizeWithBytes(f.file_size) + "\n";
  s += "  Uncompressed size: " + SizeWithBytes(f.uncompressed_size) + "\n";
  s += "  Ratio:             " + Ratio(f.file_size, f.uncompressed_size) + "\n";
  s += "  Check:             " + CheckNames(f.checks, ", ") + "\n";
  s += "  Stream Padding:    " + HumanSize(f.padding) + "\n";
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
    s += "  Blocks:\n";
    s += Printf("    %6s %9s %15s %15s %15s %15s  %5s  %s\n", "Stream", "Block",
                "CompOffset", "UncompOffset", "TotalSize", "UncompSize",
                "Ratio", "Check");
    for (const BlockInfo& b : f.blocks) {
      s += Printf("    %6llu %9llu %15llu %15llu %15llu %15llu  %5s  %s\n",
                  U(b.stream), U(b.number), U(b.compressed_offset),
                  U(b.uncompressed_offset), U(b.total_size),
                  U(b.uncompressed_size),
                  Ratio(b.total_size, b.uncompressed_size).c_str(),
                  CheckName(b.check).c_str());
    }
  }
  return s;
}

std::string FormatListVerboseTotals(const std::vector<FileInfo>& files) {
  uint64_t streams = 0, blocks = 0, packed = 0, plain = 0, padding = 0;
  uint32_t checks = 0;
  for (const FileInfo& f : files) {
    streams += f.streams.size();
    blocks += f.blocks.size();
    packed += f.file_size;
    plain += f.uncompressed_size;
    padding += f.padding;
    checks |= f.checks;
  }
  std::string s = "\nTotals:\n";
  s += Printf("  Number of files:   %zu\n", files.size());
  s += Printf("  Streams:           %llu\n", U(streams));
  s += Printf("  Blocks:            %llu\n", U(blocks));
  s += "  Compressed size:   " + SizeWithBytes(packed) + "\n";
  s += "  Uncompressed size: " + SizeWithBytes(plain) + "\n";
  s += "  Ratio:             " + Ratio(packed, plain) + "\n";
  s += "  Check:             " + CheckNames(checks, ", ") + "\n";
  s += "  Stream Padding:    " + HumanSize(padding) + "\n";
  return s;
}

namespace {

// Robot mode names checks untranslated, "None" also for an empty mask.
std::string RobotChecks(uint32_t mask) {
  return CheckNames(mask == 0 ? 1 : mask);
}

}  // namespace

std::string FormatListRobot(const FileInfo& f, bool verbose) {
  std::string s = "name\t" + f.name + "\n";
  s += Printf("file\t%zu\t%zu\t%llu\t%llu\t%s\t%s\t%llu\n",
              f.streams.size(), f.blocks.size(), U(f.file_size),
              U(f.uncompressed_size),
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
    s += Printf(
        "block\t%llu\t%llu\t%llu\t%llu\t%llu\t%llu\t%llu\t%s\t%s\n",
        U(b.stream), U(b.number), U(++number_in_file), U(b.compressed_offset),
        U(b.uncompressed_offset), U(b.total_size), U(b.uncompressed_size),
        Ratio(b.total_size, b.uncompressed_size).c_str(),
        CheckName(b.check).c_str());
  }
  return s;
}

std::string FormatListRobotTotals(const std::vector<FileInfo>& files) {
  uint64_t streams = 0, blocks = 0, packed = 0, plain = 0, padding = 0;
  uint32_t checks = 0;
  for (const FileInfo& f : files) {
    streams += f.streams.size();
    blocks += f.blocks.size();
    packed += f.file_size;
    plain += f.uncompressed_size;
    padding += f.padding;
    checks |= f.checks;
  }
  return Printf("totals\t%llu\t%llu\t%llu\t%llu\t%s\t%s\t%llu\t%zu\n",
                U(streams), U(blocks), U(packed), U(plain),
                Ratio(packed, plain).c_str(), RobotChecks(checks).c_str(),
                U(padding), files.size());
}

}  // namespace parxz::cli
