/* Tests of the C API (parxz.h), written in C99. Round trips are checked with
 * the xz program as the independent decoder; the parallel output is compared
 * byte for byte with `xz -T2 --block-size=...`. */
#include <parxz.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int g_checks = 0;
static int g_failures = 0;

#define CHECK(cond)                                                            \
  do {                                                                         \
    ++g_checks;                                                                \
    if (!(cond)) {                                                             \
      ++g_failures;                                                            \
      fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
    }                                                                          \
  } while (0)

#define CHECK_CODE(expr, code)                                                 \
  do {                                                                         \
    int got_ = (expr);                                                         \
    ++g_checks;                                                                \
    if (got_ != (code)) {                                                      \
      ++g_failures;                                                            \
      fprintf(stderr, "%s:%d: %s returned %d (%s), expected %d: %s\n",         \
              __FILE__, __LINE__, #expr, got_, parxz_error_name(got_), (code), \
              parxz_last_error_message());                                     \
    }                                                                          \
  } while (0)

#define CHECK_CONTAINS(haystack, needle)                                   \
  do {                                                                     \
    ++g_checks;                                                            \
    if (strstr((haystack), (needle)) == NULL) {                            \
      ++g_failures;                                                        \
      fprintf(stderr, "%s:%d: \"%s\" does not contain \"%s\"\n", __FILE__, \
              __LINE__, (haystack), (needle));                             \
    }                                                                      \
  } while (0)

/* ---- Helpers ------------------------------------------------------------ */

typedef struct {
  unsigned char *data;
  size_t len;
} buffer;

static void *xmalloc(size_t n) {
  void *p = malloc(n ? n : 1);
  if (p == NULL) {
    fprintf(stderr, "out of memory\n");
    exit(1);
  }
  return p;
}

/* Deterministic data that compresses somewhat: text-like runs mixed with
 * pseudo-random bytes, switching every few KiB. */
static buffer mixed_data(size_t n, unsigned seed) {
  static const char words[] = "parallel xz blocks compress the lzma stream ";
  buffer b;
  size_t i;
  unsigned long x = seed * 2654435761u + 1;
  b.data = xmalloc(n);
  b.len = n;
  for (i = 0; i < n; ++i) {
    x = x * 6364136223846793005ul + 1442695040888963407ul;
    if ((i / 3000) % 3 == 2) {
      b.data[i] = (unsigned char)(x >> 33);
    } else {
      b.data[i] = (unsigned char)words[(i + (x >> 60)) % (sizeof words - 1)];
    }
  }
  return b;
}

static buffer random_data(size_t n, unsigned seed) {
  buffer b;
  size_t i;
  unsigned long x = seed + 12345;
  b.data = xmalloc(n);
  b.len = n;
  for (i = 0; i < n; ++i) {
    x = x * 6364136223846793005ul + 1442695040888963407ul;
    b.data[i] = (unsigned char)(x >> 33);
  }
  return b;
}

static int same(buffer a, buffer b) {
  return a.len == b.len && (a.len == 0 || memcmp(a.data, b.data, a.len) == 0);
}

static const char *tmpdir(void) {
  const char *d = getenv("TEST_TMPDIR");
  return d ? d : "/tmp";
}

static void tmp_path(char *out, size_t cap, const char *name) {
  snprintf(out, cap, "%s/%s", tmpdir(), name);
}

static void write_file(const char *path, buffer b) {
  FILE *f = fopen(path, "wb");
  if (f == NULL || fwrite(b.data, 1, b.len, f) != b.len || fclose(f) != 0) {
    fprintf(stderr, "cannot write %s\n", path);
    exit(1);
  }
}

static buffer read_file(const char *path) {
  buffer b = {NULL, 0};
  size_t cap = 1 << 16;
  FILE *f = fopen(path, "rb");
  if (f == NULL) return b;
  b.data = xmalloc(cap);
  for (;;) {
    size_t n = fread(b.data + b.len, 1, cap - b.len, f);
    b.len += n;
    if (b.len < cap) break;
    cap *= 2;
    b.data = realloc(b.data, cap);
    if (b.data == NULL) exit(1);
  }
  fclose(f);
  return b;
}

/* Runs `xz <args> -c IN > OUT` on `in`; returns what it wrote, or data NULL
 * if xz failed. */
static buffer run_xz(const char *args, buffer in) {
  char in_path[512], out_path[512], cmd[1400];
  buffer none = {NULL, 0};
  tmp_path(in_path, sizeof in_path, "xz_in");
  tmp_path(out_path, sizeof out_path, "xz_out");
  write_file(in_path, in);
  snprintf(cmd, sizeof cmd, "xz %s -c '%s' > '%s'", args, in_path, out_path);
  if (system(cmd) != 0) return none;
  return read_file(out_path);
}

/* True if the xz program decodes `xz` to exactly `plain`. */
static int xz_decodes_to(const char *args, buffer xz, buffer plain) {
  char full[256];
  buffer out;
  int ok;
  snprintf(full, sizeof full, "-d %s", args);
  out = run_xz(full, xz);
  ok = out.data != NULL && same(out, plain);
  free(out.data);
  return ok;
}

static buffer compress_whole(const parxz_compress_options *o, buffer in) {
  buffer out;
  size_t cap = parxz_compress_bound(in.len, o);
  out.data = xmalloc(cap);
  out.len = 0;
  CHECK(cap > 0);
  CHECK_CODE(parxz_compress_buffer(o, in.data, in.len, out.data, cap, &out.len),
             PARXZ_OK);
  CHECK(out.len <= cap);
  return out;
}

