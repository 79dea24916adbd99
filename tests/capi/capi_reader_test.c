/* The C reader (parxz_reader.h) against `xz -dc`: files made by xz -T2,
 * xz -T1 (one Block), pixz (plain and a .tpxz tarball) and parxz, alone and
 * concatenated with Stream Padding, opened from a path, a descriptor, a
 * buffer and a callback; ranges empty, 1 byte, across Blocks and Streams,
 * past the end, and random; 8 threads at once on one reader (run under
 * TSan too). Errors: capi_reader_errors_test.c. */
#define _POSIX_C_SOURCE 200809L
#include <fcntl.h>
#include <parxz.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capi_reader_util.h"

/* One range against the expected bytes. */
static void check_range(parxz_reader* r, const buf_t* want, uint64_t off,
                        size_t n, const char* what) {
  unsigned char* got = malloc(n ? n : 1);
  size_t len = 12345,
         exp = off >= want->len
                   ? 0
                   : (want->len - off < n ? (size_t)(want->len - off) : n);
  int rc = parxz_reader_pread(r, got, n, off, &len);
  CHECK(rc == PARXZ_OK, "%s: pread(%llu, %zu) = %d", what,
        (unsigned long long)off, n, rc);
  CHECK(len == exp, "%s: pread(%llu, %zu) gave %zu bytes, not %zu", what,
        (unsigned long long)off, n, len, exp);
  CHECK(len != exp || exp == 0 || memcmp(got, want->data + off, exp) == 0,
        "%s: pread(%llu, %zu): bytes differ from xz -dc", what,
        (unsigned long long)off, n);
  free(got);
}

static void check_reader(parxz_reader* r, const buf_t* want, const char* what) {
  uint64_t i, blocks = parxz_reader_block_count(r), sum = 0;
  uint32_t prev_stream = 0;
  unsigned seed = 7;
  int k;
  CHECK(parxz_reader_size(r) == want->len, "%s: size %llu", what,
        (unsigned long long)parxz_reader_size(r));
  CHECK(blocks >= 1, "%s: no Blocks", what);
  /* The Block table tiles the data; edges of every Block, and of every
   * Stream, read 1 byte and across. */
  for (i = 0; i < blocks; ++i) {
    parxz_block_info b;
    CHECK(parxz_reader_block_info(r, i, &b) == PARXZ_OK, "%s: info", what);
    CHECK(b.uncompressed_offset == sum, "%s: Block %llu offset", what,
          (unsigned long long)i);
    CHECK(b.total_size > 0 && b.stream >= prev_stream, "%s: Block fields",
          what);
    if (b.uncompressed_size > 0) {
      CHECK(parxz_reader_block_at(r, b.uncompressed_offset) == i &&
                parxz_reader_block_at(r, sum + b.uncompressed_size - 1) == i,
            "%s: block_at Block %llu", what, (unsigned long long)i);
    }
    if (b.uncompressed_offset > 0) {
      check_range(r, want, b.uncompressed_offset - 1, 1, what);
      check_range(r, want, b.uncompressed_offset - 1, 2, what);
      if (b.uncompressed_offset >= 1000)
        check_range(r, want, b.uncompressed_offset - 1000, 5000, what);
      check_range(r, want, b.uncompressed_offset, 0, what);
    }
    check_range(r, want, b.uncompressed_offset, 1, what);
    sum += b.uncompressed_size;
    prev_stream = b.stream;
  }
  CHECK(sum == want->len, "%s: Blocks sum to %llu", what,
        (unsigned long long)sum);
  CHECK(parxz_reader_block_info(r, blocks, NULL) == PARXZ_E_BAD_OPTIONS,
        "%s: info past the table", what);
  CHECK(parxz_reader_block_at(r, want->len) == blocks, "%s: block_at end",
        what);
  /* Whole, empty, past the end. */
  check_range(r, want, 0, want->len, what);
  check_range(r, want, 0, 0, what);
  check_range(r, want, want->len - 10, 100, what);
  check_range(r, want, want->len, 100, what);
  check_range(r, want, want->len + 1000, 100, what);
  check_range(r, want, UINT64_MAX - 5, 100, what);
  for (k = 0; k < 100; ++k) {
    uint64_t off = rnd(&seed) % (want->len + 100);
    size_t n = k % 5 == 0 ? rnd(&seed) % (want->len + 1) : rnd(&seed) % 70000;
    check_range(r, want, off, n, what);
  }
}

/* Eight threads reading random ranges from one reader at once. */
typedef struct {
  parxz_reader* r;
  const buf_t* want;
  unsigned seed;
  int bad;
} job_t;

