/* Shared by the C reader's tests (capi_reader_test.c,
 * capi_reader_errors_test.c): files, `xz -dc`, test data, a memory
 * callback, and a CHECK that counts failures. C99 + POSIX; each test is one
 * translation unit, so the helpers are static. */
#ifndef PARXZ_TESTS_CAPI_CAPI_READER_UTIL_H_
#define PARXZ_TESTS_CAPI_CAPI_READER_UTIL_H_

#include <parxz.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures = 0;
#define CHECK(cond, ...)                                                       \
  do {                                                                         \
    if (!(cond)) {                                                             \
      ++failures;                                                              \
      fprintf(stderr, "%s:%d: CHECK(%s) failed: ", __FILE__, __LINE__, #cond); \
      fprintf(stderr, __VA_ARGS__);                                            \
      fprintf(stderr, " [last error: %s]\n", parxz_last_error_message());      \
      if (failures > 20) exit(1);                                              \
    }                                                                          \
  } while (0)

typedef struct {
  unsigned char* data;
  size_t len;
} buf_t;

static inline unsigned rnd(
    unsigned* s) { /* a small LCG; the tests' own numbers */
  *s = *s * 1103515245u + 12345u;
  return (*s >> 4) ^ (*s << 11);
}

static inline const char* tmpdir(void) {
  const char* d = getenv("TEST_TMPDIR");
  return d && *d ? d : "/tmp";
}

static inline void must_run(const char* cmd) {
  if (system(cmd) != 0) {
    fprintf(stderr, "command failed: %s\n", cmd);
    exit(1);
  }
}

static inline buf_t read_stream(FILE* f) {
  buf_t b = {NULL, 0};
  size_t cap = 0, n;
  for (;;) {
    if (b.len == cap) {
      cap = cap ? 2 * cap : 1 << 20;
      b.data = realloc(b.data, cap);
      if (!b.data) exit(1);
    }
    n = fread(b.data + b.len, 1, cap - b.len, f);
    if (n == 0) break;
    b.len += n;
  }
  return b;
}

static inline buf_t read_file(const char* path) {
  FILE* f = fopen(path, "rb");
  buf_t b;
  if (!f) {
    fprintf(stderr, "cannot open %s\n", path);
    exit(1);
  }
  b = read_stream(f);
  fclose(f);
  return b;
}

static inline void write_file(const char* path, const void* p, size_t n) {
  FILE* f = fopen(path, "wb");
  if (!f || fwrite(p, 1, n, f) != n || fclose(f) != 0) {
    fprintf(stderr, "cannot write %s\n", path);
    exit(1);
  }
}

/* What the xz program decodes from `path` (the independent reference). */
static inline buf_t xz_dc(const char* path) {
  char cmd[1024];
  FILE* p;
  buf_t b;
  snprintf(cmd, sizeof cmd, "xz -dc '%s'", path);
  p = popen(cmd, "r");
  if (!p) exit(1);
  b = read_stream(p);
  if (pclose(p) != 0) {
    fprintf(stderr, "%s failed\n", cmd);
    exit(1);
  }
  return b;
}

/* Text-like runs and random bytes mixed, so that Blocks differ in ratio. */
static inline void write_test_data(const char* path, size_t n) {
  static const char* const words[] = {"slab ", "rank ",  "halo ",
                                      "xz ",   "block ", "field "};
  unsigned char* d = malloc(n);
  unsigned s = 42;
  size_t i = 0;
  while (i < n) {
    if ((i / 50000) % 3 == 2) {
      d[i++] = (unsigned char)rnd(&s);
    } else {
      const char* w = words[rnd(&s) % 6];
      while (*w && i < n) d[i++] = (unsigned char)*w++;
    }
  }
  write_file(path, d, n);
  free(d);
}

/* DIR/parxz.xz: `plain` compressed by parxz's own C API (2 threads, 150 kB
 * Blocks). */
static inline void make_parxz(const char* dir, const char* plain) {
  buf_t in = read_file(plain);
  parxz_compress_options o;
  size_t cap, n;
  unsigned char* xz;
  char path[512];
  parxz_compress_options_init(&o);
  o.threads = 2;
  o.block_size = 150000;
  o.preset = 1;
  cap = parxz_compress_bound(in.len, &o);
  xz = malloc(cap);
  if (!xz ||
      parxz_compress_buffer(&o, in.data, in.len, xz, cap, &n) != PARXZ_OK)
    exit(1);
  snprintf(path, sizeof path, "%s/parxz.xz", dir);
  write_file(path, xz, n);
  free(xz);
  free(in.data);
}

/* A parxz_read_fn over a buf_t in memory. */
static inline size_t buf_read(void* opaque, uint64_t offset, void* dst,
                              size_t n) {
  const buf_t* b = opaque;
  if (offset >= b->len) return 0;
  if (n > b->len - offset) n = (size_t)(b->len - offset);
  memcpy(dst, b->data + offset, n);
  return n;
}

#endif /* PARXZ_TESTS_CAPI_CAPI_READER_UTIL_H_ */
