/* Compresses FILE into OUT.xz with 2 threads, decompresses it back and
 * checks the round trip. Build against an installed parxz:
 *   cc example.c $(pkg-config --cflags --libs parxz) -o example */
#include <parxz.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

int main(int argc, char **argv) {
  parxz_compress_options o;
  size_t n = 0, cap, xz_len, back_len;
  unsigned char *in, *xz, *back;
  FILE *out;
  if (argc != 3) return fprintf(stderr, "usage: example FILE OUT.xz\n"), 2;
  parxz_compress_options_init(&o);
  o.threads = 2;          /* the parallel compressor, 2 worker threads */
  o.block_size = 1 << 20; /* 1 MiB Blocks */
  in = read_file(argv[1], &n);
  cap = parxz_compress_bound(n, &o);
  xz = malloc(cap);
  back = malloc(n + 1);
  if (!in || !xz || !back) return perror("example"), 1;
  if (parxz_compress_buffer(&o, in, n, xz, cap, &xz_len) != PARXZ_OK ||
      parxz_decompress_buffer(NULL, xz, xz_len, back, n + 1, &back_len) != 0) {
    fprintf(stderr, "example: %s\n", parxz_last_error_message());
    return 1;
  }
  out = fopen(argv[2], "wb");
  if (!out || fwrite(xz, 1, xz_len, out) != xz_len || fclose(out) != 0)
    return perror(argv[2]), 1;
  if (back_len != n || memcmp(in, back, n) != 0)
    return fprintf(stderr, "example: round trip differs\n"), 1;
  printf("%lu -> %lu bytes, round trip ok\n", (unsigned long)n,
         (unsigned long)xz_len);
  free(in), free(xz), free(back);
  return 0;
}
