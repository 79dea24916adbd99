// parxz: an xz-compatible command line that compresses on every core.
#include <unistd.h>

#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "tools/args.h"
#include "tools/cli.h"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  const std::string argv0 = argc > 0 ? argv[0] : "parxz";
  parxz::cli::SetProgramName(argv0);
  const std::string& me = parxz::cli::ProgramName();
  try {
    return parxz::cli::Run(parxz::cli::ParseCommandLine(
        argv0, args, std::getenv("XZ_DEFAULTS"), std::getenv("XZ_OPT")));
  } catch (const parxz::cli::UsageError& e) {
    // Every line of the message carries the program name, as xz's.
    std::string msg;
    std::string_view text = e.what();
    for (size_t nl; (nl = text.find('\n')) != std::string_view::npos;) {
      msg += me + ": " + std::string(text.substr(0, nl)) + "\n";
      text.remove_prefix(nl + 1);
    }
    msg += me + ": " + std::string(text) + "\n";
    if (e.try_help()) {
      msg += me + ": Try `" + me + " --help' for more information.\n";
    }
    ssize_t unused = write(STDERR_FILENO, msg.data(), msg.size());
    (void)unused;
    return 1;
  } catch (const parxz::Error& e) {
    const std::string msg = me + ": " + e.what() + "\n";
    ssize_t unused = write(STDERR_FILENO, msg.data(), msg.size());
    (void)unused;
    return 1;
  }
}
