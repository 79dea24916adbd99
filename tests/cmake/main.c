/* Compresses FILE into OUT.xz with the streaming C API (2 threads, 1 MiB
 * Blocks, input fed in 64 KiB pieces into a 16 KiB output buffer), reads
 * OUT.xz back with the one-shot call and checks the round trip. Built by
 * tests/cmake/CMakeLists.txt against an installed parxz; the test script
 * checks OUT.xz with xz -d as well. */
#include <parxz.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { kPiece = 64 << 10, kOutCap = 16 << 10 };

static unsigned char *read_file(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  unsigned char *buf = NULL;
  long n;
  if (f && fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 &&
      fseek(f, 0, SEEK_SET) == 0 && (buf = malloc((size_t)n + 1)) != NULL)
    *len = fread(buf, 1, (size_t)n, f);
  if (f) fclose(f);
  return buf;
}

static int fail(const char *what, const char *message) {
  fprintf(stderr, "round_trip: %s: %s\n", what, message);
  return 1;
}

int main(int argc, char **argv) {
  parxz_compress_options o;
  parxz_compressor *c = NULL;
  unsigned char *in, *xz, *back, chunk[kOutCap];
  size_t n = 0, xz_len = 0, cap, back_len, pos = 0, used, got;
  int finished = 0;
  if (argc != 3) return fprintf(stderr, "usage: round_trip FILE OUT.xz\n"), 2;
  parxz_compress_options_init(&o);
  o.threads = 2;
  o.block_size = 1 << 20;
  in = read_file(argv[1], &n);
  cap = parxz_compress_bound(n, &o);
  xz = malloc(cap);
  back = malloc(n + 1);
  if (!in || !xz || !back) return perror("round_trip"), 1;
  if (parxz_compressor_new(&o, &c) != PARXZ_OK)
    return fail("new", parxz_last_error_message());
  while (pos < n) {
    size_t piece = n - pos < kPiece ? n - pos : kPiece;
    if (parxz_compressor_compress(c, in + pos, piece, &used, chunk, kOutCap,
                                  &got) != PARXZ_OK)
      return fail("compress", parxz_compressor_error_message(c));
    if (xz_len + got > cap) return fail("compress", "output above the bound");
    memcpy(xz + xz_len, chunk, got);
    xz_len += got;
    pos += used;
  }
  while (!finished) {
    if (parxz_compressor_finish(c, chunk, kOutCap, &got, &finished) !=
        PARXZ_OK)
      return fail("finish", parxz_compressor_error_message(c));
    if (xz_len + got > cap) return fail("finish", "output above the bound");
    memcpy(xz + xz_len, chunk, got);
    xz_len += got;
  }
  parxz_compressor_free(c);
  if (parxz_decompress_buffer(NULL, xz, xz_len, back, n + 1, &back_len) !=
      PARXZ_OK)
    return fail("decompress", parxz_last_error_message());
  if (back_len != n || memcmp(in, back, n) != 0)
    return fail("round trip", "the data differs");
  {
    FILE *out = fopen(argv[2], "wb");
    if (!out || fwrite(xz, 1, xz_len, out) != xz_len || fclose(out) != 0)
      return perror(argv[2]), 1;
  }
  printf("%s: %lu -> %lu bytes, round trip ok\n", parxz_version(),
         (unsigned long)n, (unsigned long)xz_len);
  free(in), free(xz), free(back);
  return 0;
}
