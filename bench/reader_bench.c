/* The C reader (parxz_reader.h): READS random ranges of LEN bytes from
 * FILE.xz on one reader, by CALLERS threads at once (read i goes to caller
 * i % CALLERS; the offsets depend only on the seed, so every configuration
 * reads the same ranges), with the reader's own THREADS and CACHE Blocks.
 * Prints "seconds bytes hash" (hash: order-independent, equal for equal
 * reads). bench/reader_bench.sh runs it.
 *
 * Usage: reader_bench FILE.xz CALLERS THREADS READS LEN [CACHE] */
#define _POSIX_C_SOURCE 200809L
#include <parxz.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

typedef struct {
  parxz_reader *r;
  const uint64_t *offsets;
  size_t first, step, count, len;
  uint64_t bytes, hash;
  int failed;
} caller_t;

static void *caller(void *arg) {
  caller_t *c = arg;
  unsigned char *buf = malloc(c->len ? c->len : 1);
  size_t i, k, got;
  for (i = c->first; i < c->count && buf; i += c->step) {
    uint64_t h = 1469598103934665603ull; /* FNV-1a of the range */
    if (parxz_reader_pread(c->r, buf, c->len, c->offsets[i], &got)) {
      fprintf(stderr, "read %zu: %s\n", i, parxz_last_error_message());
      c->failed = 1;
      break;
    }
    for (k = 0; k < got; k += 61) h = (h ^ buf[k]) * 1099511628211ull;
    c->bytes += got;
    c->hash += h;
  }
  free(buf);
  return NULL;
}

int main(int argc, char **argv) {
  parxz_reader_options o;
  parxz_reader *r;
  size_t callers, reads, len, i;
  uint64_t *offsets, size, seed = 12345, bytes = 0, hash = 0;
  pthread_t *t;
  caller_t *c;
  struct timespec t0, t1;
  int failed = 0;
  if (argc < 6) {
    fprintf(stderr, "usage: FILE.xz CALLERS THREADS READS LEN [CACHE]\n");
    return 2;
  }
  callers = strtoul(argv[2], NULL, 10);
  reads = strtoul(argv[4], NULL, 10);
  len = strtoul(argv[5], NULL, 10);
  if (callers == 0) return 2;
  parxz_reader_options_init(&o);
  o.threads = (uint32_t)strtoul(argv[3], NULL, 10);
  if (argc > 6) o.cache_blocks = strtoull(argv[6], NULL, 10);
  if (parxz_reader_open_file(argv[1], &o, &r) != PARXZ_OK) {
    fprintf(stderr, "%s\n", parxz_last_error_message());
    return 1;
  }
  size = parxz_reader_size(r);
  offsets = malloc((reads ? reads : 1) * sizeof *offsets);
  t = malloc(callers * sizeof *t);
  c = calloc(callers, sizeof *c);
  if (!offsets || !t || !c) return 1;
  for (i = 0; i < reads; ++i) { /* xorshift64 */
    seed ^= seed << 13, seed ^= seed >> 7, seed ^= seed << 17;
    offsets[i] = size > len ? seed % (size - len) : 0;
  }
  clock_gettime(CLOCK_MONOTONIC, &t0);
  for (i = 0; i < callers; ++i) {
    c[i].r = r, c[i].offsets = offsets, c[i].first = i, c[i].step = callers;
    c[i].count = reads, c[i].len = len;
    if (pthread_create(&t[i], NULL, caller, &c[i]) != 0) return 1;
  }
  for (i = 0; i < callers; ++i) {
    pthread_join(t[i], NULL);
    bytes += c[i].bytes, hash += c[i].hash, failed |= c[i].failed;
  }
  clock_gettime(CLOCK_MONOTONIC, &t1);
  parxz_reader_free(r);
  printf("%.3f %llu %016llx\n",
         (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9,
         (unsigned long long)bytes, (unsigned long long)hash);
  free(offsets), free(t), free(c);
  return failed;
}
