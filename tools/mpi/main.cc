// parxz-mpi: one file compressed, decompressed or tested by every rank of an
// MPI job, with parxz's options, messages and exit statuses.
//
//   mpirun -np 64 parxz-mpi -6 -T4 big.dat      # big.dat.xz, = parxz's bytes
//   mpirun -np 64 parxz-mpi -d big.dat.xz       # each rank a share of Blocks
//   mpirun -np 64 parxz-mpi -t big.dat.xz
//
// The data moves through mpi/ (MPI-IO); this file only does what parxz's
// FileRunner does around it, on rank 0: open and check the input with
// parxz's policy, pick the output name, create the temporary file next to
// it (tools/file_io.h, which also removes it on a signal), and after the
// collective call succeeded on every rank (file synced), give it the input's
// mode and times, rename it into place and delete the input unless -k. Any
// failure on any rank is reported by every rank, the temporary file is
// removed and the input stays.
#include <mpi.h>
#include <unistd.h>

#include <climits>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "mpi/collective_compress.h"
#include "mpi/collective_read.h"
#include "mpi/mpi_util.h"
#include "parallel/common/threads.h"
#include "tools/args.h"
#include "tools/cli.h"
#include "tools/codec.h"
#include "tools/file_io.h"

namespace {

namespace cli = parxz::cli;
namespace pm = parxz::mpi;
using parxz::Error;
using parxz::ErrorCode;

int g_rank = 0;

void Print(const std::string& line) {
  const std::string text = cli::ProgramName() + ": " + line + "\n";
  ssize_t unused = write(STDERR_FILENO, text.data(), text.size());
  (void)unused;
}

// Strings from rank 0 to all.
void Bcast(std::string& s, MPI_Comm comm) {
  uint64_t n = s.size();
  MPI_Bcast(&n, 1, MPI_UINT64_T, 0, comm);
  s.resize(n);
  MPI_Bcast(s.data(), static_cast<int>(n), MPI_CHAR, 0, comm);
}

// What parxz would refuse up front for this command line, or "".
std::string Unsupported(const cli::CliOptions& o) {
  if (o.mode == cli::Operation::kList) return "--list";
  if (o.to_stdout) return "--stdout";
  if (o.format != parxz::Format::kAuto && o.format != parxz::Format::kXz)
    return "--format other than xz";
  if (!o.block_list.empty()) return "--block-list";
  if (o.flush_timeout_ms != 0) return "--flush-timeout";
  if (o.files_from) return "--files";
  if (o.range_offset || o.range_length) return "--offset/--length";
  if (o.suffix.size()) return "--suffix";
  for (const std::string& f : o.files)
    if (f == "-") return "standard input";
  return "";
}

// Rank 0's verdict on a file before the collective work: 0 go ahead,
// 1 skip with a warning, 2 an error; `who` and `why` for the message.
struct Precheck {
  int verdict = 0;
  std::string who, why, temp;
};

class FileRunner {
 public:
  FileRunner(const cli::CliOptions& o, MPI_Comm comm) : o_(o), comm_(comm) {}

  // Returns parxz's status for the file: 0, 1 (error) or 2 (warning).
  int Process(const std::string& name) {
    const bool compressing = o_.mode == cli::Operation::kCompress;
    const bool testing = o_.mode == cli::Operation::kTest;
    std::optional<cli::InputFile> in;
    std::optional<cli::OutputFile> out;
    Precheck p;
    if (g_rank == 0) {
      try {
        in.emplace(cli::InputFile::Open(name, {.follow_links = o_.force,
                                               .allow_odd_regular = o_.force,
                                               .allow_special = false}));
        if (!testing) {
          std::string why;
          bool is_error = false;
          const auto out_name = cli::OutputName(o_, name, &why, &is_error);
          if (!out_name) {
            p = {is_error ? 2 : 1, name, why, ""};
          } else {
            try {
              out.emplace(cli::OutputFile::Create(*out_name, o_.force));
              p.temp = TempPath(out->fd());
            } catch (const Error& e) {
              p = {2, *out_name, e.detail(), ""};
            }
          }
        }
      } catch (const cli::SkipFile& e) {
        p = {1, name, e.what(), ""};
      } catch (const Error& e) {
        p = {2, name, e.what(), ""};
      }
    }
    MPI_Bcast(&p.verdict, 1, MPI_INT, 0, comm_);
    Bcast(p.who, comm_);
    Bcast(p.why, comm_);
    Bcast(p.temp, comm_);
    if (p.verdict != 0) {
      // Every rank reports it, as every rank would report a failure later.
      if (o_.verbosity >= (p.verdict == 1 ? cli::kWarnings : cli::kErrors))
        Print(p.who + ": " + p.why);
      return p.verdict == 1 ? (o_.no_warn ? 0 : 2) : 1;
    }

    try {
      if (compressing) {
        pm::CompressFileCollective(comm_, name, p.temp,
                                   cli::CompressSettings(o_));
      } else {
        pm::DecompressFileCollective(comm_, name, testing ? "" : p.temp,
                                     o_.threads);
      }
      // Every rank succeeded and the data is synced: rank 0 makes it final.
      pm::Agree(comm_, pm::Try([&] {
                  if (g_rank == 0 && out) out->Commit(&in->stat());
                }));
    } catch (const Error& e) {
      if (o_.verbosity >= cli::kErrors) Print(name + ": " + e.what());
      return 1;  // `out` removes the temporary file; the input stays
    }
    if (g_rank == 0 && !testing && !o_.keep) {
      try {
        in->Remove();
      } catch (const Error& e) {
        Print(name + ": " + e.what());
        return 1;
      }
    }
    return 0;
  }

