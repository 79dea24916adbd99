/* parxz random access, C API (included by parxz.h; C99, C++, Fortran through
 * ISO_C_BINDING). A reader opens a seekable .xz file, reads its Index (the
 * table of Blocks at the end of each Stream) and then decodes, for each
 * pread-style call, only the Blocks that hold the requested bytes.
 *
 *   parxz_reader *r;
 *   parxz_reader_options o;
 *   parxz_reader_options_init(&o);          // threads 1: reads on the caller
 *   if (parxz_reader_open_file("field.xz", &o, &r) != PARXZ_OK)
 *     fprintf(stderr, "%s\n", parxz_last_error_message());
 *   #pragma omp parallel for                // one reader, many threads
 *   for (long s = 0; s < slabs; ++s) {
 *     size_t got;
 *     if (parxz_reader_pread(r, buf[s], slab, (uint64_t)s * slab, &got))
 *       fprintf(stderr, "%s\n", parxz_last_error_message());
 *   }
 *   parxz_reader_free(r);
 *
 * Any .xz whose Streams carry their Index works (xz -T1 one-Block files,
 * xz -T2, pixz, parxz; several Streams; Stream Padding), read from a path, a
 * regular file's descriptor, a buffer in memory, or the caller's own
 * positioned read (parxz_read_fn). Opening checks the whole file's
 * structure (every Stream Header, Index and Footer); each Block is checked
 * (header against the Index, data, sizes, Check) when a read decodes it.
 *
 * Errors: calls return PARXZ_OK or a PARXZ_E_* code with the message in the
 * calling thread's parxz_last_error_message(), naming the Block and the
 * compressed offset for a Block that fails ("random access failed: ...
 * Block 3 of Stream 1 at compressed byte 1234"). Unlike the streaming
 * handles, a reader's errors do not stick: a corrupt Block fails every read
 * that touches it and no other, so threads reading other parts go on (as
 * pread(2) with a bad sector); and the message is per thread, not per
 * handle, so concurrent failures never overwrite each other. A truncated
 * file, or one whose Stream Headers, Indexes or Footers are damaged, fails
 * to open (PARXZ_E_CORRUPT_DATA or PARXZ_E_TRUNCATED); a damaged Block
 * fails the reads that touch it (PARXZ_E_CORRUPT_DATA); a Block that needs
 * more than memlimit is PARXZ_E_MEMLIMIT; a failed read of the input is
 * PARXZ_E_IO.
 *
 * Thread safety: parxz_reader_pread() may be called from any number of
 * threads at once on one reader; the getters too. Open and free are not
 * concurrent with other calls on the same reader.
 *
 * Threads and memory: with threads = 1 (the default, as elsewhere in the
 * C API) every read runs on its caller's thread, which is what an OpenMP
 * loop over one reader wants. With threads = N (0: the CPUs this process
 * may run on, as parxz_resolve_threads), a read spanning several Blocks
 * decodes them on the reader's own N threads, shared by all callers. The
 * reader keeps at most cache_blocks partly read Blocks (a bound in Blocks:
 * each costs up to its uncompressed size, plus its decoder's memory and,
 * for file and callback inputs, its compressed size), so that reading a
 * file front to back in small pieces decodes each Block once and threads
 * reading the same Block decode it once. Peak memory, with C threads
 * calling at once and Blocks of at most U uncompressed and K compressed
 * bytes and decoders of D bytes: about (cache_blocks + 2 C) x (U + K + D),
 * plus K + D per whole Block decoding at that moment (at most C of them
 * with threads = 1, C + threads - 1 otherwise), plus the Index. */
#ifndef PARXZ_READER_H_
#define PARXZ_READER_H_

#include <stddef.h>
#include <stdint.h>

#ifndef PARXZ_API
#if defined(__GNUC__)
#define PARXZ_API __attribute__((visibility("default")))
#else
#define PARXZ_API
#endif
#endif

