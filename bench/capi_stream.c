/* The C API's streaming decompressor fed as a reader feeds it: PIECE bytes
 * of input whenever it asks for input (CPython's DecompressReader pattern),
 * output taken OUT bytes per call. Prints wall seconds, the output size and
 * a checksum of the output (so that runs with different thread counts can be
 * compared) on one line.
 *
 * Usage: capi_stream FILE.xz THREADS [PIECE] [OUT]   (defaults 65536 65536)
 */
#define _POSIX_C_SOURCE 199309L /* clock_gettime */
#include <parxz.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
  FILE *f;
  long size;
  unsigned char *in, *out;
  size_t piece = 65536, cap = 65536, pos = 0, got = 0;
  uint64_t total = 0, s1 = 1, s2 = 0;
  parxz_decompress_options o;
  parxz_decompressor *d = NULL;
  double t0;
  int rc;
  if (argc < 3) {
    fprintf(stderr, "usage: capi_stream FILE.xz THREADS [PIECE] [OUT]\n");
    return 2;
  }
  if (argc > 3) piece = (size_t)strtoull(argv[3], NULL, 10);
  if (argc > 4) cap = (size_t)strtoull(argv[4], NULL, 10);
  f = fopen(argv[1], "rb");
  if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0) {
    perror(argv[1]);
    return 1;
  }
  rewind(f);
  in = malloc((size_t)size + 1);
  out = malloc(cap);
  if (in == NULL || out == NULL ||
      fread(in, 1, (size_t)size, f) != (size_t)size) {
    perror("read");
    return 1;
  }
  fclose(f);
  parxz_decompress_options_init(&o);
  o.threads = (uint32_t)strtoul(argv[2], NULL, 10);
  t0 = now();
  if (parxz_decompressor_new(&o, &d) != PARXZ_OK) return 1;
  while (!parxz_decompressor_eof(d)) {
    size_t n = 0, i;
    const unsigned char *p = NULL;
    if (parxz_decompressor_needs_input(d)) {
      if (pos == (size_t)size) {
        fprintf(stderr, "truncated input\n");
        return 1;
      }
      n = (size_t)size - pos < piece ? (size_t)size - pos : piece;
      p = in + pos;
      pos += n;
    }
    rc = parxz_decompressor_decompress(d, p, n, out, cap, &got);
    if (rc != PARXZ_OK) {
      fprintf(stderr, "%s\n", parxz_decompressor_error_message(d));
      return 1;
    }
    /* Fletcher-style sums: position-dependent, independent of how the
     * output was split into calls, cheap next to decoding. */
    for (i = 0; i < got; ++i) {
      s1 += out[i];
      s2 += s1;
    }
    total += got;
  }
  parxz_decompressor_free(d);
  printf("%.3f %llu %016llx\n", now() - t0, (unsigned long long)total,
         (unsigned long long)(s2 ^ (s1 << 32)));
  free(in);
  free(out);
  return 0;
}