 private:
  // The temporary file's name, for the other ranks to open: what the
  // descriptor rank 0 created refers to.
  static std::string TempPath(int fd) {
    char buf[PATH_MAX + 1];
    const std::string link = "/proc/self/fd/" + std::to_string(fd);
    const ssize_t n = readlink(link.c_str(), buf, PATH_MAX);
    if (n <= 0) throw Error(ErrorCode::kIo, "create", "cannot name the file");
    return std::string(buf, n);
  }

  const cli::CliOptions& o_;
  MPI_Comm comm_;
};

// Once per job, on rank 0, after every rank's CPUs are gathered: a warning
// where -T N exceeds the CPUs of some rank (Open MPI binds each rank to a
// core for up to 2 ranks and to a socket above, and every thread a rank
// starts inherits that), naming the mpirun options that give each rank its
// cores; with -v, the threads per rank and the fewest CPUs of a rank.
// -T0 needs no warning: each rank then uses the CPUs it may run on.
void ReportThreads(const cli::CliOptions& o, MPI_Comm comm) {
  const parxz::ThreadPlan plan = parxz::PlanThreads(o.threads);
  const pm::FewestCpus fewest = pm::GatherFewestCpus(comm, plan.cpus.cpus);
  if (g_rank != 0) return;
  const std::string t = std::to_string(o.threads);
  const std::string cpus =
      std::to_string(fewest.cpus) + (fewest.cpus == 1 ? " CPU" : " CPUs");
  if (o.threads > fewest.cpus && o.verbosity >= cli::kWarnings) {
    Print("-T" + t + " is more threads than the " + cpus + " rank " +
          std::to_string(fewest.rank) + " may run on, so they share " +
          (fewest.cpus == 1 ? "it" : "them") +
          " (mpirun binds each rank to a "
          "core for up to 2 ranks, to a socket above). Give each rank " +
          t + " cores with `mpirun --map-by slot:PE=" + t +
          "`, or leave threads unbound with `mpirun --bind-to none`");
  }
  if (o.verbosity >= cli::kVerbose) {
    Print("Using " + std::to_string(plan.threads) + " threads per rank" +
          (o.threads == 0 ? " (-T0: rank 0's CPUs)" : "") + " on " +
          std::to_string(pm::Size(comm)) +
          " ranks; the fewest CPUs a rank may run on: " + cpus + " (rank " +
          std::to_string(fewest.rank) + ")");
  }
}

int Run(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  const std::string argv0 = argc > 0 ? argv[0] : "parxz-mpi";
  cli::SetProgramName(argv0);
  cli::CliOptions o;
  try {
    o = cli::ParseCommandLine(argv0, args, std::getenv("XZ_DEFAULTS"),
                              std::getenv("XZ_OPT"));
  } catch (const cli::UsageError& e) {
    if (g_rank == 0) {
      Print(e.what());
      if (e.try_help())
        Print("Try `" + cli::ProgramName() + " --help' for more information.");
    }
    return 1;
  }
  if (o.help || o.long_help || o.version) {
    if (g_rank == 0) {
      const std::string text =
          o.version ? cli::VersionText()
                    : "Usage: mpirun -np N " + cli::ProgramName() +
                          " [-0..-9][e] [-T N] [--block-size=S] [-C CHECK]"
                          " [-k] [-f] [-d|-t] [-q|-v] FILE...\n"
                          "Every rank of the MPI job compresses (or decodes) "
                          "a share of FILE's Blocks;\nthe output equals "
                          "parxz's (and xz -T2's). -T is threads per rank.\n";
      ssize_t unused = write(STDOUT_FILENO, text.data(), text.size());
      (void)unused;
    }
    return 0;
  }
  if (const std::string what = Unsupported(o); !what.empty()) {
    if (g_rank == 0) Print(what + " is not supported by " + cli::ProgramName());
    return 1;
  }
  if (o.files.empty()) {
    if (g_rank == 0) Print("No file given (standard input is not supported)");
    return 1;
  }
  ReportThreads(o, MPI_COMM_WORLD);
  if (g_rank == 0) cli::InstallSignalCleanup();
  FileRunner runner(o, MPI_COMM_WORLD);
  int status = 0;
  for (const std::string& f : o.files) {
    const int s = runner.Process(f);
    if (s == 1 || status == 0) status = std::max(status, s);
  }
  return status;
}

}  // namespace

int main(int argc, char** argv) {
  MPI_Init(&argc, &argv);
  MPI_Comm_rank(MPI_COMM_WORLD, &g_rank);
  const int status = Run(argc, argv);
  MPI_Finalize();
  return status;
}