static buffer decompress_whole(const parxz_decompress_options *o, buffer in,
                               size_t cap) {
  buffer out;
  out.data = xmalloc(cap);
  out.len = 0;
  CHECK_CODE(
      parxz_decompress_buffer(o, in.data, in.len, out.data, cap, &out.len),
      PARXZ_OK);
  return out;
}

/* Streams `in` through a compressor in chunks of `in_chunk` bytes with an
 * output buffer of `out_chunk` bytes. */
static buffer compress_streaming(const parxz_compress_options *o, buffer in,
                                 size_t in_chunk, size_t out_chunk) {
  parxz_compressor *c = NULL;
  buffer out;
  size_t cap = parxz_compress_bound(in.len, o) + out_chunk, pos = 0;
  unsigned char *piece = xmalloc(out_chunk);
  int finished = 0, rounds = 0;
  out.data = xmalloc(cap);
  out.len = 0;
  CHECK_CODE(parxz_compressor_new(o, &c), PARXZ_OK);
  if (c == NULL) return out;
  while (pos < in.len) {
    size_t used = 0, n = 0, take = in.len - pos;
    if (take > in_chunk) take = in_chunk;
    CHECK_CODE(parxz_compressor_compress(c, in.data + pos, take, &used, piece,
                                         out_chunk, &n),
               PARXZ_OK);
    CHECK(used <= take && n <= out_chunk && out.len + n <= cap);
    memcpy(out.data + out.len, piece, n);
    out.len += n;
    pos += used;
    if (++rounds > 10000000) break;
  }
  while (!finished) {
    size_t n = 0;
    if (parxz_compressor_finish(c, piece, out_chunk, &n, &finished) !=
        PARXZ_OK) {
      CHECK(!"finish failed");
      break;
    }
    CHECK(out.len + n <= cap);
    memcpy(out.data + out.len, piece, n);
    out.len += n;
  }
  CHECK(parxz_compressor_total_in(c) == in.len);
  CHECK(parxz_compressor_total_out(c) == out.len);
  CHECK(strcmp(parxz_compressor_error_message(c), "") == 0);
  parxz_compressor_free(c);
  free(piece);
  return out;
}

/* ---- Tests -------------------------------------------------------------- */

static void test_names(void) {
  CHECK(strlen(parxz_version()) >= 5);
  CHECK(strcmp(parxz_error_name(PARXZ_OK), "ok") == 0);
  CHECK(strcmp(parxz_error_name(PARXZ_E_CORRUPT_DATA), "corrupt data") == 0);
  CHECK(strcmp(parxz_error_name(PARXZ_E_MEMLIMIT), "memory limit reached") ==
        0);
  CHECK(strcmp(parxz_error_name(PARXZ_E_CANCELLED), "cancelled") == 0);
  CHECK(strcmp(parxz_error_name(12), "unknown error") == 0);
  CHECK(strcmp(parxz_error_name(-1), "unknown error") == 0);
  /* The numbers are those of parxz::ErrorCode. */
  CHECK(PARXZ_E_TRUNCATED == 2 && PARXZ_E_BAD_OPTIONS == 6 &&
        PARXZ_E_MISUSE == 7 && PARXZ_E_END_OF_STREAM == 8 &&
        PARXZ_E_CANCELLED == 11);
}

static void test_sequential_round_trip(void) {
  static const size_t sizes[] = {0, 1, 1000, 300000};
  size_t i;
  parxz_compress_options seq;
  parxz_compress_options_init(&seq);
  seq.sequential = 1;
  for (i = 0; i < sizeof sizes / sizeof sizes[0]; ++i) {
    buffer in = mixed_data(sizes[i], (unsigned)i);
    buffer xz = compress_whole(&seq, in);
    buffer back = decompress_whole(NULL, xz, in.len + 1);
    buffer streamed = compress_streaming(&seq, in, 777, 100);
    buffer by_xz = run_xz("-6 -T1", in);
    CHECK(same(back, in));
    CHECK(xz_decodes_to("", xz, in));
    CHECK(same(streamed, xz));
    /* One Block, as xz -T1 writes: the same bytes. */
    CHECK(by_xz.data != NULL && same(by_xz, xz));
    free(in.data), free(xz.data), free(back.data), free(streamed.data),
        free(by_xz.data);
  }
}

/* The default is the block-parallel format for every thread count; asking
 * the sequential compressor for threads is an error, not a silent switch. */
static void test_defaults_do_not_depend_on_threads(void) {
  buffer in = mixed_data(200000, 3);
  parxz_compress_options o;
  buffer one, two;
  parxz_compressor *c = NULL;
  parxz_compress_options_init(&o);
  one = compress_whole(&o, in);
  o.threads = 2;
  two = compress_whole(&o, in);
  CHECK(one.data != NULL && same(one, two));
  o.sequential = 1;
  CHECK_CODE(parxz_compressor_new(&o, &c), PARXZ_E_BAD_OPTIONS);
  CHECK(c == NULL);
  free(in.data), free(one.data), free(two.data);
}