#ifdef __cplusplus
extern "C" {
#endif

typedef struct parxz_reader_options {
  uint32_t threads;  /* 1 (default): reads run on the calling thread; 0 =
                        the CPUs this process may run on; N: Blocks of one
                        read decoded on N threads */
  uint64_t memlimit; /* bytes a Block's decoder (and the Index) may use; 0
                        = no limit (default) */
  uint64_t cache_blocks; /* partly read Blocks kept; 2 (default); 0 keeps
                            none */
} parxz_reader_options;

PARXZ_API void parxz_reader_options_init(parxz_reader_options *options);

/* A caller's positioned read: copy up to n bytes of the .xz input starting
 * at `offset` into dst and return how many were copied; fewer than n only
 * where the input ends. Return PARXZ_READ_ERROR on failure: the reader call
 * that needed the bytes then fails with PARXZ_E_IO ("read callback failed
 * at offset ..."). It may be called from several threads at once (with
 * threads != 1 or concurrent parxz_reader_pread calls). */
typedef size_t (*parxz_read_fn)(void *opaque, uint64_t offset, void *dst,
                                size_t n);
#define PARXZ_READ_ERROR SIZE_MAX

/* One Block as the Index records it. Offsets are from the start of the
 * file (compressed) or of the data (uncompressed). */
typedef struct parxz_block_info {
  uint64_t compressed_offset; /* of its Block Header */
  uint64_t total_size;        /* compressed: header + data + padding + check */
  uint64_t uncompressed_offset;
  uint64_t uncompressed_size;
  uint32_t stream;           /* 1-based Stream number */
  int32_t check;             /* PARXZ_CHECK_* of its Stream (or 2..15) */
  uint64_t number_in_stream; /* 1-based, as `xz -lv` prints it */
} parxz_block_info;

typedef struct parxz_reader parxz_reader;

/* Open a reader (options NULL: defaults); *out is NULL on failure. */
PARXZ_API int parxz_reader_open_file(const char *path,
                                     const parxz_reader_options *options,
                                     parxz_reader **out);
/* A regular file's descriptor; not owned (the reader reads a duplicate, so
 * fd may be closed right after). Pipes and terminals: PARXZ_E_BAD_OPTIONS. */
PARXZ_API int parxz_reader_open_fd(int fd, const parxz_reader_options *options,
                                   parxz_reader **out);
/* `len` bytes at `xz`, not copied: they must stay alive and unchanged until
 * parxz_reader_free(). */
PARXZ_API int parxz_reader_open_buffer(const void *xz, size_t len,
                                       const parxz_reader_options *options,
                                       parxz_reader **out);
/* `size` bytes read through read(opaque, ...), kept until
 * parxz_reader_free(). */
PARXZ_API int parxz_reader_open_callback(parxz_read_fn read, void *opaque,
                                         uint64_t size,
                                         const parxz_reader_options *options,
                                         parxz_reader **out);

/* Uncompressed size of the whole file (0 for NULL). */
PARXZ_API uint64_t parxz_reader_size(const parxz_reader *r);
/* Size of the .xz input, Stream Padding included (0 for NULL). */
PARXZ_API uint64_t parxz_reader_compressed_size(const parxz_reader *r);
/* Number of Streams / Blocks (0 for NULL). */
PARXZ_API uint32_t parxz_reader_stream_count(const parxz_reader *r);
PARXZ_API uint64_t parxz_reader_block_count(const parxz_reader *r);
/* Block `index` (0-based, in file order) into *info; PARXZ_E_BAD_OPTIONS
 * for an index >= the Block count. */
PARXZ_API int parxz_reader_block_info(const parxz_reader *r, uint64_t index,
                                      parxz_block_info *info);
/* The index of the Block holding uncompressed byte `offset`, or the Block
 * count when offset >= parxz_reader_size() (Blocks of size 0 never hold a
 * byte). */
PARXZ_API uint64_t parxz_reader_block_at(const parxz_reader *r,
                                         uint64_t offset);

/* Copies uncompressed bytes [offset, offset + n) into dst; *out_len gets
 * min(n, size - offset) (0 when offset >= size: reading past the end is not
 * an error, as pread(2)). Decodes only the Blocks the range touches. Safe
 * from many threads at once on one reader. On failure *out_len is 0 and
 * the contents of dst are unspecified. */
PARXZ_API int parxz_reader_pread(parxz_reader *r, void *dst, size_t n,
                                 uint64_t offset, size_t *out_len);

/* Frees the reader (NULL is fine); not concurrently with its reads. */
PARXZ_API void parxz_reader_free(parxz_reader *r);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* PARXZ_READER_H_ */
