// Fuzz target: the command line's option parsing (tools/args.h).
//
// Input layout: byte 0 picks the entry point; the rest is split at NUL bytes
// into arguments (ParseArgs), or used up to its first NUL as the text of
// ParseSize/ParseFilter.
//
// Checked: the parser either returns options in range or throws UsageError
// with a message; no other exception, no crash, no hang; a size never exceeds
// the maximum it was given.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "core/options.h"
#include "tests/fuzz/fuzz_util.h"
#include "tools/args.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace parxz;
  using namespace parxz::fuzz;
  FuzzInput input(data, size);
  const uint8_t mode = input.Byte();
  std::string_view text = input.Rest();
  // ParseSize and ParseFilter get option values, which come from argv or
  // XZ_OPT: C strings, so never with a NUL inside.
  if (mode % 4 >= 2) text = text.substr(0, text.find('\0'));
  try {
    switch (mode % 4) {
      case 0:
      case 1: {
        std::vector<std::string> args;
        size_t start = 0;
        for (;;) {
          const size_t nul = text.find('\0', start);
          args.emplace_back(text.substr(start, nul - start));
          if (nul == std::string_view::npos || args.size() > 64) break;
          start = nul + 1;
        }
        const cli::CliOptions o = cli::ParseArgs(args);
        FUZZ_CHECK((o.preset & ~kPresetExtreme) <= 9, "preset %u", o.preset);
        FUZZ_CHECK(o.verbosity >= cli::kSilent && o.verbosity <= cli::kDebug,
                   "verbosity %d", o.verbosity);
        FUZZ_CHECK(o.filters.size() <= 4, "%zu filters", o.filters.size());
        for (const cli::MemLimitSetting& m :
             {o.memlimit_compress, o.memlimit_decompress, o.memlimit_mtdec}) {
          if (m.percent) {
            FUZZ_CHECK(m.value > 0 && m.value <= 100, "memlimit %llu%%",
                       static_cast<unsigned long long>(m.value));
          }
        }
        break;
      }
      case 2: {
        const uint64_t max = mode < 128 ? UINT64_MAX : (uint64_t{1} << 50);
        const uint64_t v = cli::ParseSize(text, "size", max);
        FUZZ_CHECK(v <= max);
        break;
      }
      default: {
        const size_t eq = text.find('=');
        const std::string_view name = text.substr(0, eq);
        const std::string_view opts =
            eq == std::string_view::npos ? std::string_view() : text.substr(eq + 1);
        const FilterSpec spec = cli::ParseFilter(name, opts);
        // What the parser accepted must be a chain core/ can build (or a
        // clear kBadOptions/kUnsupported error, never a crash).
        try {
          FilterChain chain = {spec};
          if (spec.id != FilterId::kLzma1 && spec.id != FilterId::kLzma2) {
            chain.push_back({.id = FilterId::kLzma2, .preset = 0});
          }
          (void)LzmaFilters::FromChain(chain);
        } catch (const Error& e) {
          FUZZ_CHECK(e.code() == ErrorCode::kBadOptions ||
                         e.code() == ErrorCode::kUnsupported,
                     "%s", e.what());
        }
        break;
      }
    }
  } catch (const cli::UsageError& e) {
    FUZZ_CHECK(e.what()[0] != '\0', "empty usage message");
  }
  return 0;
}