static void test_parallel_round_trip(void) {
  static const unsigned threads[] = {1, 2, 4, 0};
  buffer in = mixed_data(700000, 7);
  buffer reference, by_xz;
  parxz_compress_options o;
  size_t i;
  parxz_compress_options_init(&o);
  o.threads = 2;
  o.block_size = 65536;
  reference = compress_whole(&o, in);
  by_xz = run_xz("-6 -T2 --block-size=65536", in);
  CHECK(by_xz.data != NULL && same(by_xz, reference));
  CHECK(xz_decodes_to("", reference, in));
  for (i = 0; i < sizeof threads / sizeof threads[0]; ++i) {
    buffer whole, streamed, back;
    o.threads = threads[i];
    whole = compress_whole(&o, in);
    streamed = compress_streaming(&o, in, 10007, 4096);
    back = decompress_whole(NULL, whole, in.len);
    CHECK(same(whole, reference));    /* independent of threads */
    CHECK(same(streamed, reference)); /* and of the call pattern */
    CHECK(same(back, in));
    free(whole.data), free(streamed.data), free(back.data);
  }
  /* Byte-sized output buffer: every path through the pending bytes. */
  {
    buffer tiny_out;
    o.threads = 2;
    tiny_out = compress_streaming(&o, in, 300000, 1);
    CHECK(same(tiny_out, reference));
    free(tiny_out.data);
  }
  /* Extreme preset, CRC32, and a custom chain. */
  {
    parxz_filter f[2];
    buffer a, b, c;
    o.threads = 2;
    o.extreme = 1;
    o.check = PARXZ_CHECK_CRC32;
    a = compress_whole(&o, in);
    b = run_xz("-6e -T2 --block-size=65536 --check=crc32", in);
    CHECK(b.data != NULL && same(a, b));
    free(a.data), free(b.data);
    memset(f, 0, sizeof f);
    f[0].id = PARXZ_FILTER_DELTA;
    f[0].set = PARXZ_SET_DIST;
    f[0].dist = 4;
    f[1].id = PARXZ_FILTER_LZMA2;
    f[1].set = PARXZ_SET_PRESET | PARXZ_SET_DICT_SIZE;
    f[1].preset = 1;
    f[1].dict_size = 1 << 16;
    parxz_compress_options_init(&o);
    o.threads = 2;
    o.block_size = 100000;
    o.filters = f;
    o.num_filters = 2;
    c = compress_whole(&o, in);
    b = run_xz(
        "-T2 --block-size=100000 --delta=dist=4 --lzma2=preset=1,dict=64KiB",
        in);
    CHECK(b.data != NULL && same(c, b));
    CHECK(xz_decodes_to("", c, in));
    free(b.data), free(c.data);
  }
  free(in.data), free(reference.data), free(by_xz.data);
}

static void test_checks_and_formats(void) {
  static const int checks[] = {PARXZ_CHECK_NONE, PARXZ_CHECK_CRC32,
                               PARXZ_CHECK_CRC64, PARXZ_CHECK_SHA256};
  buffer in = mixed_data(50000, 3);
  parxz_compress_options o;
  parxz_decompress_options d;
  size_t i;
  for (i = 0; i < 4; ++i) {
    parxz_decompressor *dec = NULL;
    buffer xz, out;
    size_t n = 0;
    parxz_compress_options_init(&o);
    o.check = checks[i];
    o.preset = 1;
    xz = compress_whole(&o, in);
    CHECK(xz_decodes_to("", xz, in));
    CHECK_CODE(parxz_decompressor_new(NULL, &dec), PARXZ_OK);
    CHECK(parxz_decompressor_check(dec) == PARXZ_CHECK_UNKNOWN);
    out.data = xmalloc(in.len);
    CHECK_CODE(parxz_decompressor_decompress(dec, xz.data, xz.len, out.data,
                                             in.len, &n),
               PARXZ_OK);
    out.len = n;
    CHECK(same(out, in));
    CHECK(parxz_decompressor_check(dec) == checks[i]);
    parxz_decompressor_free(dec);
    free(xz.data), free(out.data);
  }
  /* .lzma (LZMA_Alone): xz reads it, AUTO and ALONE decode it. */
  {
    buffer xz, out;
    parxz_compress_options_init(&o);
    o.format = PARXZ_FORMAT_ALONE;
    xz = compress_whole(&o, in);
    CHECK(xz_decodes_to("--format=lzma", xz, in));
    out = decompress_whole(NULL, xz, in.len);
    CHECK(same(out, in));
    free(out.data);
    parxz_decompress_options_init(&d);
    d.format = PARXZ_FORMAT_ALONE;
    out = decompress_whole(&d, xz, in.len);
    CHECK(same(out, in));
    free(out.data), free(xz.data);
  }
  /* Raw: delta + LZMA2, decoded by parxz and by xz with the same chain. */
  {
    parxz_filter f[2];
    buffer xz, out;
    memset(f, 0, sizeof f);
    f[0].id = PARXZ_FILTER_DELTA;
    f[0].set = PARXZ_SET_DIST;
    f[0].dist = 2;
    f[1].id = PARXZ_FILTER_LZMA2;
    f[1].set = PARXZ_SET_DICT_SIZE | PARXZ_SET_LC | PARXZ_SET_MODE |
               PARXZ_SET_MF | PARXZ_SET_NICE_LEN;
    f[1].dict_size = 1 << 20;
    f[1].lc = 2;
    f[1].mode = PARXZ_MODE_FAST;
    f[1].mf = PARXZ_MF_HC4;
    f[1].nice_len = 32;
    parxz_compress_options_init(&o);
    o.format = PARXZ_FORMAT_RAW;
    o.filters = f;
    o.num_filters = 2;
    xz = compress_whole(&o, in);
    CHECK(
        xz_decodes_to("--format=raw --delta=dist=2 --lzma2=dict=1MiB", xz, in));
    parxz_decompress_options_init(&d);
    d.format = PARXZ_FORMAT_RAW;
    d.filters = f;
    d.num_filters = 2;
    out = decompress_whole(&d, xz, in.len);
    CHECK(same(out, in));
    free(out.data), free(xz.data);
  }
  free(in.data);
}

