// What the collective calls of mpi/ share: MPI return codes as parxz::Error,
// the agreement on success that every collective step ends with, MPI-IO
// reads and writes of any size, and a file handle that closes itself.
//
//   std::exception_ptr failure;
//   try { ... local work ... } catch (...) { failure =
//   std::current_exception(); } Agree(comm, failure);   // throws the first
//   failing rank's Error on every rank
//
// Internal to mpi/ and parxz-mpi (tools/mpi). Only the thread that called
// MPI_Init uses these (oneTBB's workers never call MPI), so
// MPI_THREAD_SINGLE/FUNNELED is enough.
#ifndef PARXZ_MPI_MPI_UTIL_H_
#define PARXZ_MPI_MPI_UTIL_H_

#include <mpi.h>

#include <cstdint>
#include <exception>
#include <span>
#include <string>
#include <vector>

#include "core/error.h"

namespace parxz::mpi {

// Error(code, op, MPI_Error_string(rc)) unless rc is MPI_SUCCESS.
void ThrowIfMpiError(int rc, const char* op, ErrorCode code = ErrorCode::kIo);

// Collective: every rank passes its own outcome (null: success). Returns
// when every rank succeeded; otherwise throws, on every rank, the Error of
// the lowest-numbered failing rank (same code, operation and detail, with
// " (rank N)" added to the detail unless N is 0), so that all ranks report
// the same thing.
// One MPI_Allreduce when all went well; two broadcasts more when not.
void Agree(MPI_Comm comm, const std::exception_ptr& local_failure);

// Waits for a non-blocking request without spinning on a core.
void WaitIdle(MPI_Request& request);

// Runs `body`; returns what it threw (null if nothing).
template <typename Body>
std::exception_ptr Try(Body&& body) noexcept {
  try {
    body();
    return nullptr;
  } catch (...) {
    return std::current_exception();
  }
}

// Collective MPI_File_write_at_all / read_at_all of `pieces` (memory, in
// order) to or from the file bytes starting at `offset`. Any total size: the
// pieces become one hindexed datatype over MPI_BOTTOM, each cut to at most
// 1 GiB, so that no int count overflows. A rank with nothing calls with
// count 0. Throws Error(kIo).
void WriteAtAll(MPI_File file, uint64_t offset,
                const std::vector<std::span<const uint8_t>>& pieces);
void ReadAtAll(MPI_File file, uint64_t offset,
               const std::vector<std::span<uint8_t>>& pieces);

// Throws Error(kIo) unless `file` has `expected` bytes as this rank sees it:
// a path on storage the ranks do not share (node-local /tmp) gives each node
// its own file, which no MPI call reports; the sizes then disagree.
void CheckSharedSize(MPI_File file, uint64_t expected, const std::string& path);

// An open MPI file, closed (collectively) by Close() or the destructor.
class File {
 public:
  // Collective over `comm`. Throws Error(kIo, "open", "PATH: why") on the ranks
  // where opening failed (callers Agree() afterwards).
  File(MPI_Comm comm, const std::string& path, int amode);
  ~File();
  File(const File&) = delete;
  File& operator=(const File&) = delete;
  MPI_File get() const { return file_; }
  // Collective; throws Error(kIo).
  void Close();
  uint64_t Size() const;

 private:
  MPI_File file_ = MPI_FILE_NULL;
};

// `path` as MPI-IO is given it: absolute (from this process's working
// directory). Open MPI's MPI_File_open fails on some relative names (a
// one-letter name gives MPI_ERR_OTHER) and reads "fs:name" as a file system
// prefix; an absolute path has neither problem.
std::string MpiPath(const std::string& path);

// Collective: the fewest CPUs a rank of `comm` may run on (`local` is this
// rank's, parallel/common/threads.h's PlanThreads().cpus.cpus) and the lowest rank
// with that many; the same on every rank. One MPI_Allreduce (MINLOC).
struct FewestCpus {
  unsigned cpus = 0;
  int rank = 0;
};
FewestCpus GatherFewestCpus(MPI_Comm comm, unsigned local);

int Rank(MPI_Comm comm);
int Size(MPI_Comm comm);

}  // namespace parxz::mpi

#endif  // PARXZ_MPI_MPI_UTIL_H_
