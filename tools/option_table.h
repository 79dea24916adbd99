// The option table of the parxz command line, private to tools/args.cc: the
// long options in xz's order with whether each takes an argument, the short
// option letters, and getopt_long()'s abbreviation rule with its messages.
#ifndef PARXZ_TOOLS_OPTION_TABLE_H_
#define PARXZ_TOOLS_OPTION_TABLE_H_

#include <string_view>

namespace parxz::cli {

enum class ArgKind { kNone, kRequired, kOptional };

struct LongOption {
  std::string_view name;
  ArgKind arg;
};

inline constexpr std::string_view kShortNoArg = "zdtlkfcqvhHVQe0123456789";
inline constexpr std::string_view kShortWithArg = "TCFMS";

// getopt_long's rules: an exact name, else an unambiguous prefix.
// `as_given`: the option as written, for the message ("mem=1"). Throws
// UsageError (with try_help) for an unknown or ambiguous name.
const LongOption* FindLongOption(std::string_view name,
                                 std::string_view as_given);

}  // namespace parxz::cli

#endif  // PARXZ_TOOLS_OPTION_TABLE_H_