static void test_decompressor_incremental(void) {
  buffer in = mixed_data(200000, 11);
  buffer xz = compress_whole(NULL, in);
  buffer with_trailer;
  parxz_decompressor *d = NULL;
  unsigned char *out = xmalloc(in.len + 100);
  size_t produced = 0, fed = 0, n = 0, unused_len = 0;
  const uint8_t *unused;
  int calls = 0, saw_pending = 0;
  with_trailer.len = xz.len + 7;
  with_trailer.data = xmalloc(with_trailer.len);
  memcpy(with_trailer.data, xz.data, xz.len);
  memcpy(with_trailer.data + xz.len, "TRAILER", 7);

  CHECK_CODE(parxz_decompressor_new(NULL, &d), PARXZ_OK);
  CHECK(parxz_decompressor_needs_input(d) == 1);
  CHECK(parxz_decompressor_eof(d) == 0);
  /* Feed 1000 bytes at a time, take at most 333 bytes per call; feed more
   * only when the decompressor asks for it. */
  while (!parxz_decompressor_eof(d) && ++calls < 100000) {
    size_t take = 0;
    if (parxz_decompressor_needs_input(d)) {
      take = with_trailer.len - fed;
      if (take > 1000) take = 1000;
      if (take == 0) break;
    }
    CHECK_CODE(parxz_decompressor_decompress(d, with_trailer.data + fed, take,
                                             out + produced, 333, &n),
               PARXZ_OK);
    fed += take;
    CHECK(n <= 333);
    produced += n;
    if (!parxz_decompressor_eof(d)) {
      /* Python's rule: no input wanted exactly when the limit was hit. */
      CHECK(parxz_decompressor_needs_input(d) == (n < 333));
      if (n == 333) saw_pending = 1;
    }
  }
  CHECK(saw_pending);
  CHECK(parxz_decompressor_eof(d) == 1);
  CHECK(parxz_decompressor_needs_input(d) == 0);
  CHECK(produced == in.len && memcmp(out, in.data, in.len) == 0);
  CHECK(parxz_decompressor_check(d) == PARXZ_CHECK_CRC64);
  CHECK(parxz_decompressor_total_out(d) == in.len);
  CHECK(parxz_decompressor_total_in(d) == xz.len);
  unused = parxz_decompressor_unused_data(d, &unused_len);
  /* Everything fed after the stream's end, i.e. all of "TRAILER" that was
   * fed before eof. */
  CHECK(unused_len == fed - xz.len);
  CHECK(unused_len > 0 && memcmp(unused, "TRAILER", unused_len) == 0);
  /* After the end: END_OF_STREAM, and it sticks. */
  CHECK_CODE(parxz_decompressor_decompress(d, "x", 1, out, 10, &n),
             PARXZ_E_END_OF_STREAM);
  CHECK(n == 0);
  CHECK_CONTAINS(parxz_decompressor_error_message(d), "end of stream");
  CHECK_CODE(parxz_decompressor_decompress(d, NULL, 0, out, 10, &n),
             PARXZ_E_END_OF_STREAM);
  parxz_decompressor_free(d);

  /* One byte in, one byte out at a time. */
  CHECK_CODE(parxz_decompressor_new(NULL, &d), PARXZ_OK);
  produced = fed = 0;
  calls = 0;
  while (!parxz_decompressor_eof(d) && ++calls < 10000000) {
    size_t take = parxz_decompressor_needs_input(d) && fed < xz.len ? 1 : 0;
    if (parxz_decompressor_needs_input(d) && take == 0) break;
    if (parxz_decompressor_decompress(d, xz.data + fed, take, out + produced, 1,
                                      &n) != PARXZ_OK) {
      CHECK(!"decompress failed");
      break;
    }
    fed += take;
    produced += n;
  }
  CHECK(parxz_decompressor_eof(d));
  CHECK(produced == in.len && memcmp(out, in.data, in.len) == 0);
  unused = parxz_decompressor_unused_data(d, &unused_len);
  CHECK(unused != NULL && unused_len == 0);
  parxz_decompressor_free(d);

  /* Truncated input: never eof, needs input. */
  CHECK_CODE(parxz_decompressor_new(NULL, &d), PARXZ_OK);
  CHECK_CODE(parxz_decompressor_decompress(d, xz.data, xz.len - 5, out,
                                           in.len + 100, &n),
             PARXZ_OK);
  CHECK(n == in.len);
  CHECK(!parxz_decompressor_eof(d) && parxz_decompressor_needs_input(d));
  parxz_decompressor_free(d);

  free(in.data), free(xz.data), free(out), free(with_trailer.data);
}

static void test_concatenated(void) {
  buffer a = mixed_data(10000, 1), b = mixed_data(20000, 2);
  buffer xa = compress_whole(NULL, a), xb = compress_whole(NULL, b);
  buffer cat, expect, out;
  cat.len = xa.len + xb.len + 5;
  cat.data = xmalloc(cat.len);
  memcpy(cat.data, xa.data, xa.len);
  memcpy(cat.data + xa.len, xb.data, xb.len);
  memcpy(cat.data + xa.len + xb.len, "junk!", 5);
  expect.len = a.len + b.len;
  expect.data = xmalloc(expect.len);
  memcpy(expect.data, a.data, a.len);
  memcpy(expect.data + a.len, b.data, b.len);
  out = decompress_whole(NULL, cat, expect.len + 10);
  CHECK(same(out, expect));
  free(out.data);
  /* Exactly the right size is enough; one byte less is not. */
  out = decompress_whole(NULL, cat, expect.len);
  CHECK(same(out, expect));
  CHECK_CODE(parxz_decompress_buffer(NULL, cat.data, cat.len, out.data,
                                     expect.len - 1, &out.len),
             PARXZ_E_TRUNCATED);
  CHECK_CONTAINS(parxz_last_error_message(), "too small");
  free(a.data), free(b.data), free(xa.data), free(xb.data), free(cat.data),
      free(expect.data), free(out.data);
}

