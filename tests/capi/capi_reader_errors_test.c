/* The C reader's errors: truncated and damaged files, input that is not
 * .xz, a callback that fails (at open and at a read), memory limits and bad
 * arguments give PARXZ_E_* codes and messages, never a crash; a corrupt
 * Block fails only the reads that touch it, also with 8 threads at once. */
#define _POSIX_C_SOURCE 200809L
#include <parxz.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capi_reader_util.h"

static int is_format_error(int rc) {
  return rc == PARXZ_E_CORRUPT_DATA || rc == PARXZ_E_TRUNCATED;
}

static void truncated(const buf_t* xz, const char* dir) {
  const size_t cuts[] = {0,           1,           12,           24,
                         xz->len / 3, xz->len / 2, xz->len - 13, xz->len - 12,
                         xz->len - 1};
  size_t i;
  char path[512];
  snprintf(path, sizeof path, "%s/cut.xz", dir);
  for (i = 0; i < sizeof cuts / sizeof cuts[0]; ++i) {
    parxz_reader* r = (parxz_reader*)1;
    int rc = parxz_reader_open_buffer(xz->data, cuts[i], NULL, &r);
    CHECK(is_format_error(rc) && r == NULL, "cut at %zu: %d", cuts[i], rc);
    CHECK(strlen(parxz_last_error_message()) > 0, "no message");
    write_file(path, xz->data, cuts[i]);
    rc = parxz_reader_open_file(path, NULL, &r);
    CHECK(is_format_error(rc) && r == NULL, "file cut at %zu: %d", cuts[i], rc);
  }
}

typedef struct {
  parxz_reader* r;
  parxz_block_info bad;
  int corrupt, good, other;
} corrupt_job_t;

static void* corrupt_thread(void* arg) {
  corrupt_job_t* j = arg;
  unsigned char buf[300];
  size_t len;
  int k;
  for (k = 0; k < 20; ++k) {
    /* To the end of the bad Block (through the damage and its Check),
     * then a Block before it. */
    int rc = parxz_reader_pread(
        j->r, buf, sizeof buf,
        j->bad.uncompressed_offset + j->bad.uncompressed_size - 300 - k, &len);
    if (rc == PARXZ_E_CORRUPT_DATA && len == 0 &&
        strstr(parxz_last_error_message(), "Block") != NULL)
      ++j->corrupt;
    else
      ++j->other;
    rc = parxz_reader_pread(j->r, buf, sizeof buf, 1000u * k, &len);
    if (rc == PARXZ_OK && len == sizeof buf) ++j->good;
  }
  return NULL;
}

static void corrupt_block(const buf_t* xz) {
  buf_t bad = {malloc(xz->len), xz->len};
  parxz_reader* r;
  parxz_block_info b;
  corrupt_job_t jobs[8];
  pthread_t t[8];
  int i;
  memcpy(bad.data, xz->data, xz->len);
  CHECK(parxz_reader_open_buffer(xz->data, xz->len, NULL, &r) == PARXZ_OK,
        "open");
  CHECK(parxz_reader_block_count(r) >= 4, "Blocks");
  parxz_reader_block_info(r, 2, &b);
  parxz_reader_free(r);
  for (i = 0; i < 16; ++i)
    bad.data[b.compressed_offset + b.total_size / 2 + i] ^= 0x5a;
  for (i = 1; i <= 2; ++i) {
    parxz_reader_options o;
    int k;
    parxz_reader_options_init(&o);
    o.threads = (uint32_t)i;
    CHECK(parxz_reader_open_buffer(bad.data, bad.len, &o, &r) == PARXZ_OK,
          "open with a bad Block (the Index is intact)");
    for (k = 0; k < 8; ++k) {
      jobs[k].r = r, jobs[k].bad = b;
      jobs[k].corrupt = jobs[k].good = jobs[k].other = 0;
      pthread_create(&t[k], NULL, corrupt_thread, &jobs[k]);
    }
    for (k = 0; k < 8; ++k) {
      pthread_join(t[k], NULL);
      CHECK(jobs[k].corrupt == 20 && jobs[k].good == 20 && jobs[k].other == 0,
            "thread %d: corrupt %d good %d other %d", k, jobs[k].corrupt,
            jobs[k].good, jobs[k].other);
    }
    parxz_reader_free(r);
  }
  /* A damaged Index: the file does not open. */
  memcpy(bad.data, xz->data, xz->len);
  bad.data[bad.len - 12 - 8] ^= 0x01;
  r = (parxz_reader*)1;
  CHECK(
      is_format_error(parxz_reader_open_buffer(bad.data, bad.len, NULL, &r)) &&
          r == NULL,
      "damaged Index");
  free(bad.data);
}

/* A callback over memory that fails while `fail` is set. */
typedef struct {
  buf_t xz;
  int fail;
} flaky_t;

static size_t flaky_read(void* opaque, uint64_t offset, void* dst, size_t n) {
  flaky_t* f = opaque;
  if (f->fail) return PARXZ_READ_ERROR;
  return buf_read(&f->xz, offset, dst, n);
}

static size_t too_much(void* opaque, uint64_t offset, void* dst, size_t n) {
  (void)opaque, (void)offset, (void)dst;
  return n + 1;
}

