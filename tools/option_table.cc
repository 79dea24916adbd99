#include "tools/option_table.h"

#include <string>

#include "tools/args.h"

namespace parxz::cli {

namespace {

// A mistake getopt_long() would report: xz adds its "Try --help" line.
[[noreturn]] void FailOption(const std::string& message) {
  throw UsageError(message, /*try_help=*/true);
}

// In xz's order (args.c), which getopt_long() follows when it lists the
// possibilities of an ambiguous abbreviation; parxz's own options last.
constexpr LongOption kLongOptions[] = {
    {"compress", ArgKind::kNone},
    {"decompress", ArgKind::kNone},
    {"uncompress", ArgKind::kNone},
    {"test", ArgKind::kNone},
    {"list", ArgKind::kNone},
    {"keep", ArgKind::kNone},
    {"force", ArgKind::kNone},
    {"stdout", ArgKind::kNone},
    {"to-stdout", ArgKind::kNone},
    {"single-stream", ArgKind::kNone},
    {"no-sparse", ArgKind::kNone},
    {"suffix", ArgKind::kRequired},
    {"files", ArgKind::kOptional},
    {"files0", ArgKind::kOptional},
    {"format", ArgKind::kRequired},
    {"check", ArgKind::kRequired},
    {"ignore-check", ArgKind::kNone},
    {"block-size", ArgKind::kRequired},
    {"block-list", ArgKind::kRequired},
    {"memlimit-compress", ArgKind::kRequired},
    {"memlimit-decompress", ArgKind::kRequired},
    {"memlimit-mt-decompress", ArgKind::kRequired},
    {"memlimit", ArgKind::kRequired},
    {"memory", ArgKind::kRequired},
    {"no-adjust", ArgKind::kNone},
    {"threads", ArgKind::kRequired},
    {"flush-timeout", ArgKind::kRequired},
    {"extreme", ArgKind::kNone},
    {"fast", ArgKind::kNone},
    {"best", ArgKind::kNone},
    {"lzma1", ArgKind::kOptional},
    {"lzma2", ArgKind::kOptional},
    {"x86", ArgKind::kOptional},
    {"powerpc", ArgKind::kOptional},
    {"ia64", ArgKind::kOptional},
    {"arm", ArgKind::kOptional},
    {"armthumb", ArgKind::kOptional},
    {"arm64", ArgKind::kOptional},
    {"sparc", ArgKind::kOptional},
    {"delta", ArgKind::kOptional},
    {"quiet", ArgKind::kNone},
    {"verbose", ArgKind::kNone},
    {"no-warn", ArgKind::kNone},
    {"robot", ArgKind::kNone},
    {"info-memory", ArgKind::kNone},
    {"help", ArgKind::kNone},
    {"long-help", ArgKind::kNone},
    {"version", ArgKind::kNone},
    {"offset", ArgKind::kRequired},
    {"length", ArgKind::kRequired},
    {"tar-list", ArgKind::kNone},
    {"tar-extract", ArgKind::kRequired},
};

}  // namespace

const LongOption* FindLongOption(std::string_view name,
                                 std::string_view as_given) {
  const LongOption* found = nullptr;
  std::string possibilities;
  for (const auto& lo : kLongOptions) {
    if (lo.name == name) return &lo;
    if (!name.empty() && lo.name.starts_with(name)) {
      found = found == nullptr ? &lo : found;
      possibilities += " '--" + std::string(lo.name) + "'";
    }
  }
  if (found != nullptr && possibilities.size() > found->name.size() + 5) {
    FailOption("option '--" + std::string(as_given) +
               "' is ambiguous; possibilities:" + possibilities);
  }
  if (found != nullptr) return found;
  FailOption("unrecognized option '--" + std::string(name) + "'");
}

}  // namespace parxz::cli