static void test_bounds(void) {
  buffer in = random_data(1 << 20, 5);
  parxz_compress_options o;
  uint64_t seq_mem = 0, par_mem = 0;
  buffer out;
  parxz_compress_options_init(&o);
  out = compress_whole(&o, in); /* checks out.len <= bound */
  CHECK(out.len > in.len);      /* random data does not compress */
  free(out.data);
  o.threads = 2;
  o.block_size = 1000; /* many tiny Blocks: the most overhead */
  o.preset = 0;
  out = compress_whole(&o, in);
  CHECK(out.len > in.len);
  free(out.data);
  parxz_compress_options_init(&o);
  o.format = PARXZ_FORMAT_ALONE;
  out = compress_whole(&o, in);
  CHECK(out.len > in.len);
  free(out.data);
  CHECK(parxz_compress_bound(0, NULL) > 0);

  parxz_compress_options_init(&o);
  o.sequential = 1;
  CHECK_CODE(parxz_compress_memusage(&o, &seq_mem), PARXZ_OK);
  o.sequential = 0;
  o.threads = 4;
  CHECK_CODE(parxz_compress_memusage(&o, &par_mem), PARXZ_OK);
  CHECK(seq_mem > (50u << 20) && seq_mem < (200u << 20)); /* -6: ~94 MiB */
  CHECK(par_mem > 4 * seq_mem);
  free(in.data);
}

/* Expects parxz_compressor_new(o) to fail with `code` and a message that
 * contains `needle`. */
static void expect_bad_compress(const parxz_compress_options *o, int code,
                                const char *needle, int line) {
  parxz_compressor *c = (parxz_compressor *)1;
  unsigned char out[64];
  size_t n = 99;
  int got = parxz_compressor_new(o, &c);
  ++g_checks;
  if (got != code || c != NULL ||
      strstr(parxz_last_error_message(), needle) == NULL) {
    ++g_failures;
    fprintf(stderr, "line %d: compressor_new gave %d, message \"%s\"\n", line,
            got, parxz_last_error_message());
  }
  CHECK(parxz_compress_bound(10, o) == 0);
  CHECK_CODE(parxz_compress_buffer(o, "abc", 3, out, sizeof out, &n), code);
  CHECK(n == 0);
}

static void test_bad_options(void) {
  parxz_compress_options o;
  parxz_decompress_options d;
  parxz_filter f[5];
  parxz_decompressor *dec = (parxz_decompressor *)1;

  parxz_compress_options_init(&o);
  o.preset = 10;
  expect_bad_compress(&o, PARXZ_E_BAD_OPTIONS, "preset", __LINE__);
  parxz_compress_options_init(&o);
  o.check = 99;
  expect_bad_compress(&o, PARXZ_E_BAD_OPTIONS, "check", __LINE__);
  o.check = 3; /* a reserved ID liblzma cannot compute */
  expect_bad_compress(&o, PARXZ_E_UNSUPPORTED, "check", __LINE__);
  parxz_compress_options_init(&o);
  o.format = 7;
  expect_bad_compress(&o, PARXZ_E_BAD_OPTIONS, "format", __LINE__);
  o.format = PARXZ_FORMAT_AUTO; /* decoding only */
  expect_bad_compress(&o, PARXZ_E_BAD_OPTIONS, "format", __LINE__);

  memset(f, 0, sizeof f);
  f[0].id = PARXZ_FILTER_LZMA2;
  parxz_compress_options_init(&o);
  o.filters = f;
  o.num_filters = 1;
  o.preset = 3; /* not together with filters */
  expect_bad_compress(&o, PARXZ_E_BAD_OPTIONS, "preset", __LINE__);
  o.preset = PARXZ_PRESET_DEFAULT;
  f[0].set = PARXZ_SET_DIST; /* a delta field on LZMA2 */
  f[0].dist = 3;
  expect_bad_compress(&o, PARXZ_E_BAD_OPTIONS, "dist", __LINE__);
  f[0].set = PARXZ_SET_LC;
  f[0].lc = 9; /* out of range */
  expect_bad_compress(&o, PARXZ_E_BAD_OPTIONS, "lc", __LINE__);
  f[0].set = 1u << 20; /* unknown bit */
  expect_bad_compress(&o, PARXZ_E_BAD_OPTIONS, "set", __LINE__);
  f[0].set = 0;
  o.num_filters = 5;
  expect_bad_compress(&o, PARXZ_E_BAD_OPTIONS, "1 to 4", __LINE__);
  o.num_filters = 0; /* filters given, but zero of them */
  expect_bad_compress(&o, PARXZ_E_BAD_OPTIONS, "1 to 4", __LINE__);
  o.filters = NULL;
  o.num_filters = 1;
  expect_bad_compress(&o, PARXZ_E_BAD_OPTIONS, "NULL", __LINE__);
  o.num_filters = 0;
  f[0].id = 0x99; /* no such filter */
  o.filters = f;
  o.num_filters = 1;
  expect_bad_compress(&o, PARXZ_E_BAD_OPTIONS, "", __LINE__);

  parxz_compress_options_init(&o);
  o.threads = 2;
  o.format = PARXZ_FORMAT_ALONE;
  expect_bad_compress(&o, PARXZ_E_BAD_OPTIONS, "parallel", __LINE__);
  o.format = PARXZ_FORMAT_XZ;
  o.block_size = (uint64_t)1 << 51;
  expect_bad_compress(&o, PARXZ_E_BAD_OPTIONS, "block_size", __LINE__);
  parxz_compress_options_init(&o);
  o.format = PARXZ_FORMAT_RAW; /* needs filters */
  expect_bad_compress(&o, PARXZ_E_BAD_OPTIONS, "", __LINE__);

  /* Decompressor options. */
  parxz_decompress_options_init(&d);
  d.format = 9;
  CHECK_CODE(parxz_decompressor_new(&d, &dec), PARXZ_E_BAD_OPTIONS);
  CHECK(dec == NULL);
  CHECK_CONTAINS(parxz_last_error_message(), "format");
  parxz_decompress_options_init(&d);
  d.format = PARXZ_FORMAT_RAW; /* needs filters */
  CHECK_CODE(parxz_decompressor_new(&d, &dec), PARXZ_E_BAD_OPTIONS);
  memset(f, 0, sizeof f);
  f[0].id = PARXZ_FILTER_LZMA2;
  d.filters = f;
  d.num_filters = 1;
  d.memlimit = 1 << 20; /* not with RAW */
  CHECK_CODE(parxz_decompressor_new(&d, &dec), PARXZ_E_BAD_OPTIONS);
  d.format = PARXZ_FORMAT_XZ; /* filters only with RAW */
  d.memlimit = 0;
  CHECK_CODE(parxz_decompressor_new(&d, &dec), PARXZ_E_BAD_OPTIONS);
  {
    unsigned char out[16];
    size_t n = 5;
    CHECK_CODE(parxz_decompress_buffer(&d, "abc", 3, out, sizeof out, &n),
               PARXZ_E_BAD_OPTIONS);
    CHECK(n == 0);
  }
}

