// parxz: an xz-compatible command line that compresses on every core.
#include <unistd.h>

#include <string>
#include <vector>

#include "core/error.h"
#include "tools/args.h"
#include "tools/cli.h"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  try {
    return parxz::cli::Run(parxz::cli::ParseArgs(args));
  } catch (const parxz::cli::UsageError& e) {
    const std::string msg =
        std::string("parxz: ") + e.what() +
        "\nparxz: Try `parxz --help' for more information.\n";
    ssize_t unused = write(STDERR_FILENO, msg.data(), msg.size());
    (void)unused;
    return 1;
  } catch (const parxz::Error& e) {
    const std::string msg = std::string("parxz: ") + e.what() + "\n";
    ssize_t unused = write(STDERR_FILENO, msg.data(), msg.size());
    (void)unused;
    return 1;
  }
}
