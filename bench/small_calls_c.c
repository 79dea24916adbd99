/* The C API's one-shot calls on small inputs (issue 23 item 2): per-call
 * cost of parxz_decompress_buffer and parxz_compress_buffer with threads=1
 * against threads=2, beside liblzma's own one-shot calls (the "stock" cost:
 * lzma_stream_buffer_decode, lzma_easy_buffer_encode), for inputs of 4 KiB,
 * 64 KiB and 1 MiB cut from FILE. Rounds are interleaved (each variant
 * once per round) and the medians printed, with the threads=2 / threads=1
 * ratio (the bar: at most 1.10).
 *
 * Usage: small_calls_c FILE [ROUNDS] [SECONDS_PER_CASE]   (defaults 7 0.2)
 *
 * Decoding input: what parxz_compress_buffer writes with threads=2 (one
 * Block that records its sizes) for the same bytes. Compression: threads=1
 * and threads=2 write the same bytes (the Block-parallel .xz format); the
 * program checks that too. */
#define _POSIX_C_SOURCE 199309L /* clock_gettime */
#include <lzma.h>
#include <parxz.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { kMaxRounds = 64, kVariants = 6 };

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp(const void* a, const void* b) {
  const double x = *(const double*)a, y = *(const double*)b;
  return x < y ? -1 : x > y;
}

static double median(double* v, int n) {
  qsort(v, (size_t)n, sizeof *v, cmp);
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static void die(const char* what, int rc) {
  fprintf(stderr, "small_calls_c: %s failed (%d)\n", what, rc);
  exit(1);
}

/* Inputs of one case. */
static const uint8_t* plain;
static size_t plain_len;
static uint8_t *xz, *out;
static size_t xz_len, out_cap;

/* One call of variant v; returns nonzero on error. */
static int call(int v) {
  size_t n = 0, in_pos = 0, out_pos = 0;
  uint64_t memlimit = UINT64_MAX;
  parxz_decompress_options d;
  parxz_compress_options c;
  switch (v) {
    case 0: /* liblzma one-shot decode */
      return lzma_stream_buffer_decode(&memlimit, 0, NULL, xz, &in_pos, xz_len,
                                       out, &out_pos, out_cap) != LZMA_OK;
    case 1:
    case 2:
      parxz_decompress_options_init(&d);
      d.threads = v == 1 ? 1 : 2;
      return parxz_decompress_buffer(&d, xz, xz_len, out, out_cap, &n);
    case 3: /* liblzma one-shot encode, preset 6 */
      return lzma_easy_buffer_encode(6, LZMA_CHECK_CRC64, NULL, plain,
                                     plain_len, out, &out_pos,
                                     out_cap) != LZMA_OK;
    default:
      parxz_compress_options_init(&c);
      c.threads = v == 4 ? 1 : 2;
      return parxz_compress_buffer(&c, plain, plain_len, out, out_cap, &n);
  }
}

static const char* const kNames[kVariants] = {
    "decode liblzma", "decode threads=1", "decode threads=2",
    "encode liblzma", "encode threads=1", "encode threads=2"};

int main(int argc, char** argv) {
  static const size_t kSizes[] = {4 << 10, 64 << 10, 1 << 20};
  static double times[kVariants][kMaxRounds];
  FILE* f;
  uint8_t* data;
  size_t got;
  int rounds = 7;
  double seconds = 0.2;
  if (argc < 2) {
    fprintf(stderr, "usage: small_calls_c FILE [ROUNDS] [SECONDS_PER_CASE]\n");
    return 2;
  }
  if (argc > 2) rounds = atoi(argv[2]);
  if (argc > 3) seconds = atof(argv[3]);
  if (rounds < 1 || rounds > kMaxRounds) rounds = 7;
  data = malloc(1 << 20);
  f = fopen(argv[1], "rb");
  if (data == NULL || f == NULL) die("open", 0);
  got = fread(data, 1, 1 << 20, f);
  fclose(f);
  out_cap = 4 << 20;
  out = malloc(out_cap);
  xz = malloc(out_cap);
  printf("%-18s %10s  per call, median of %d rounds\n", "case", "bytes",
         rounds);
  for (size_t s = 0; s < sizeof kSizes / sizeof *kSizes; ++s) {
    parxz_compress_options c;
    size_t n1 = 0;
    int rc;
    plain = data;
    plain_len = kSizes[s] < got ? kSizes[s] : got;
    parxz_compress_options_init(&c);
    c.threads = 2;
    if ((rc = parxz_compress_buffer(&c, plain, plain_len, xz, out_cap,
                                    &xz_len)) != 0)
      die("parxz_compress_buffer", rc);
    c.threads = 1;
    if ((rc = parxz_compress_buffer(&c, plain, plain_len, out, out_cap, &n1)) !=
        0)
      die("parxz_compress_buffer", rc);
    if (n1 != xz_len || memcmp(out, xz, n1) != 0) {
      fprintf(stderr, "small_calls_c: threads=1 and 2 differ\n");
      return 1;
    }
    for (int r = 0; r < rounds; ++r) {
      for (int v = 0; v < kVariants; ++v) {
        long calls = 0;
        const double t0 = now();
        double t;
        do {
          if (call(v) != 0) die(kNames[v], v);
          ++calls;
        } while ((t = now() - t0) < seconds);
        times[v][r] = t / (double)calls;
      }
    }
    for (int v = 0; v < kVariants; ++v) {
      printf("%-18s %10zu  %10.1f us\n", kNames[v], plain_len,
             median(times[v], rounds) * 1e6);
    }
    printf("%-18s %10zu  decode %.3f  encode %.3f  (threads=2 / threads=1)\n",
           "ratio", plain_len,
           median(times[2], rounds) / median(times[1], rounds),
           median(times[5], rounds) / median(times[4], rounds));
  }
  return 0;
}