static void test_corrupt_data(void) {
  buffer in = mixed_data(100000, 21);
  buffer xz = compress_whole(NULL, in);
  unsigned char *out = xmalloc(in.len + 10);
  parxz_decompressor *d = NULL;
  size_t n = 0;
  char first[512];

  /* A flipped byte in the middle of the compressed data. */
  xz.data[xz.len / 2] ^= 0x55;
  CHECK_CODE(
      parxz_decompress_buffer(NULL, xz.data, xz.len, out, in.len + 10, &n),
      PARXZ_E_CORRUPT_DATA);
  CHECK_CONTAINS(parxz_last_error_message(), "at compressed byte");

  CHECK_CODE(parxz_decompressor_new(NULL, &d), PARXZ_OK);
  CHECK_CODE(
      parxz_decompressor_decompress(d, xz.data, xz.len, out, in.len + 10, &n),
      PARXZ_E_CORRUPT_DATA);
  CHECK_CONTAINS(parxz_decompressor_error_message(d), "at compressed byte");
  CHECK_CONTAINS(parxz_decompressor_error_message(d), "decompress failed");
  snprintf(first, sizeof first, "%s", parxz_decompressor_error_message(d));
  /* Errors stick, with the first message. */
  CHECK_CODE(parxz_decompressor_decompress(d, NULL, 0, out, 10, &n),
             PARXZ_E_CORRUPT_DATA);
  CHECK(n == 0);
  CHECK(strcmp(parxz_decompressor_error_message(d), first) == 0);
  CHECK(strcmp(parxz_last_error_message(), first) == 0);
  /* An argument error does not replace the handle's error. */
  CHECK_CODE(parxz_decompressor_decompress(d, NULL, 0, out, 10, NULL),
             PARXZ_E_BAD_OPTIONS);
  CHECK(strcmp(parxz_decompressor_error_message(d), first) == 0);
  parxz_decompressor_free(d);
  xz.data[xz.len / 2] ^= 0x55;

  /* A bad checksum (last byte of the only Block's CRC64 is just before the
   * Index): corrupt, too. */
  {
    buffer bad;
    bad.len = xz.len;
    bad.data = xmalloc(bad.len);
    memcpy(bad.data, xz.data, xz.len);
    bad.data[0] = 'X'; /* not a known format at all */
    CHECK_CODE(
        parxz_decompress_buffer(NULL, bad.data, bad.len, out, in.len, &n),
        PARXZ_E_CORRUPT_DATA);
    free(bad.data);
  }

  /* Truncated: TRUNCATED for the one-shot call, with the offset. */
  CHECK_CODE(
      parxz_decompress_buffer(NULL, xz.data, xz.len - 3, out, in.len + 10, &n),
      PARXZ_E_TRUNCATED);
  CHECK_CONTAINS(parxz_last_error_message(), "ended before");
  CHECK_CODE(parxz_decompress_buffer(NULL, xz.data, 0, out, in.len, &n),
             PARXZ_E_TRUNCATED);

  /* Output too small for compress_buffer. */
  CHECK_CODE(parxz_compress_buffer(NULL, in.data, in.len, out, 100, &n),
             PARXZ_E_TRUNCATED);
  CHECK_CONTAINS(parxz_last_error_message(), "too small");
  {
    parxz_compress_options o;
    parxz_compress_options_init(&o);
    o.threads = 2;
    CHECK_CODE(parxz_compress_buffer(&o, in.data, in.len, out, 100, &n),
               PARXZ_E_TRUNCATED);
    CHECK_CONTAINS(parxz_last_error_message(), "too small");
    CHECK(n == 0);
  }
  free(in.data), free(xz.data), free(out);
}

static void test_memlimit(void) {
  buffer in = mixed_data(1000, 2);
  buffer xz = compress_whole(NULL, in); /* -6: 8 MiB dictionary */
  parxz_decompress_options d;
  parxz_decompressor *dec = NULL;
  unsigned char out[2000];
  size_t n = 0;
  parxz_decompress_options_init(&d);
  d.memlimit = 1 << 20;
  CHECK_CODE(parxz_decompress_buffer(&d, xz.data, xz.len, out, sizeof out, &n),
             PARXZ_E_MEMLIMIT);
  CHECK_CODE(parxz_decompressor_new(&d, &dec), PARXZ_OK);
  CHECK_CODE(
      parxz_decompressor_decompress(dec, xz.data, xz.len, out, sizeof out, &n),
      PARXZ_E_MEMLIMIT);
  CHECK(strlen(parxz_decompressor_error_message(dec)) > 0);
  parxz_decompressor_free(dec);
  d.memlimit = 64 << 20;
  CHECK_CODE(parxz_decompress_buffer(&d, xz.data, xz.len, out, sizeof out, &n),
             PARXZ_OK);
  CHECK(n == in.len && memcmp(out, in.data, n) == 0);
  free(in.data), free(xz.data);
}