static void callbacks(const buf_t* xz) {
  flaky_t f;
  parxz_reader* r = (parxz_reader*)1;
  unsigned char buf[100];
  size_t len = 7;
  f.xz = *xz, f.fail = 1;
  CHECK(parxz_reader_open_callback(flaky_read, &f, xz->len, NULL, &r) ==
                PARXZ_E_IO &&
            r == NULL,
        "open through a failing callback");
  CHECK(strstr(parxz_last_error_message(), "read callback failed") != NULL,
        "message");
  f.fail = 0;
  CHECK(
      parxz_reader_open_callback(flaky_read, &f, xz->len, NULL, &r) == PARXZ_OK,
      "open");
  f.fail = 1;
  CHECK(parxz_reader_pread(r, buf, sizeof buf, 5000, &len) == PARXZ_E_IO &&
            len == 0,
        "pread through a failing callback");
  f.fail = 0; /* errors do not stick: the next read works */
  CHECK(parxz_reader_pread(r, buf, sizeof buf, 5000, &len) == PARXZ_OK &&
            len == sizeof buf,
        "pread after the callback recovered");
  parxz_reader_free(r);
  CHECK(parxz_reader_open_callback(too_much, NULL, xz->len, NULL, &r) ==
                PARXZ_E_IO &&
            r == NULL,
        "a callback returning more than asked for");
  CHECK(parxz_reader_open_callback(flaky_read, &f, xz->len - 1, NULL, &r) !=
                PARXZ_OK &&
            r == NULL,
        "a size that cuts the file");
}

static void limits_and_arguments(const buf_t* xz, const char* dir) {
  parxz_reader_options o;
  parxz_reader* r = NULL;
  unsigned char buf[16];
  size_t len;
  int rc, fds[2];
  char path[512];
  parxz_reader_options_init(&o);
  o.memlimit = 100000; /* the Index fits, a 1+ MiB dictionary does not */
  rc = parxz_reader_open_buffer(xz->data, xz->len, &o, &r);
  if (rc == PARXZ_OK) {
    rc = parxz_reader_pread(r, buf, sizeof buf, 0, &len);
    parxz_reader_free(r);
  }
  CHECK(rc == PARXZ_E_MEMLIMIT, "memlimit: %d", rc);
  CHECK(parxz_reader_open_buffer(xz->data, xz->len, NULL, NULL) ==
            PARXZ_E_BAD_OPTIONS,
        "NULL out");
  CHECK(parxz_reader_open_file(NULL, NULL, &r) == PARXZ_E_BAD_OPTIONS,
        "NULL path");
  snprintf(path, sizeof path, "%s/does-not-exist.xz", dir);
  CHECK(parxz_reader_open_file(path, NULL, &r) == PARXZ_E_IO && r == NULL,
        "missing file");
  CHECK(strstr(parxz_last_error_message(), "does-not-exist") != NULL,
        "message names the file");
  CHECK(pipe(fds) == 0, "pipe");
  CHECK(parxz_reader_open_fd(fds[0], NULL, &r) == PARXZ_E_BAD_OPTIONS,
        "a pipe is not seekable");
  close(fds[0]), close(fds[1]);
  CHECK(parxz_reader_open_fd(-1, NULL, &r) == PARXZ_E_BAD_OPTIONS, "fd -1");
  CHECK(parxz_reader_open_callback(NULL, NULL, 10, NULL, &r) ==
            PARXZ_E_BAD_OPTIONS,
        "NULL callback");
  CHECK(parxz_reader_pread(NULL, buf, 1, 0, &len) == PARXZ_E_BAD_OPTIONS,
        "NULL reader");
  CHECK(parxz_reader_open_buffer(xz->data, xz->len, NULL, &r) == PARXZ_OK,
        "open");
  CHECK(parxz_reader_pread(r, buf, 1, 0, NULL) == PARXZ_E_BAD_OPTIONS,
        "NULL out_len");
  CHECK(parxz_reader_pread(r, NULL, 1, 0, &len) == PARXZ_E_BAD_OPTIONS,
        "NULL dst");
  CHECK(parxz_reader_pread(r, NULL, 0, 0, &len) == PARXZ_OK && len == 0,
        "NULL dst, 0 bytes");
  parxz_reader_free(r);
  parxz_reader_free(NULL);
  CHECK(parxz_reader_size(NULL) == 0 && parxz_reader_block_count(NULL) == 0,
        "getters on NULL");
}

int main(void) {
  const char* dir = tmpdir();
  char plain[512], path[512], cmd[2048];
  buf_t xz, junk;
  size_t i;
  snprintf(plain, sizeof plain, "%s/plain", dir);
  write_test_data(plain, 1500000);
  snprintf(path, sizeof path, "%s/xzT2.xz", dir);
  snprintf(cmd, sizeof cmd, "xz -T2 --block-size=200KiB -c '%s' > '%s'", plain,
           path);
  must_run(cmd);
  xz = read_file(path);
  truncated(&xz, dir);
  corrupt_block(&xz);
  callbacks(&xz);
  limits_and_arguments(&xz, dir);
  /* Not .xz at all. */
  junk.len = 100000, junk.data = malloc(junk.len);
  for (i = 0; i < junk.len; ++i) junk.data[i] = (unsigned char)(i * 7 + 3);
  {
    parxz_reader* r = (parxz_reader*)1;
    CHECK(is_format_error(
              parxz_reader_open_buffer(junk.data, junk.len, NULL, &r)) &&
              r == NULL,
          "not .xz");
  }
  free(junk.data);
  free(xz.data);
  if (failures)
    fprintf(stderr, "%d failures\n", failures);
  else
    printf("capi_reader_errors_test: OK\n");
  return failures ? 1 : 0;
}
