/* Random access from C: prints the Block table of FILE.xz, then reads its
 * data in slabs of SLAB bytes (default 1 MiB), slabs in reverse order and
 * with an OpenMP loop where compiled with -fopenmp (all threads on one
 * reader), and writes them in order to OUT. Build against an installed
 * parxz:
 *   cc -fopenmp reader_example.c $(pkg-config --cflags --libs parxz) */
#include <parxz.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char** argv) {
  parxz_reader_options o;
  parxz_reader* r;
  uint64_t size, slab = 1 << 20, b, slabs;
  long s;
  int failed = 0;
  unsigned char* data;
  FILE* out;
  if (argc < 3) return fprintf(stderr, "usage: FILE.xz OUT [SLAB]\n"), 2;
  if (argc > 3) slab = strtoull(argv[3], NULL, 10);
  if (slab == 0) return 2;
  parxz_reader_options_init(&o); /* threads 1: each read on its caller */
  if (parxz_reader_open_file(argv[1], &o, &r) != PARXZ_OK) {
    fprintf(stderr, "%s\n", parxz_last_error_message());
    return 1;
  }
  size = parxz_reader_size(r);
  printf("%s: %llu bytes in %u Streams, %llu Blocks\n", argv[1],
         (unsigned long long)size, parxz_reader_stream_count(r),
         (unsigned long long)parxz_reader_block_count(r));
  for (b = 0; b < parxz_reader_block_count(r); ++b) {
    parxz_block_info i;
    parxz_reader_block_info(r, b, &i);
    printf("  Stream %u Block %llu: %llu bytes at %llu, %llu compressed\n",
           i.stream, (unsigned long long)i.number_in_stream,
           (unsigned long long)i.uncompressed_size,
           (unsigned long long)i.uncompressed_offset,
           (unsigned long long)i.total_size);
  }
  data = malloc(size ? (size_t)size : 1);
  if (data == NULL) return 1;
  slabs = (size + slab - 1) / slab;
#ifdef _OPENMP
#pragma omp parallel for schedule(dynamic) reduction(| : failed)
#endif
  for (s = (long)slabs - 1; s >= 0; --s) {
    size_t got;
    uint64_t at = (uint64_t)s * slab;
    size_t n = (size_t)(size - at < slab ? size - at : slab);
    if (parxz_reader_pread(r, data + at, n, at, &got) != PARXZ_OK || got != n) {
      fprintf(stderr, "slab %ld: %s\n", s, parxz_last_error_message());
      failed = 1;
    }
  }
  parxz_reader_free(r);
  out = fopen(argv[2], "wb");
  if (failed || !out || fwrite(data, 1, (size_t)size, out) != size ||
      fclose(out) != 0)
    return 1;
  free(data);
  return 0;
}