/* threads == 0 here means "the sequential compressor". */
static void misuse_after_finish(unsigned threads) {
  parxz_compress_options o;
  parxz_compressor *c = NULL;
  unsigned char out[4096];
  size_t used = 0, n = 0, total = 0;
  int finished = 0;
  parxz_compress_options_init(&o);
  if (threads == 0) {
    o.sequential = 1;
  } else {
    o.threads = threads;
  }
  CHECK_CODE(parxz_compressor_new(&o, &c), PARXZ_OK);
  CHECK_CODE(
      parxz_compressor_compress(c, "hello", 5, &used, out, sizeof out, &n),
      PARXZ_OK);
  CHECK(used == 5);
  total = n;
  CHECK_CODE(parxz_compressor_finish(c, out + total, sizeof out - total, &n,
                                     &finished),
             PARXZ_OK);
  total += n;
  CHECK(finished == 1);
  CHECK(strcmp(parxz_compressor_error_message(c), "") == 0);
  {
    buffer xz, plain;
    xz.data = out;
    xz.len = total;
    plain.data = (unsigned char *)"hello";
    plain.len = 5;
    CHECK(xz_decodes_to("", xz, plain));
  }
  CHECK_CODE(parxz_compressor_compress(c, "x", 1, &used, out, sizeof out, &n),
             PARXZ_E_MISUSE);
  CHECK(used == 0 && n == 0);
  CHECK_CONTAINS(parxz_compressor_error_message(c), "finish");
  CHECK_CODE(parxz_compressor_finish(c, out, sizeof out, &n, &finished),
             PARXZ_E_MISUSE);
  CHECK(finished == 0);
  parxz_compressor_free(c);

  /* finish() twice after it reported completion. */
  CHECK_CODE(parxz_compressor_new(&o, &c), PARXZ_OK);
  CHECK_CODE(parxz_compressor_finish(c, out, sizeof out, &n, &finished),
             PARXZ_OK);
  CHECK(finished == 1);
  CHECK_CODE(parxz_compressor_finish(c, out, sizeof out, &n, &finished),
             PARXZ_E_MISUSE);
  parxz_compressor_free(c);

  /* finish() with no room at all, then with room. */
  CHECK_CODE(parxz_compressor_new(&o, &c), PARXZ_OK);
  CHECK_CODE(parxz_compressor_finish(c, NULL, 0, &n, &finished), PARXZ_OK);
  CHECK(finished == 0 && n == 0);
  CHECK_CODE(parxz_compressor_finish(c, out, sizeof out, &n, &finished),
             PARXZ_OK);
  CHECK(finished == 1 && n > 0);
  /* Freeing an unfinished compressor is fine, too. */
  parxz_compressor_free(c);
  CHECK_CODE(parxz_compressor_new(&o, &c), PARXZ_OK);
  CHECK_CODE(parxz_compressor_compress(c, "abc", 3, &used, out, sizeof out, &n),
             PARXZ_OK);
  parxz_compressor_free(c);
}

static void test_misuse(void) {
  misuse_after_finish(0);
  misuse_after_finish(1);
  misuse_after_finish(2);
}

