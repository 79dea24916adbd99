// Filter chain options of the parxz command line (--lzma2=preset=6,dict=...).
#include <lzma.h>

#include <limits>
#include <string>
#include <string_view>
#include <utility>

#include "tools/args.h"

namespace parxz::cli {

namespace {

[[noreturn]] void Fail(const std::string& message) {
  throw UsageError(message);
}

uint32_t ParseU32(std::string_view text, std::string_view what) {
  return static_cast<uint32_t>(
      ParseSize(text, what, std::numeric_limits<uint32_t>::max()));
}

FilterId FilterByName(std::string_view name) {
  static constexpr std::pair<std::string_view, FilterId> kNames[] = {
      {"lzma1", FilterId::kLzma1},     {"lzma2", FilterId::kLzma2},
      {"delta", FilterId::kDelta},     {"x86", FilterId::kX86},
      {"powerpc", FilterId::kPowerPc}, {"ia64", FilterId::kIa64},
      {"arm", FilterId::kArm},         {"armthumb", FilterId::kArmThumb},
      {"arm64", FilterId::kArm64},     {"sparc", FilterId::kSparc},
  };
  for (const auto& [n, id] : kNames) {
    if (n == name) return id;
  }
  Fail("Unknown filter: '" + std::string(name) + "'");
}

// Accepts "6" or "6e" for preset=.
uint32_t ParsePresetText(std::string_view text, std::string_view what) {
  uint32_t extreme = 0;
  if (!text.empty() && text.back() == 'e') {
    extreme = kPresetExtreme;
    text.remove_suffix(1);
  }
  if (text.size() != 1 || text[0] < '0' || text[0] > '9') {
    Fail("Unsupported LZMA1/LZMA2 preset: " + std::string(what));
  }
  return static_cast<uint32_t>(text[0] - '0') | extreme;
}

}  // namespace

FilterSpec ParseFilter(std::string_view name, std::string_view opts) {
  FilterSpec spec{.id = FilterByName(name)};
  spec.preset.reset();
  const bool lzma = spec.id == FilterId::kLzma1 || spec.id == FilterId::kLzma2;
  while (!opts.empty()) {
    const size_t comma = opts.find(',');
    std::string_view item = opts.substr(0, comma);
    opts = comma == std::string_view::npos ? std::string_view()
                                           : opts.substr(comma + 1);
    if (item.empty()) continue;
    const size_t eq = item.find('=');
    if (eq == std::string_view::npos) {
      Fail(std::string(item) +
           ": Options must be `name=value' pairs separated with commas");
    }
    const std::string_view key = item.substr(0, eq), v = item.substr(eq + 1);
    // xz's messages name the sub-option ("dist") and its ranges.
    const std::string what(key);
    auto bad = [&] { Fail(std::string(key) + ": Invalid option name"); };
    auto bad_value = [&] { Fail(std::string(v) + ": Invalid option value"); };
    if (lzma) {
      if (key == "preset") {
        spec.preset = ParsePresetText(v, v);
      } else if (key == "dict") {
        spec.dict_size = static_cast<uint32_t>(
            ParseNumber(v, what, LZMA_DICT_SIZE_MIN, uint32_t{1536} << 20));
      } else if (key == "lc") {
        spec.lc = static_cast<uint32_t>(
            ParseNumber(v, what, LZMA_LCLP_MIN, LZMA_LCLP_MAX));
      } else if (key == "lp") {
        spec.lp = static_cast<uint32_t>(
            ParseNumber(v, what, LZMA_LCLP_MIN, LZMA_LCLP_MAX));
      } else if (key == "pb") {
        spec.pb = static_cast<uint32_t>(
            ParseNumber(v, what, LZMA_PB_MIN, LZMA_PB_MAX));
      } else if (key == "nice") {
        spec.nice_len = static_cast<uint32_t>(ParseNumber(v, what, 2, 273));
      } else if (key == "depth") {
        spec.depth = ParseU32(v, what);
      } else if (key == "mode") {
        if (v == "fast")
          spec.mode = parxz::Mode::kFast;
        else if (v == "normal")
          spec.mode = parxz::Mode::kNormal;
        else
          bad_value();
      } else if (key == "mf") {
        static constexpr std::pair<std::string_view, MatchFinder> kMf[] = {
            {"hc3", MatchFinder::kHc3},
            {"hc4", MatchFinder::kHc4},
            {"bt2", MatchFinder::kBt2},
            {"bt3", MatchFinder::kBt3},
            {"bt4", MatchFinder::kBt4}};
        bool found = false;
        for (const auto& [n, mf] : kMf) {
          if (n == v) {
            spec.mf = mf;
            found = true;
          }
        }
        if (!found) bad_value();
      } else {
        bad();
      }
    } else if (spec.id == FilterId::kDelta) {
      if (key != "dist") bad();
      spec.dist = static_cast<uint32_t>(ParseNumber(v, what, 1, 256));
    } else {
      if (key != "start") bad();
      spec.start_offset = ParseU32(v, what);
    }
  }
  return spec;
}

}  // namespace parxz::cli
