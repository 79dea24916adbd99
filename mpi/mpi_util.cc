#include "mpi/mpi_util.h"

#include <limits.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <new>
#include <optional>

namespace parxz::mpi {

namespace {

std::string MpiErrorText(int rc) {
  char text[MPI_MAX_ERROR_STRING];
  int len = 0;
  if (MPI_Error_string(rc, text, &len) != MPI_SUCCESS) {
    return "MPI error " + std::to_string(rc);
  }
  return std::string(text, len);
}

// Error(kIo, "open", ...) for a file, with the errno text where Open MPI's
// error class says which; parxz's messages name the file as "FILE: why".
std::string FileErrorText(int rc) {
  int cls = 0;
  MPI_Error_class(rc, &cls);
  if (cls == MPI_ERR_NO_SUCH_FILE) return std::strerror(ENOENT);
  if (cls == MPI_ERR_ACCESS) return std::strerror(EACCES);
  if (cls == MPI_ERR_FILE_EXISTS) return std::strerror(EEXIST);
  if (cls == MPI_ERR_NO_SPACE) return std::strerror(ENOSPC);
  if (cls == MPI_ERR_READ_ONLY) return std::strerror(EROFS);
  if (cls == MPI_ERR_QUOTA) return std::strerror(EDQUOT);
  return MpiErrorText(rc);
}

// The pieces of a transfer, each at most kMaxPiece bytes, as one datatype.
class MemoryType {
 public:
  template <typename Span>
  explicit MemoryType(const std::vector<Span>& pieces) {
    std::vector<int> lengths;
    std::vector<MPI_Aint> addresses;
    for (const Span& s : pieces) {
      for (size_t at = 0; at < s.size(); at += kMaxPiece) {
        MPI_Aint address = 0;
        MPI_Get_address(s.data() + at, &address);
        addresses.push_back(address);
        lengths.push_back(static_cast<int>(std::min(kMaxPiece, s.size() - at)));
      }
    }
    if (lengths.empty()) return;
    ThrowIfMpiError(MPI_Type_create_hindexed(static_cast<int>(lengths.size()),
                                             lengths.data(), addresses.data(),
                                             MPI_BYTE, &type_),
                    "MPI datatype", ErrorCode::kInternal);
    ThrowIfMpiError(MPI_Type_commit(&type_), "MPI datatype",
                    ErrorCode::kInternal);
    count_ = 1;
  }
  ~MemoryType() {
    if (count_ != 0) MPI_Type_free(&type_);
  }
  MemoryType(const MemoryType&) = delete;
  MemoryType& operator=(const MemoryType&) = delete;
  MPI_Datatype type() const { return count_ ? type_ : MPI_BYTE; }
  int count() const { return count_; }