static void* reader_thread(void* arg) {
  job_t* j = arg;
  unsigned char* got = malloc(200000);
  int k;
  for (k = 0; k < 24; ++k) {
    uint64_t off = k % 2 ? rnd(&j->seed) % (j->want->len + 10)
                         : rnd(&j->seed) % 300000; /* meet on few Blocks */
    size_t n = rnd(&j->seed) % (k % 2 ? 200000 : 3000), len;
    size_t exp =
        off >= j->want->len
            ? 0
            : (j->want->len - off < n ? (size_t)(j->want->len - off) : n);
    if (parxz_reader_pread(j->r, got, n, off, &len) != PARXZ_OK || len != exp ||
        (exp && memcmp(got, j->want->data + off, exp) != 0))
      ++j->bad;
  }
  free(got);
  return NULL;
}

static void check_threads(parxz_reader* r, const buf_t* want,
                          const char* what) {
  pthread_t t[8];
  job_t jobs[8];
  int i;
  for (i = 0; i < 8; ++i) {
    jobs[i].r = r, jobs[i].want = want, jobs[i].seed = 11u + i, jobs[i].bad = 0;
    CHECK(pthread_create(&t[i], NULL, reader_thread, &jobs[i]) == 0, "spawn");
  }
  for (i = 0; i < 8; ++i) {
    pthread_join(t[i], NULL);
    CHECK(jobs[i].bad == 0, "%s: thread %d: %d bad reads", what, i,
          jobs[i].bad);
  }
}

static int open_as(int how, const char* path, const buf_t* xz,
                   const parxz_reader_options* o, parxz_reader** r) {
  int fd, rc;
  switch (how) {
    case 0:
      return parxz_reader_open_file(path, o, r);
    case 1:
      fd = open(path, O_RDONLY);
      rc = parxz_reader_open_fd(fd, o, r);
      close(fd); /* the reader keeps its own duplicate */
      return rc;
    case 2:
      return parxz_reader_open_buffer(xz->data, xz->len, o, r);
    default:
      return parxz_reader_open_callback(buf_read, (void*)xz, xz->len, o, r);
  }
}

static void test_file(const char* path, size_t file_number) {
  static const char* const how_name[] = {"path", "fd", "buffer", "callback"};
  buf_t xz = read_file(path), want = xz_dc(path);
  int k;
  /* Two of the 8 (opening, threads) pairs per file; the files cover all. */
  for (k = 0; k < 2; ++k) {
    const int how = (int)((file_number + 2 * k) % 4);
    const unsigned threads = 1 + (unsigned)((file_number / 2 + k) % 2);
    parxz_reader_options o;
    parxz_reader* r = NULL;
    char what[600];
    snprintf(what, sizeof what, "%s (%s, threads %u)", path, how_name[how],
             threads);
    parxz_reader_options_init(&o);
    o.threads = threads;
    o.cache_blocks = (uint64_t)how; /* 0..3 */
    CHECK(open_as(how, path, &xz, &o, &r) == PARXZ_OK, "%s: open", what);
    if (r == NULL) continue;
    check_reader(r, &want, what);
    check_threads(r, &want, what);
    parxz_reader_free(r);
  }
  free(xz.data);
  free(want.data);
}

int main(void) {
  const char* dir = tmpdir();
  char plain[512], tarball[512], path[512], cmd[4096];
  static const char* const files[] = {"xzT2.xz",   "xzT1.xz",  "pixz.xz",
                                      "tpxz.tpxz", "parxz.xz", "concat.xz"};
  size_t i;
  snprintf(plain, sizeof plain, "%s/plain", dir);
  snprintf(tarball, sizeof tarball, "%s/plain.tar", dir);
  write_test_data(plain, 1200000);
  snprintf(cmd, sizeof cmd,
           "set -e; cd '%s'; xz -T2 --block-size=200KiB -c plain > xzT2.xz;"
           " xz -T1 -c plain > xzT1.xz;"
           " pixz -1 -f 0.5 -p 2 < plain > pixz.xz;"
           " mkdir -p t; head -c 500000 plain > t/a; tail -c 600000 plain"
           " > t/b; tar cf plain.tar t; pixz -1 -f 0.25 -p 2 plain.tar"
           " tpxz.tpxz",
           dir);
  must_run(cmd);
  make_parxz(dir, plain);
  /* Streams of three makers with Stream Padding between: across Streams. */
  snprintf(cmd, sizeof cmd,
           "set -e; cd '%s'; { cat xzT2.xz; head -c 8 /dev/zero; cat xzT1.xz"
           " parxz.xz; head -c 4 /dev/zero; } > concat.xz",
           dir);
  must_run(cmd);
  for (i = 0; i < sizeof files / sizeof files[0]; ++i) {
    snprintf(path, sizeof path, "%s/%s", dir, files[i]);
    test_file(path, i);
  }
  if (failures)
    fprintf(stderr, "%d failures\n", failures);
  else
    printf("capi_reader_test: OK\n");
  return failures ? 1 : 0;
}
