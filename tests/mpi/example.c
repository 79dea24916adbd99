/* parxz_mpi from C: 4 ranks (any number works) write one .xz from their
 * uneven slabs, then each reads its own slab back and checks it.
 *   mpirun -np 4 example OUT.xz
 * Byte i of the whole data is (7 i + i / 13) mod 251, so that any program
 * (tests/mpi/examples_test.sh) can tell what the file must hold. */
#include <mpi.h>
#include <parxz_mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static unsigned char byte_at(uint64_t i) {
  return (unsigned char)((7 * i + i / 13) % 251);
}

int main(int argc, char **argv) {
  int rank, size, status = 0;
  MPI_Init(&argc, &argv);
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  if (argc != 2) {
    if (rank == 0) fprintf(stderr, "usage: %s OUT.xz\n", argv[0]);
    MPI_Finalize();
    return 2;
  }
  /* Uneven slabs: rank r holds 100000 + 37777 r bytes. */
  uint64_t start = 0;
  for (int r = 0; r < rank; ++r) start += 100000 + 37777 * (uint64_t)r;
  const size_t len = 100000 + 37777 * (size_t)rank;
  unsigned char *slab = malloc(len), *back = malloc(len);
  for (size_t i = 0; i < len; ++i) slab[i] = byte_at(start + i);

  parxz_mpi_options o;
  parxz_mpi_options_init(&o);
  o.preset = 6;
  o.block_size = 64 << 10; /* Blocks straddle the slabs */
  o.check = PARXZ_MPI_CHECK_SHA256;
  if (parxz_mpi_compress(MPI_COMM_WORLD, argv[1], slab, len, &o) !=
      PARXZ_MPI_OK) {
    fprintf(stderr, "rank %d: %s\n", rank, parxz_mpi_last_error_message());
    status = 1;
  }
  size_t got = 0;
  if (status == 0 && parxz_mpi_read(MPI_COMM_WORLD, argv[1], start, back, len,
                                    &got, 1) != PARXZ_MPI_OK) {
    fprintf(stderr, "rank %d: %s\n", rank, parxz_mpi_last_error_message());
    status = 1;
  }
  if (status == 0 && (got != len || memcmp(slab, back, len) != 0)) {
    fprintf(stderr, "rank %d: slab read back differs\n", rank);
    status = 1;
  }
  if (status == 0)
    printf("rank %d: %zu bytes written and read back\n", rank, len);
  free(slab);
  free(back);
  MPI_Finalize();
  return status;
}
