/* parxz_mpi: many MPI ranks write and read ONE standard .xz file together
 * (C99; Fortran through ISO_C_BINDING with the *_f forms, which take the
 * Fortran communicator handle). Separate from libparxz: programs without MPI
 * keep using <parxz.h> and libparxz alone.
 *
 *   parxz_mpi_options o;
 *   parxz_mpi_options_init(&o);            // -6, CRC64, 1 thread per rank
 *   o.block_size = 4 << 20;
 *   if (parxz_mpi_compress(MPI_COMM_WORLD, "ckpt.xz", slab, slab_len, &o)
 *       != PARXZ_MPI_OK)
 *     fprintf(stderr, "%s\n", parxz_mpi_last_error_message());
 *   ...
 *   size_t got;
 *   parxz_mpi_read(MPI_COMM_WORLD, "ckpt.xz", my_offset, slab, slab_len,
 *                  &got, 1);
 *
 * - Every call is collective over `comm`: all ranks call it, with the same
 *   path and options. MPI must be initialised; the library calls MPI only
 *   from the calling thread (MPI_THREAD_SINGLE is enough).
 * - The file holds the concatenation of every rank's buffer in rank order.
 *   Its bytes equal what single-node parxz and `xz -T2 --block-size=B` write
 *   for that concatenation with the same preset, check and block size, for
 *   any decomposition (ranks may pass 0 bytes, or less than a Block).
 * - On failure every rank returns the same code (those of parxz.h:
 *   PARXZ_MPI_E_* equal PARXZ_E_*) and the same message (the lowest failing
 *   rank's), and no file is left under `path`. Success means every rank
 *   succeeded and the file is synced.
 * - Messages live in a thread-local buffer, valid until the next failing
 *   call of this thread. No C++ exception leaves the library.
 */
#ifndef PARXZ_MPI_H_
#define PARXZ_MPI_H_

#include <mpi.h>
#include <stddef.h>
#include <stdint.h>

#if defined(__GNUC__)
#define PARXZ_MPI_API __attribute__((visibility("default")))
#else
#define PARXZ_MPI_API
#endif

#ifdef __cplusplus
extern "C" {
#endif

enum {
  PARXZ_MPI_OK = 0,
  PARXZ_MPI_E_CORRUPT_DATA = 1,
  PARXZ_MPI_E_TRUNCATED = 2,
  PARXZ_MPI_E_UNSUPPORTED = 3,
  PARXZ_MPI_E_MEMLIMIT = 4,
  PARXZ_MPI_E_OUT_OF_MEMORY = 5,
  PARXZ_MPI_E_BAD_OPTIONS = 6,
  PARXZ_MPI_E_MISUSE = 7,
  PARXZ_MPI_E_END_OF_STREAM = 8,
  PARXZ_MPI_E_IO = 9,
  PARXZ_MPI_E_INTERNAL = 10,
  PARXZ_MPI_E_CANCELLED = 11
};

/* Checks: liblzma's (and parxz.h's) numbers. */
enum {
  PARXZ_MPI_CHECK_NONE = 0,
  PARXZ_MPI_CHECK_CRC32 = 1,
  PARXZ_MPI_CHECK_CRC64 = 4,
  PARXZ_MPI_CHECK_SHA256 = 10
};

#define PARXZ_MPI_PRESET_EXTREME UINT32_C(0x80000000)

typedef struct parxz_mpi_options {
  uint32_t preset;     /* 0..9, may carry PARXZ_MPI_PRESET_EXTREME; 6 */
  int check;           /* PARXZ_MPI_CHECK_*; CRC64 */
  uint32_t threads;    /* compression threads per rank; 1; 0 = the CPUs
                          the rank may run on (parxz_mpi_resolve_threads) */
  uint64_t block_size; /* bytes per Block; 0 = max(3 x dict_size, 1 MiB) */
} parxz_mpi_options;

/* Fills in the defaults written next to each field. */
PARXZ_MPI_API void parxz_mpi_options_init(parxz_mpi_options *options);

/* Collective: writes `path` from every rank's `size` bytes at `data` (NULL
 * with size 0 is fine). options NULL: the defaults. An existing file is
 * replaced. */
PARXZ_MPI_API int parxz_mpi_compress(MPI_Comm comm, const char *path,
                                     const void *data, size_t size,
                                     const parxz_mpi_options *options);

/* Collective: the uncompressed size of the .xz file at `path` (rank 0 reads
 * its Index and broadcasts it). */
PARXZ_MPI_API int parxz_mpi_uncompressed_size(MPI_Comm comm, const char *path,
                                              uint64_t *size);

/* Collective: this rank's bytes [offset, offset + size) of the uncompressed
 * data into `out`; *got says how many exist (fewer past the end). Only the
 * Blocks the range touches are read and decoded, on `threads` threads
 * (0 = all cores). */
PARXZ_MPI_API int parxz_mpi_read(MPI_Comm comm, const char *path,
                                 uint64_t offset, void *out, size_t size,
                                 size_t *got, uint32_t threads);

/* Not collective: the threads a call of this rank given `threads` uses (0:
 * the CPUs this rank may run on, its CPU affinity mask, which mpirun's
 * binding sets, and its cgroup CPU quota, at least 1; N: N, also beyond
 * them), and in *cpus (when not NULL) those CPUs, for the application to
 * log. Under Open MPI's default binding (a core per rank for 1 or 2 ranks,
 * a socket above) threads > *cpus means the threads share the rank's CPUs:
 * `mpirun --map-by slot:PE=N` gives each rank N cores. */
PARXZ_MPI_API uint32_t parxz_mpi_resolve_threads(uint32_t threads,
                                                 uint32_t *cpus);

/* The message of this thread's last failed call; "" if none. */
PARXZ_MPI_API const char *parxz_mpi_last_error_message(void);

/* Fortran forms: the communicator as Fortran's INTEGER handle. */
PARXZ_MPI_API int parxz_mpi_compress_f(MPI_Fint comm, const char *path,
                                       const void *data, size_t size,
                                       const parxz_mpi_options *options);
PARXZ_MPI_API int parxz_mpi_read_f(MPI_Fint comm, const char *path,
                                   uint64_t offset, void *out, size_t size,
                                   size_t *got, uint32_t threads);

#ifdef __cplusplus
}
#endif

#endif /* PARXZ_MPI_H_ */
