// Number and size arguments of the parxz command line, as xz's
// str_to_uint64(): decimal digits, an optional KiB/MiB/GiB multiplier, "max",
// and xz's messages when a value is not a number or out of range.
#include <cstdint>
#include <string>
#include <string_view>

#include "tools/args.h"

namespace parxz::cli {

namespace {

[[noreturn]] void Fail(const std::string& message) {
  throw UsageError(message);
}

}  // namespace

uint64_t ParseNumber(std::string_view text, std::string_view name, uint64_t min,
                     uint64_t max) {
  while (!text.empty() && (text[0] == ' ' || text[0] == '\t')) {
    text.remove_prefix(1);
  }
  if (text == "max") return max;
  if (text.empty() || text[0] < '0' || text[0] > '9') {
    Fail(std::string(text) + ": Value is not a non-negative decimal integer");
  }
  const std::string range = "Value of the option `" + std::string(name) +
                            "' must be in the range [" + std::to_string(min) +
                            ", " + std::to_string(max) + "]";
  uint64_t result = 0;
  size_t i = 0;
  for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i) {
    const uint64_t digit = static_cast<uint64_t>(text[i] - '0');
    if (result > (UINT64_MAX - digit) / 10) Fail(range);
    result = result * 10 + digit;
  }
  if (i < text.size()) {
    const std::string_view suffix = text.substr(i);
    uint64_t multiplier = 0;
    switch (suffix[0]) {
      case 'k':
      case 'K':
        multiplier = uint64_t{1} << 10;
        break;
      case 'm':
      case 'M':
        multiplier = uint64_t{1} << 20;
        break;
      case 'g':
      case 'G':
        multiplier = uint64_t{1} << 30;
        break;
    }
    const std::string_view rest = suffix.substr(1);
    if (!rest.empty() && rest != "i" && rest != "iB" && rest != "B") {
      multiplier = 0;
    }
    if (multiplier == 0) {
      Fail(std::string(suffix) +
           ": Invalid multiplier suffix\nValid suffixes are `KiB' (2^10), "
           "`MiB' (2^20), and `GiB' (2^30).");
    }
    if (result > UINT64_MAX / multiplier) Fail(range);
    result *= multiplier;
  }
  if (result < min || result > max) Fail(range);
  return result;
}

uint64_t ParseSize(std::string_view text, std::string_view name, uint64_t max) {
  return ParseNumber(text, name, 0, max);
}

}  // namespace parxz::cli
