// The C API of libparxz_mpi (parxz_mpi.h) over mpi/'s C++ calls. Each entry
// point turns what it throws into a code and a thread-local message; the
// collective calls already made every rank throw the same Error.
#include <cstdio>
#include <exception>
#include <new>
#include <span>
#include <string>

#include "core/error.h"
#include "mpi/collective_compress.h"
#include "mpi/collective_read.h"
#include "parallel/common/threads.h"
#include "parxz_mpi.h"

namespace {

thread_local char g_message[512];

template <typename Body>
int Guard(const char* op, Body&& body) noexcept {
  try {
    body();
    return PARXZ_MPI_OK;
  } catch (const parxz::Error& e) {
    std::snprintf(g_message, sizeof g_message, "%s", e.what());
    return static_cast<int>(e.code());
  } catch (const std::bad_alloc&) {
    std::snprintf(g_message, sizeof g_message, "%s failed: out of memory", op);
    return PARXZ_MPI_E_OUT_OF_MEMORY;
  } catch (const std::exception& e) {
    std::snprintf(g_message, sizeof g_message, "%s failed: internal error: %s",
                  op, e.what());
    return PARXZ_MPI_E_INTERNAL;
  } catch (...) {
    std::snprintf(g_message, sizeof g_message, "%s failed: internal error", op);
    return PARXZ_MPI_E_INTERNAL;
  }
}

// A NULL pointer argument is the same mistake on every rank (all pass the
// same path): refused before any collective, with no MPI call to hang in.
void Require(bool ok, const char* what) {
  if (!ok) throw parxz::Error(parxz::ErrorCode::kBadOptions, "parxz_mpi", what);
}

parxz::ParallelOptions ToOptions(const parxz_mpi_options* c) {
  parxz_mpi_options d;
  parxz_mpi_options_init(&d);
  if (c == nullptr) c = &d;
  parxz::ParallelOptions o;
  o.preset = c->preset & ~PARXZ_MPI_PRESET_EXTREME;
  o.extreme = (c->preset & PARXZ_MPI_PRESET_EXTREME) != 0;
  o.check = static_cast<parxz::Check>(c->check);
  o.threads = c->threads;
  o.block_size = c->block_size;
  return o;
}

}  // namespace

extern "C" {

void parxz_mpi_options_init(parxz_mpi_options* options) {
  if (options == nullptr) return;
  options->preset = 6;
  options->check = PARXZ_MPI_CHECK_CRC64;
  options->threads = 1;
  options->block_size = 0;
}

int parxz_mpi_compress(MPI_Comm comm, const char* path, const void* data,
                       size_t size, const parxz_mpi_options* options) {
  return Guard("parxz_mpi_compress", [&] {
    Require(path != nullptr, "path is NULL");
    Require(data != nullptr || size == 0, "data is NULL");
    parxz::mpi::CompressCollective(comm,
                                   {static_cast<const uint8_t*>(data), size},
                                   path, ToOptions(options));
  });
}

int parxz_mpi_uncompressed_size(MPI_Comm comm, const char* path,
                                uint64_t* size) {
  return Guard("parxz_mpi_uncompressed_size", [&] {
    Require(path != nullptr && size != nullptr, "path or size is NULL");
    *size = parxz::mpi::UncompressedSizeCollective(comm, path);
  });
}

int parxz_mpi_read(MPI_Comm comm, const char* path, uint64_t offset, void* out,
                   size_t size, size_t* got, uint32_t threads) {
  return Guard("parxz_mpi_read", [&] {
    Require(path != nullptr && got != nullptr, "path or got is NULL");
    Require(out != nullptr || size == 0, "out is NULL");
    *got = 0;
    *got = static_cast<size_t>(parxz::mpi::ReadRangeCollective(
        comm, path, offset, {static_cast<uint8_t*>(out), size}, threads));
  });
}

uint32_t parxz_mpi_resolve_threads(uint32_t threads, uint32_t* cpus) {
  const parxz::ThreadPlan plan = parxz::PlanThreads(threads);  // noexcept
  if (cpus != nullptr) *cpus = plan.cpus.cpus;
  return plan.threads;
}

const char* parxz_mpi_last_error_message(void) { return g_message; }

int parxz_mpi_compress_f(MPI_Fint comm, const char* path, const void* data,
                         size_t size, const parxz_mpi_options* options) {
  return parxz_mpi_compress(MPI_Comm_f2c(comm), path, data, size, options);
}

int parxz_mpi_read_f(MPI_Fint comm, const char* path, uint64_t offset,
                     void* out, size_t size, size_t* got, uint32_t threads) {
  return parxz_mpi_read(MPI_Comm_f2c(comm), path, offset, out, size, got,
                        threads);
}

}  // extern "C"