 private:
  static constexpr size_t kMaxPiece = size_t{1} << 30;
  MPI_Datatype type_ = MPI_DATATYPE_NULL;
  int count_ = 0;
};

}  // namespace

void WaitIdle(MPI_Request& request) {
  // Open MPI busy-polls inside blocking calls: a rank that finished its
  // Blocks early would take a core from the ranks (or threads) still
  // encoding when there are more of them than cores. Test and sleep instead,
  // backing off to 1 ms: small beside a Block's encoding time.
  long ns = 20'000;
  for (;;) {
    int done = 0;
    ThrowIfMpiError(MPI_Test(&request, &done, MPI_STATUS_IGNORE), "MPI_Test",
                    ErrorCode::kInternal);
    if (done) return;
    const timespec pause{0, ns};
    nanosleep(&pause, nullptr);
    ns = std::min(ns * 2, 1'000'000L);
  }
}

void ThrowIfMpiError(int rc, const char* op, ErrorCode code) {
  if (rc == MPI_SUCCESS) return;
  throw Error(code, op,
              code == ErrorCode::kIo ? FileErrorText(rc) : MpiErrorText(rc));
}

std::string MpiPath(const std::string& path) {
  if (path.empty() || path[0] == '/') return path;
  char cwd[PATH_MAX];
  if (getcwd(cwd, sizeof cwd) == nullptr) return path;
  return std::string(cwd) + "/" + path;
}

int Rank(MPI_Comm comm) {
  int r = 0;
  MPI_Comm_rank(comm, &r);
  return r;
}

int Size(MPI_Comm comm) {
  int n = 0;
  MPI_Comm_size(comm, &n);
  return n;
}

void Agree(MPI_Comm comm, const std::exception_ptr& local_failure) {
  // MAXLOC on (failed, rank) ties towards the lowest rank: the failing rank
  // that speaks for all.
  struct {
    int failed;
    int rank;
  } mine{local_failure ? 1 : 0, Rank(comm)}, first{0, 0};
  MPI_Request request;
  ThrowIfMpiError(
      MPI_Iallreduce(&mine, &first, 1, MPI_2INT, MPI_MAXLOC, comm, &request),
      "MPI_Allreduce", ErrorCode::kInternal);
  WaitIdle(request);
  if (first.failed == 0) return;

  // The failing rank's error as code, operation, detail and offset.
  int code = static_cast<int>(ErrorCode::kInternal);
  std::string text;  // operation '\0' detail
  std::optional<uint64_t> offset;
  if (mine.rank == first.rank) {
    try {
      std::rethrow_exception(local_failure);
    } catch (const Error& e) {
      code = static_cast<int>(e.code());
      text = e.operation() + '\0' + e.detail();
      offset = e.offset();
    } catch (const std::bad_alloc&) {
      code = static_cast<int>(ErrorCode::kOutOfMemory);
      text = std::string("allocate") + '\0' + "Cannot allocate memory";
    } catch (const std::exception& e) {
      text = std::string("internal") + '\0' + e.what();
    } catch (...) {
      text = std::string("internal") + '\0' + "unknown error";
    }
  }
  // code, text length, whether there is an offset, the offset
  uint64_t header[4] = {static_cast<uint64_t>(code), text.size(),
                        offset.has_value(), offset.value_or(0)};
  MPI_Bcast(header, 4, MPI_UINT64_T, first.rank, comm);
  text.resize(header[1]);
  MPI_Bcast(text.data(), static_cast<int>(header[1]), MPI_CHAR, first.rank,
            comm);
  if (header[2] != 0) offset = header[3];
  const size_t nul = text.find('\0');
  std::string operation = text.substr(0, nul);
  std::string detail = nul == std::string::npos ? "" : text.substr(nul + 1);
  // Rank 0 speaks as single-node parxz would; another rank is named.
  if (first.rank != 0) detail += " (rank " + std::to_string(first.rank) + ")";
  throw Error(static_cast<ErrorCode>(header[0]), std::move(operation),
              std::move(detail), offset);
}

void WriteAtAll(MPI_File file, uint64_t offset,
                const std::vector<std::span<const uint8_t>>& pieces) {
  MemoryType t(pieces);
  MPI_Status status;
  ThrowIfMpiError(
      MPI_File_write_at_all(file, static_cast<MPI_Offset>(offset), MPI_BOTTOM,
                            t.count(), t.type(), &status),
      "write");
}

void ReadAtAll(MPI_File file, uint64_t offset,
               const std::vector<std::span<uint8_t>>& pieces) {
  MemoryType t(pieces);
  MPI_Status status;
  ThrowIfMpiError(
      MPI_File_read_at_all(file, static_cast<MPI_Offset>(offset), MPI_BOTTOM,
                           t.count(), t.type(), &status),
      "read");
  // A short read (the file ended) is not an MPI error: count what came.
  MPI_Count got = 0;
  MPI_Get_elements_x(&status, MPI_BYTE, &got);
  uint64_t want = 0;
  for (const auto& p : pieces) want += p.size();
  if (t.count() != 0 && static_cast<uint64_t>(got) != want) {
    throw Error(ErrorCode::kTruncated, "read",
                "Unexpected end of input (the file is shorter than expected)",
                offset + static_cast<uint64_t>(got));
  }
}

void CheckSharedSize(MPI_File file, uint64_t expected,
                     const std::string& path) {
  MPI_Offset size = 0;
  ThrowIfMpiError(MPI_File_get_size(file, &size), "stat");
  if (static_cast<uint64_t>(size) != expected) {
    throw Error(ErrorCode::kIo, "write",
                path + " has " + std::to_string(size) + " bytes here but " +
                    std::to_string(expected) +
                    " were written: is it on a file system all ranks share?");
  }
}

File::File(MPI_Comm comm, const std::string& path, int amode) {
  const int rc =
      MPI_File_open(comm, MpiPath(path).c_str(), amode, MPI_INFO_NULL, &file_);
  if (rc != MPI_SUCCESS) {
    file_ = MPI_FILE_NULL;
    throw Error(ErrorCode::kIo, "open", path + ": " + FileErrorText(rc));
  }
}

File::~File() {
  if (file_ != MPI_FILE_NULL) MPI_File_close(&file_);
}

void File::Close() { ThrowIfMpiError(MPI_File_close(&file_), "close"); }

uint64_t File::Size() const {
  MPI_Offset size = 0;
  ThrowIfMpiError(MPI_File_get_size(file_, &size), "stat");
  return static_cast<uint64_t>(size);
}

FewestCpus GatherFewestCpus(MPI_Comm comm, unsigned local) {
  struct {
    int value;
    int rank;
  } in{static_cast<int>(std::min<unsigned>(local, INT_MAX)), Rank(comm)}, out;
  MPI_Allreduce(&in, &out, 1, MPI_2INT, MPI_MINLOC, comm);
  return {static_cast<unsigned>(out.value), out.rank};
}

}  // namespace parxz::mpi