static void test_null_arguments(void) {
  parxz_compressor *c = NULL;
  parxz_decompressor *d = NULL;
  unsigned char out[64];
  size_t n = 0, used = 0, len = 7;
  int finished = 0;
  uint64_t mem = 0;

  CHECK_CODE(parxz_compressor_new(NULL, NULL), PARXZ_E_BAD_OPTIONS);
  CHECK_CONTAINS(parxz_last_error_message(), "NULL");
  CHECK_CODE(parxz_decompressor_new(NULL, NULL), PARXZ_E_BAD_OPTIONS);
  CHECK_CODE(parxz_compress_memusage(NULL, NULL), PARXZ_E_BAD_OPTIONS);
  CHECK_CODE(parxz_compress_memusage(NULL, &mem), PARXZ_OK);
  CHECK(mem > 0);
  CHECK_CODE(parxz_compress_buffer(NULL, "a", 1, out, sizeof out, NULL),
             PARXZ_E_BAD_OPTIONS);
  CHECK_CODE(parxz_compress_buffer(NULL, NULL, 1, out, sizeof out, &n),
             PARXZ_E_BAD_OPTIONS);
  CHECK_CODE(parxz_compress_buffer(NULL, "a", 1, NULL, 64, &n),
             PARXZ_E_BAD_OPTIONS);
  CHECK_CODE(parxz_compress_buffer(NULL, NULL, 0, out, sizeof out, &n),
             PARXZ_OK); /* empty input may be NULL */
  CHECK_CODE(parxz_decompress_buffer(NULL, "a", 1, out, sizeof out, NULL),
             PARXZ_E_BAD_OPTIONS);
  CHECK_CODE(parxz_decompress_buffer(NULL, NULL, 5, out, sizeof out, &n),
             PARXZ_E_BAD_OPTIONS);

  CHECK_CODE(parxz_compressor_compress(NULL, "a", 1, &used, out, 64, &n),
             PARXZ_E_BAD_OPTIONS);
  CHECK_CODE(parxz_compressor_finish(NULL, out, 64, &n, &finished),
             PARXZ_E_BAD_OPTIONS);
  CHECK(parxz_compressor_total_in(NULL) == 0);
  CHECK(parxz_compressor_total_out(NULL) == 0);
  CHECK(strcmp(parxz_compressor_error_message(NULL), "") == 0);
  parxz_compressor_free(NULL);

  CHECK_CODE(parxz_decompressor_decompress(NULL, "a", 1, out, 64, &n),
             PARXZ_E_BAD_OPTIONS);
  CHECK(parxz_decompressor_eof(NULL) == 0);
  CHECK(parxz_decompressor_needs_input(NULL) == 0);
  CHECK(parxz_decompressor_unused_data(NULL, &len) != NULL && len == 0);
  CHECK(parxz_decompressor_check(NULL) == PARXZ_CHECK_UNKNOWN);
  CHECK(parxz_decompressor_total_in(NULL) == 0);
  CHECK(parxz_decompressor_total_out(NULL) == 0);
  CHECK(strcmp(parxz_decompressor_error_message(NULL), "") == 0);
  parxz_decompressor_free(NULL);
  parxz_compress_options_init(NULL);
  parxz_decompress_options_init(NULL);

  /* NULL pointers on live handles: rejected, and the handle still works. */
  CHECK_CODE(parxz_compressor_new(NULL, &c), PARXZ_OK);
  CHECK_CODE(parxz_compressor_compress(c, "a", 1, NULL, out, 64, &n),
             PARXZ_E_BAD_OPTIONS);
  CHECK_CODE(parxz_compressor_compress(c, "a", 1, &used, out, 64, NULL),
             PARXZ_E_BAD_OPTIONS);
  CHECK_CODE(parxz_compressor_compress(c, NULL, 1, &used, out, 64, &n),
             PARXZ_E_BAD_OPTIONS);
  CHECK_CODE(parxz_compressor_compress(c, "a", 1, &used, NULL, 64, &n),
             PARXZ_E_BAD_OPTIONS);
  CHECK_CODE(parxz_compressor_finish(c, out, 64, NULL, &finished),
             PARXZ_E_BAD_OPTIONS);
  CHECK_CODE(parxz_compressor_finish(c, out, 64, &n, NULL),
             PARXZ_E_BAD_OPTIONS);
  CHECK_CODE(parxz_compressor_finish(c, NULL, 64, &n, &finished),
             PARXZ_E_BAD_OPTIONS);
  CHECK(strcmp(parxz_compressor_error_message(c), "") == 0);
  CHECK_CODE(parxz_compressor_compress(c, "a", 1, &used, out, 64, &n),
             PARXZ_OK);
  parxz_compressor_free(c);

  CHECK_CODE(parxz_decompressor_new(NULL, &d), PARXZ_OK);
  CHECK_CODE(parxz_decompressor_decompress(d, NULL, 3, out, 64, &n),
             PARXZ_E_BAD_OPTIONS);
  CHECK_CODE(parxz_decompressor_decompress(d, "abc", 3, NULL, 64, &n),
             PARXZ_E_BAD_OPTIONS);
  CHECK_CODE(parxz_decompressor_decompress(d, "abc", 3, out, 64, NULL),
             PARXZ_E_BAD_OPTIONS);
  CHECK(strcmp(parxz_decompressor_error_message(d), "") == 0);
  CHECK(parxz_decompressor_total_in(d) == 0);
  parxz_decompressor_free(d);
}

/* parxz_decompress_buffer with threads != 1: the parallel decoder, with the
 * same output and the same error codes as the sequential one. */
static void test_parallel_decompress(void) {
  buffer in = mixed_data(600000, 31);
  parxz_compress_options o;
  parxz_decompress_options d;
  buffer xz, out;
  unsigned char *big = xmalloc(in.len + 10);
  size_t n = 0;
  parxz_compress_options_init(&o);
  o.threads = 2;
  o.block_size = 100000;
  xz = compress_whole(&o, in);
  parxz_decompress_options_init(&d);
  d.threads = 2;
  out = decompress_whole(&d, xz, in.len);
  CHECK(same(out, in));
  free(out.data);
  d.threads = 0;
  out = decompress_whole(&d, xz, in.len + 10);
  CHECK(same(out, in));
  free(out.data);
  d.threads = 2;
  CHECK_CODE(parxz_decompress_buffer(&d, xz.data, xz.len, big, in.len - 1, &n),
             PARXZ_E_TRUNCATED);
  CHECK_CONTAINS(parxz_last_error_message(), "too small");
  CHECK_CODE(
      parxz_decompress_buffer(&d, xz.data, xz.len - 3, big, in.len + 10, &n),
      PARXZ_E_TRUNCATED);
  xz.data[xz.len / 2] ^= 0x55;
  CHECK_CODE(parxz_decompress_buffer(&d, xz.data, xz.len, big, in.len + 10, &n),
             PARXZ_E_CORRUPT_DATA);
  CHECK_CONTAINS(parxz_last_error_message(), "at compressed byte");
  xz.data[xz.len / 2] ^= 0x55;
  d.memlimit = 1 << 20; /* -6 needs ~9 MiB to decode */
  CHECK_CODE(parxz_decompress_buffer(&d, xz.data, xz.len, big, in.len + 10, &n),
             PARXZ_E_MEMLIMIT);
  free(in.data), free(xz.data), free(big);
}

int main(void) {
  test_names();
  test_sequential_round_trip();
  test_defaults_do_not_depend_on_threads();
  test_parallel_round_trip();
  test_checks_and_formats();
  test_decompressor_incremental();
  test_concatenated();
  test_bounds();
  test_bad_options();
  test_corrupt_data();
  test_memlimit();
  test_parallel_decompress();
  test_misuse();
  test_null_arguments();
  printf("%d checks, %d failures\n", g_checks, g_failures);
  return g_failures == 0 ? 0 : 1;
}
