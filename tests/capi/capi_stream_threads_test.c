/* The streaming decompressor with threads 1, 2 and 0 (all cores): the same
 * bytes, end, unused data, check and error codes, call by call limits, and
 * the input's own bytes as the reference (compressed here by the library,
 * multi-Block with sizes in the headers, so threads != 1 decodes ahead). */
#include <parxz.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { kSize = 1500000 };

static unsigned char g_plain[kSize];
static unsigned char *g_xz;
static size_t g_xz_len;
static int g_failures;

#define CHECK(cond)                                                 \
  do {                                                              \
    if (!(cond)) {                                                  \
      fprintf(stderr, "%s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, \
              #cond);                                               \
      ++g_failures;                                                 \
    }                                                               \
  } while (0)

typedef struct {
  int rc;          /* PARXZ_OK or the error */
  int eof;
  int needs_input; /* at the end */
  int check;
  size_t out_len;
  unsigned char *out;
  size_t unused_len; /* unused_data + input never given */
} result;

static uint64_t g_rng = 88172645463325252ull;
static uint64_t next_rand(void) {
  g_rng ^= g_rng << 13;
  g_rng ^= g_rng >> 7;
  g_rng ^= g_rng << 17;
  return g_rng;
}

/* Reader loop as CPython's: input (chunk bytes) only when needs_input, else
 * in_len 0; max_length per call from `max_len` (0: random 1..100000). */
static result stream(const unsigned char *in, size_t in_len, unsigned threads,
                     size_t chunk, size_t max_len) {
  result r;
  parxz_decompress_options o;
  parxz_decompressor *d = NULL;
  size_t pos = 0, cap = kSize + 100;
  unsigned char *buf = malloc(100001);
  memset(&r, 0, sizeof r);
  r.out = malloc(cap);
  parxz_decompress_options_init(&o);
  o.threads = threads;
  CHECK(parxz_decompressor_new(&o, &d) == PARXZ_OK);
  while (!parxz_decompressor_eof(d)) {
    size_t n = 0, got = 0, want = max_len ? max_len : 1 + next_rand() % 100000;
    const unsigned char *p = NULL;
    if (parxz_decompressor_needs_input(d)) {
      if (pos == in_len) break; /* truncated: EOF as a reader sees it */
      n = in_len - pos < chunk ? in_len - pos : chunk;
      p = in + pos;
      pos += n;
    }
    r.rc = parxz_decompressor_decompress(d, p, n, buf, want, &got);
    if (r.rc != PARXZ_OK) {
      size_t again = 0;
      /* Errors stick. */
      CHECK(parxz_decompressor_decompress(d, NULL, 0, buf, 1, &again) ==
            r.rc);
      CHECK(strlen(parxz_decompressor_error_message(d)) > 0);
      break;
    }
    CHECK(got <= want);
    CHECK(r.out_len + got <= cap);
    if (r.out_len + got > cap) break;
    memcpy(r.out + r.out_len, buf, got);
    r.out_len += got;
    CHECK(parxz_decompressor_total_out(d) == r.out_len);
  }
  r.eof = parxz_decompressor_eof(d);
  r.needs_input = parxz_decompressor_needs_input(d);
  r.check = parxz_decompressor_check(d);
  if (r.eof) {
    size_t u = 0;
    parxz_decompressor_unused_data(d, &u);
    r.unused_len = u + (in_len - pos);
    CHECK(parxz_decompressor_total_in(d) + r.unused_len == in_len);
  }
  parxz_decompressor_free(d);
  free(buf);
  return r;
}

static void same(const result *a, const result *b) {
  CHECK(a->rc == b->rc);
  CHECK(a->eof == b->eof);
  CHECK(a->check == b->check);
  if (a->rc == PARXZ_OK && a->eof) {
    CHECK(a->out_len == b->out_len);
    CHECK(a->out_len == b->out_len &&
          memcmp(a->out, b->out, a->out_len) == 0);
    CHECK(a->unused_len == b->unused_len);
  }
}

/* A threaded result's bytes are a prefix of the original data. */
static void prefix_of_plain(const result *r) {
  CHECK(r->out_len <= kSize && memcmp(r->out, g_plain, r->out_len) == 0);
}

int main(void) {
  static const unsigned kThreads[3] = {1, 2, 0};
  static const size_t kChunks[4] = {1000, 4096, 65536, 1 << 20};
  static const size_t kMax[4] = {1, 5000, 65536, 0};
  parxz_compress_options c;
  unsigned char *work;
  size_t i, j, k;
  result ref, r;

  for (i = 0; i < kSize; ++i)
    g_plain[i] = (unsigned char)((i % 251) ^ (next_rand() % 4 == 0 ? i >> 8 : 0));
  parxz_compress_options_init(&c);
  c.threads = 2;
  c.preset = 1;
  c.block_size = 100000;
  g_xz = malloc(kSize * 2);
  CHECK(parxz_compress_buffer(&c, g_plain, kSize, g_xz, kSize * 2,
                              &g_xz_len) == PARXZ_OK);
  work = malloc(g_xz_len + 16);

  /* Whole streams, every chunking and output limit, with trailing bytes. */
  memcpy(work, g_xz, g_xz_len);
  memcpy(work + g_xz_len, "trailing", 8);
  for (j = 0; j < 4; ++j) {
    for (k = 0; k < 4; ++k) {
      if (kMax[k] == 1 && kChunks[j] > 4096) continue; /* too slow */
      ref = stream(work, g_xz_len + 8, 1, kChunks[j], kMax[k]);
      CHECK(ref.rc == PARXZ_OK && ref.eof && ref.out_len == kSize);
      CHECK(ref.unused_len == 8);
      CHECK(ref.check == PARXZ_CHECK_CRC64);
      for (i = 1; i < 3; ++i) {
        r = stream(work, g_xz_len + 8, kThreads[i], kChunks[j], kMax[k]);
        same(&ref, &r);
        prefix_of_plain(&r);
        free(r.out);
      }
      free(ref.out);
    }
  }

  /* Bit flips: the same error code, and every byte the sequential decoder
   * returned before it (the bad Block's decoded part included, whatever it
   * decoded to), in the same order: the threaded output holds the
   * sequential one, which drops the failing call's output. */
  for (i = 0; i < 40; ++i) {
    size_t at = (size_t)(next_rand() % g_xz_len);
    memcpy(work, g_xz, g_xz_len);
    work[at] ^= (unsigned char)(1u << (i % 8));
    ref = stream(work, g_xz_len, 1, 65536, 65536);
    for (j = 1; j < 3; ++j) {
      r = stream(work, g_xz_len, kThreads[j], 65536, 65536);
      CHECK(r.rc == ref.rc);
      CHECK(r.eof == ref.eof);
      if (ref.rc != PARXZ_OK) {
        CHECK(r.out_len >= ref.out_len);
        CHECK(memcmp(r.out, ref.out,
                     r.out_len < ref.out_len ? r.out_len : ref.out_len) == 0);
      }
      free(r.out);
    }
    free(ref.out);
  }

  /* Truncation: no error, no end; a prefix of the data. */
  for (i = 0; i < 10; ++i) {
    size_t cut = (size_t)(next_rand() % g_xz_len);
    r = stream(g_xz, cut, 2, 65536, 65536);
    CHECK(r.rc == PARXZ_OK && !r.eof && r.needs_input);
    prefix_of_plain(&r);
    free(r.out);
  }

  /* A stream that is not .xz (raw bytes): the same error with any threads. */
  ref = stream(g_plain, 1000, 1, 100, 100);
  r = stream(g_plain, 1000, 2, 100, 100);
  CHECK(ref.rc != PARXZ_OK && ref.rc == r.rc);
  free(ref.out);
  free(r.out);

  free(work);
  free(g_xz);
  if (g_failures) {
    fprintf(stderr, "%d failures\n", g_failures);
    return 1;
  }
  printf("ok\n");
  return 0;
}
