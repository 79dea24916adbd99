/* parxz_mpi.h's error paths from C, on every rank: each failing call returns
 * the same code on all ranks with a message, and leaves no file.
 *   mpirun -np N c_api_test DIR */
#include <mpi.h>
#include <parxz_mpi.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

static int rank, failures;

static void expect(int ok, const char *what) {
  if (!ok) {
    fprintf(stderr, "rank %d: FAIL: %s (%s)\n", rank, what,
            parxz_mpi_last_error_message());
    ++failures;
  }
}

static int exists(const char *path) {
  struct stat st;
  return stat(path, &st) == 0;
}

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  char path[4096], nowhere[4096];
  snprintf(path, sizeof path, "%s/c.xz", argc > 1 ? argv[1] : ".");
  snprintf(nowhere, sizeof nowhere, "%s/no-such-dir/c.xz",
           argc > 1 ? argv[1] : ".");
  unsigned char data[3000];
  for (size_t i = 0; i < sizeof data; ++i) data[i] = (unsigned char)(i % 7);

  parxz_mpi_options o;
  parxz_mpi_options_init(&o);
  expect(o.preset == 6 && o.check == PARXZ_MPI_CHECK_CRC64 && o.threads == 1 &&
             o.block_size == 0,
         "defaults");

  /* Not collective; here unbound (run_mpi.sh: --bind-to none). */
  uint32_t cpus = 0;
  const uint32_t threads = parxz_mpi_resolve_threads(0, &cpus);
  expect(threads >= 1 && threads == cpus, "resolve 0: the rank's CPUs");
  expect(parxz_mpi_resolve_threads(cpus + 2, NULL) == cpus + 2,
         "resolve N: N, also beyond the CPUs");

  o.check = 99; /* not a check */
  expect(parxz_mpi_compress(MPI_COMM_WORLD, path, data, sizeof data, &o) ==
             PARXZ_MPI_E_BAD_OPTIONS,
         "bad check");
  expect(strlen(parxz_mpi_last_error_message()) > 0, "bad check: message");
  MPI_Barrier(MPI_COMM_WORLD);
  expect(!exists(path), "bad check: no file");

  parxz_mpi_options_init(&o);
  o.preset = 0;
  o.block_size = 1000;
  expect(parxz_mpi_compress(MPI_COMM_WORLD, nowhere, data, sizeof data, &o) ==
             PARXZ_MPI_E_IO,
         "unwritable");
  expect(strstr(parxz_mpi_last_error_message(), "No such file") != NULL,
         "unwritable: message");

  expect(parxz_mpi_compress(MPI_COMM_WORLD, path, data, sizeof data, &o) ==
             PARXZ_MPI_OK,
         "compress");
  int ranks;
  MPI_Comm_size(MPI_COMM_WORLD, &ranks);
  uint64_t total = 0;
  expect(parxz_mpi_uncompressed_size(MPI_COMM_WORLD, path, &total) ==
                 PARXZ_MPI_OK &&
             total == sizeof data * (uint64_t)ranks,
         "uncompressed size");
  unsigned char back[100];
  size_t got = 99;
  expect(parxz_mpi_read(MPI_COMM_WORLD, path, total + 1, back, sizeof back,
                        &got, 2) == PARXZ_MPI_OK &&
             got == 0,
         "read past the end");
  expect(parxz_mpi_read(MPI_COMM_WORLD, path, 2990, back, 20, &got, 2) ==
                 PARXZ_MPI_OK &&
             got == (ranks > 1 ? 20u : 10u) && back[0] == 2990 % 7 &&
             back[9] == 2999 % 7,
         "read across slabs");
  expect(parxz_mpi_read(MPI_COMM_WORLD, nowhere, 0, back, 10, &got, 1) ==
             PARXZ_MPI_E_IO,
         "read a missing file");
  expect(parxz_mpi_read(MPI_COMM_WORLD, NULL, 0, back, 10, &got, 1) ==
             PARXZ_MPI_E_BAD_OPTIONS,
         "NULL path");
  int all = 0;
  MPI_Allreduce(&failures, &all, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
  if (rank == 0) printf("C API error paths: %d failed checks\n", all);
  MPI_Finalize();
  return failures != 0;
}
