/* PARXZ_BLOCK_SIZE_AUTO through the C API, from C99: the one-shot call sizes
 * Blocks from in_len and the threads, the streaming handle (size unknown)
 * keeps xz's default. Blocks are read back with liblzma's Index decoder and
 * the data with liblzma's stream decoder, both independent of parxz. */
#include <lzma.h>
#include <parxz.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MiB ((size_t)1 << 20)

static int failures = 0;
#define CHECK(cond)                                                            \
  do {                                                                         \
    if (!(cond)) {                                                             \
      fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
      ++failures;                                                              \
    }                                                                          \
  } while (0)

/* Text-like bytes from a fixed seed. */
static void fill(unsigned char *p, size_t n) {
  uint32_t x = 12345;
  size_t i;
  for (i = 0; i < n; ++i) {
    x = x * 1103515245u + 12345u;
    p[i] = (unsigned char)("abcdefgh ij\n"[(x >> 16) % 12]);
  }
}

/* The uncompressed size of every Block, from the stream's Index. */
static size_t block_sizes(const unsigned char *xz, size_t len, uint64_t *sizes,
                          size_t max) {
  lzma_stream_flags footer;
  lzma_index *index = NULL;
  uint64_t memlimit = UINT64_MAX;
  size_t pos = 0, n = 0;
  lzma_index_iter it;
  if (lzma_stream_footer_decode(&footer, xz + len - 12) != LZMA_OK) return 0;
  pos = len - 12 - (size_t)footer.backward_size;
  if (lzma_index_buffer_decode(&index, &memlimit, NULL, xz, &pos, len - 12) !=
      LZMA_OK) {
    return 0;
  }
  lzma_index_iter_init(&it, index);
  while (!lzma_index_iter_next(&it, LZMA_INDEX_ITER_BLOCK) && n < max) {
    sizes[n++] = it.block.uncompressed_size;
  }
  lzma_index_end(index, NULL);
  return n;
}

static int decodes_to(const unsigned char *xz, size_t len,
                      const unsigned char *want, size_t want_len) {
  unsigned char *out = malloc(want_len + 1);
  uint64_t memlimit = UINT64_MAX;
  size_t in_pos = 0, out_pos = 0;
  int ok;
  ok = lzma_stream_buffer_decode(&memlimit, 0, NULL, xz, &in_pos, len, out,
                                 &out_pos, want_len + 1) == LZMA_OK &&
       out_pos == want_len && memcmp(out, want, want_len) == 0;
  free(out);
  return ok;
}

int main(void) {
  const size_t n = 3 * MiB + 5;
  unsigned char *in = malloc(n);
  unsigned char *out, *again;
  size_t cap, out_len = 0, again_len = 0, used = 0, got = 0, k;
  uint64_t sizes[16];
  parxz_compress_options o;
  parxz_compressor *c = NULL;
  int finished = 0;

  fill(in, n);
  parxz_compress_options_init(&o);
  o.preset = 9;
  o.threads = 2;
  o.block_size = PARXZ_BLOCK_SIZE_AUTO;
  cap = parxz_compress_bound(n, &o);
  CHECK(cap > n);
  out = malloc(cap);
  again = malloc(cap);

  /* One-shot: ceil(n / 2) rounded up to 2 MiB; the rest in a second Block. */
  CHECK(parxz_compress_buffer(&o, in, n, out, cap, &out_len) == PARXZ_OK);
  CHECK(decodes_to(out, out_len, in, n));
  k = block_sizes(out, out_len, sizes, 16);
  CHECK(k == 2);
  CHECK(k == 2 && sizes[0] == 2 * MiB && sizes[1] == n - 2 * MiB);
  /* The same call again: the same bytes. */
  CHECK(parxz_compress_buffer(&o, in, n, again, cap, &again_len) == PARXZ_OK);
  CHECK(again_len == out_len && memcmp(again, out, out_len) == 0);

  /* Four threads: 1 MiB Blocks. */
  o.threads = 4;
  CHECK(parxz_compress_buffer(&o, in, n, out, cap, &out_len) == PARXZ_OK);
  CHECK(decodes_to(out, out_len, in, n));
  CHECK(block_sizes(out, out_len, sizes, 16) == 4);

  /* The streaming handle does not know the size: xz's default, one Block
   * (192 MiB at -9) for this input. */
  o.threads = 2;
  CHECK(parxz_compressor_new(&o, &c) == PARXZ_OK);
  CHECK(parxz_compressor_compress(c, in, n, &used, out, cap, &got) == PARXZ_OK);
  CHECK(used == n);
  out_len = got;
  while (!finished) {
    CHECK(parxz_compressor_finish(c, out + out_len, cap - out_len, &got,
                                  &finished) == PARXZ_OK);
    out_len += got;
    if (got == 0 && !finished) break;
  }
  parxz_compressor_free(c);
  CHECK(decodes_to(out, out_len, in, n));
  CHECK(block_sizes(out, out_len, sizes, 16) == 1);

  /* Sequential compression has no Blocks to size: an error, as for any
   * block_size. */
  o.sequential = 1;
  CHECK(parxz_compress_buffer(&o, in, n, out, cap, &out_len) != PARXZ_OK);

  free(in);
  free(out);
  free(again);
  if (failures == 0) printf("capi_auto_block_test: all passed\n");
  return failures == 0 ? 0 : 1;
}
