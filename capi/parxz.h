/* parxz: parallel .xz compression, C API (C99; also C++, and Fortran through
 * ISO_C_BINDING: every type below is a plain int, fixed-width integer,
 * size_t or pointer).
 *
 *   parxz_compress_options o;
 *   parxz_compress_options_init(&o);
 *   o.threads = 2;                               // Blocks on 2 threads
 *   size_t cap = parxz_compress_bound(in_len, &o), n;
 *   unsigned char *xz = malloc(cap);
 *   if (parxz_compress_buffer(&o, in, in_len, xz, cap, &n) != PARXZ_OK)
 *     fprintf(stderr, "%s\n", parxz_last_error_message());
 *
 * Conventions:
 * - Every call that can fail returns an int: PARXZ_OK (0) or one of the
 *   PARXZ_E_* codes, which are the numbers of parxz::ErrorCode in C++.
 * - Handle-less calls (parxz_*_new, the *_buffer calls, the bounds) record
 *   their failure in a thread-local "last error" (parxz_last_error_message());
 *   calls on a handle record it in the handle as well
 *   (parxz_compressor_error_message()). Successful calls leave both alone.
 * - Errors stick: once a call on a handle failed, every later call on it
 *   returns the same code (except PARXZ_E_BAD_OPTIONS for a NULL or invalid
 *   argument, which is rejected before the handle is touched).
 * - Output is complete only when parxz_compressor_finish() reported
 *   *finished = 1; parxz_*_free() frees and never finishes.
 * - Thread safety: a handle is used by one thread at a time; distinct handles
 *   are independent and may be used concurrently from any threads (except
 *   parxz_reader, parxz_reader.h: many threads read one reader at once, and
 *   its errors go to each thread's last error and do not stick). The
 *   whole-buffer calls, the bounds and the getters without a handle are safe
 *   to call from any number of threads at once.
 * - No C++ exception ever leaves this library; allocation failures are
 *   PARXZ_E_OUT_OF_MEMORY.
 * - Defaults differ from C++ in one place on purpose: threads. The C API
 *   compresses on 1 thread unless asked (threads = 0 means all cores, N means
 *   N), because a library call in HPC code, often one per MPI rank, must not
 *   take every core unasked; C++'s ParallelOptions::threads defaults to 0
 *   (all cores). Options are checked by the C++ library itself, with the
 *   same messages (those of Python's lzma module, e.g. "Cannot specify both
 *   preset and filter chain").
 */
#ifndef PARXZ_H_
#define PARXZ_H_

#include <stddef.h>
#include <stdint.h>

#if defined(__GNUC__)
#define PARXZ_API __attribute__((visibility("default")))
#else
#define PARXZ_API
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Error codes (stable; equal to parxz::ErrorCode) ------------------- */
enum {
  PARXZ_OK = 0,
  PARXZ_E_CORRUPT_DATA = 1,  /* not valid compressed data, or bad checksum */
  PARXZ_E_TRUNCATED = 2,     /* input ended early; for the *_buffer calls
                                also: the output buffer is too small (the
                                message says which) */
  PARXZ_E_UNSUPPORTED = 3,   /* format, check or option not supported */
  PARXZ_E_MEMLIMIT = 4,      /* decoding needs more than the memlimit */
  PARXZ_E_OUT_OF_MEMORY = 5, /* an allocation failed */
  PARXZ_E_BAD_OPTIONS = 6,   /* invalid argument: options, filter, NULL */
  PARXZ_E_MISUSE = 7,        /* call not allowed now (e.g. after finish) */
  PARXZ_E_END_OF_STREAM = 8, /* decompress called after the end of stream */
  PARXZ_E_IO = 9,            /* reading or writing failed */
  PARXZ_E_INTERNAL = 10,     /* a bug in parxz or liblzma */
  PARXZ_E_CANCELLED = 11     /* the operation was cancelled */
};

/* Short lowercase name of a code ("corrupt data"); never NULL. */
PARXZ_API const char *parxz_error_name(int code);
/* Message of the last failed call in this thread, e.g. "decompress failed:
 * Corrupt input data (at compressed byte 1234)"; "" if none. Valid until the
 * next failing call in this thread. */
PARXZ_API const char *parxz_last_error_message(void);
/* The library version, "MAJOR.MINOR.PATCH". */
PARXZ_API const char *parxz_version(void);
/* The threads a call given `threads` uses, for an HPC code to log: 0 means
 * the CPUs this process may run on (its CPU affinity mask, e.g. an MPI
 * launcher's binding or taskset, and its cgroup CPU quota, whichever is
 * smaller; at least 1); N means N, also beyond those CPUs (as `xz -T N`).
 * When `cpus` is not NULL, *cpus receives the CPUs this process may run on,
 * so that threads > *cpus shows oversubscription. Safe from any thread. */
PARXZ_API uint32_t parxz_resolve_threads(uint32_t threads, uint32_t *cpus);

/* ---- Formats, checks, filters (the numbers of liblzma / Python lzma) --- */
enum {
  PARXZ_FORMAT_AUTO = 0, /* decoding only: .xz, .lzma or .lz */
  PARXZ_FORMAT_XZ = 1,
  PARXZ_FORMAT_ALONE = 2, /* legacy .lzma: LZMA1 only, no check */
  PARXZ_FORMAT_RAW = 3    /* bare filter chain; needs filters */
};

enum {
  PARXZ_CHECK_DEFAULT = -1, /* compress options: CRC64 for .xz */
  PARXZ_CHECK_NONE = 0,
  PARXZ_CHECK_CRC32 = 1,
  PARXZ_CHECK_CRC64 = 4,
  PARXZ_CHECK_SHA256 = 10,
  PARXZ_CHECK_UNKNOWN = 16 /* decoder: not known yet */
};

#define PARXZ_FILTER_LZMA1 UINT64_C(0x4000000000000001)
#define PARXZ_FILTER_LZMA2 UINT64_C(0x21)
#define PARXZ_FILTER_DELTA UINT64_C(0x03)
#define PARXZ_FILTER_X86 UINT64_C(0x04)
#define PARXZ_FILTER_POWERPC UINT64_C(0x05)
#define PARXZ_FILTER_IA64 UINT64_C(0x06)
#define PARXZ_FILTER_ARM UINT64_C(0x07)
#define PARXZ_FILTER_ARMTHUMB UINT64_C(0x08)
#define PARXZ_FILTER_SPARC UINT64_C(0x09)
#define PARXZ_FILTER_ARM64 UINT64_C(0x0A)

enum { PARXZ_MODE_FAST = 1, PARXZ_MODE_NORMAL = 2 };
enum {
  PARXZ_MF_HC3 = 0x03,
  PARXZ_MF_HC4 = 0x04,
  PARXZ_MF_BT2 = 0x12,
  PARXZ_MF_BT3 = 0x13,
  PARXZ_MF_BT4 = 0x14
};

/* Presets are 0..9; OR this in (or set `extreme`) for `xz -6e`. */
#define PARXZ_PRESET_EXTREME UINT32_C(0x80000000)
/* "No preset given" (compress options): 6, unless filters are given. */
#define PARXZ_PRESET_DEFAULT UINT32_C(0xFFFFFFFF)

/* Bits of parxz_filter.set: which option fields hold a value. */
enum {
  PARXZ_SET_PRESET = 1 << 0,
  PARXZ_SET_DICT_SIZE = 1 << 1,
  PARXZ_SET_LC = 1 << 2,
  PARXZ_SET_LP = 1 << 3,
  PARXZ_SET_PB = 1 << 4,
  PARXZ_SET_MODE = 1 << 5,
  PARXZ_SET_NICE_LEN = 1 << 6,
  PARXZ_SET_MF = 1 << 7,
  PARXZ_SET_DEPTH = 1 << 8,
  PARXZ_SET_DIST = 1 << 9,
  PARXZ_SET_START_OFFSET = 1 << 10
};

/* One filter of a chain. A chain is an array of 1..4 of them in the order
 * data passes through when compressing; the last is LZMA1 or LZMA2.
 * Zero the struct, set `id`, then set fields and their PARXZ_SET_* bits:
 *   LZMA1/LZMA2: preset (the base, default 6; may carry
 *                PARXZ_PRESET_EXTREME), then dict_size, lc, lp, pb, mode,
 *                nice_len, mf, depth override it;
 *   DELTA:       dist (1..256, default 1);
 *   BCJ filters: start_offset (default 0).
 * Fields whose bit is clear are ignored. A bit set for a field that does not
 * belong to `id`, or a value out of range, is PARXZ_E_BAD_OPTIONS naming the
 * filter index and field. Example (delta, then LZMA2 with a 1 MiB dict):
 *   parxz_filter f[2];
 *   memset(f, 0, sizeof f);
 *   f[0].id = PARXZ_FILTER_DELTA; f[0].set = PARXZ_SET_DIST; f[0].dist = 4;
 *   f[1].id = PARXZ_FILTER_LZMA2; f[1].set = PARXZ_SET_DICT_SIZE;
 *   f[1].dict_size = 1 << 20; */
typedef struct parxz_filter {
  uint64_t id;  /* PARXZ_FILTER_* */
  uint32_t set; /* PARXZ_SET_* bits */
  uint32_t preset;
  uint32_t dict_size;
  uint32_t lc;
  uint32_t lp;
  uint32_t pb;
  uint32_t mode; /* PARXZ_MODE_* */
  uint32_t nice_len;
  uint32_t mf; /* PARXZ_MF_* */
  uint32_t depth;
  uint32_t dist;
  uint32_t start_offset;
} parxz_filter;

/* ---- Compression -------------------------------------------------------
 * By default .xz is written by the block-parallel compressor: the input is
 * cut into Blocks of block_size bytes compressed on `threads` threads; the
 * bytes depend only on the input, preset/filters, check and block_size (never
 * on threads or on how the input is split into calls) and equal
 * `xz -T2 --block-size=...`. `sequential` selects liblzma's single-Block
 * encoder instead (the bytes of `xz -T1`); .lzma and raw always use it, and
 * there threads and block_size must stay at their defaults. */
typedef struct parxz_compress_options {
  int format;      /* PARXZ_FORMAT_XZ (default), _ALONE or _RAW */
  int check;       /* PARXZ_CHECK_DEFAULT: CRC64 for .xz; ALONE/RAW: NONE */
  uint32_t preset; /* 0..9 (| PARXZ_PRESET_EXTREME); PARXZ_PRESET_DEFAULT */
  int extreme;     /* nonzero: as OR-ing PARXZ_PRESET_EXTREME in; 0 */
  const parxz_filter *filters; /* custom chain instead of preset; NULL */
  size_t num_filters;          /* entries in filters; 0 */
  uint32_t threads; /* 1 (default, unlike C++'s all cores: see the top of
                       this file); 0 = all cores; more than the cores are
                       not started (same output for every value) */
  int sequential; /* nonzero: one Block, sequential (xz -T1 bytes); 0 */
  uint64_t block_size; /* bytes per Block; 0 = max(3 x dict_size, 1 MiB);
                          PARXZ_BLOCK_SIZE_AUTO: sized from the input */
  uint32_t max_blocks_in_flight; /* parallel memory cap; 0 = 2 x threads+1 */
} parxz_compress_options;

/* block_size: Blocks sized so that every thread gets one, where the input
 * size is known (parxz_compress_buffer, parxz_compress_bound with its
 * in_len): ceil(in_len / threads) rounded up to a whole MiB, at most the
 * default max(3 x dict_size, 1 MiB), at least 1 MiB; where that is below the
 * dictionary size, the LZMA2 dictionary is lowered to the smallest size its
 * header stores exactly (2^n or 2^n + 2^(n-1)) that still holds a whole
 * Block, which also lowers the encoders' memory. The bytes then depend on
 * in_len and `threads` (0: the cores), unlike with any other block_size.
 * Where the size is not known (the streaming parxz_compressor_*,
 * parxz_compress_memusage) it is the default. C++: parxz::kBlockSizeAuto. */
#define PARXZ_BLOCK_SIZE_AUTO UINT64_MAX

/* Fills in every default (written next to each field above). Call it first,
 * then change fields. */
PARXZ_API void parxz_compress_options_init(parxz_compress_options *options);

/* Upper bound of the output of parxz_compress_buffer() (and of a whole
 * stream from a compressor handle) for in_len input bytes with these options
 * (NULL: defaults). Returns 0 and sets the last error for invalid options.
 * From the C++ library: block-parallel .xz uses parxz::ParallelCompressBound
 * (every Block at liblzma's lzma_block_buffer_bound, plus headers and
 * Index), the rest parxz::CompressBound (lzma_stream_buffer_bound; for LZMA1
 * chains, .lzma and raw LZMA1, which liblzma gives no bound for,
 * n + n/8 + 4096, a margin above what such data was seen to need). SIZE_MAX
 * if it does not fit in a size_t. */
PARXZ_API size_t parxz_compress_bound(size_t in_len,
                                      const parxz_compress_options *options);

/* Upper bound of the memory compression with these options allocates. */
PARXZ_API int parxz_compress_memusage(const parxz_compress_options *options,
                                      uint64_t *bytes);

/* One-shot: a complete stream for in[0..in_len) written to out; *out_len
 * gets its size. out_cap >= parxz_compress_bound() always suffices;
 * otherwise PARXZ_E_TRUNCATED when it does not fit. */
PARXZ_API int parxz_compress_buffer(const parxz_compress_options *options,
                                    const void *in, size_t in_len, void *out,
                                    size_t out_cap, size_t *out_len);

typedef struct parxz_compressor parxz_compressor;

/* Creates a compressor (options NULL: defaults); *out is NULL on failure. */
PARXZ_API int parxz_compressor_new(const parxz_compress_options *options,
                                   parxz_compressor **out);

/* Takes input and writes compressed bytes, as much of each as possible:
 * *in_used gets the number of input bytes taken (all of them, unless `out`
 * filled up), *out_len the number of bytes written to out. Input may be
 * buffered inside and come out in later calls; call again with the rest of
 * the input (or in_len 0 to drain) while *in_used < in_len. The parallel
 * compressor copies finished Blocks straight into out and holds at most
 * max_blocks_in_flight Blocks: with out full it stops taking input there. */
PARXZ_API int parxz_compressor_compress(parxz_compressor *c, const void *in,
                                        size_t in_len, size_t *in_used,
                                        void *out, size_t out_cap,
                                        size_t *out_len);

/* Ends the stream: writes up to out_cap bytes of its rest and sets *finished
 * to 1 once everything was written; call again (with fresh space) while it
 * is 0. After *finished = 1 every call is PARXZ_E_MISUSE. */
PARXZ_API int parxz_compressor_finish(parxz_compressor *c, void *out,
                                      size_t out_cap, size_t *out_len,
                                      int *finished);

/* Input bytes taken / compressed bytes written so far (0 for NULL). */
PARXZ_API uint64_t parxz_compressor_total_in(const parxz_compressor *c);
PARXZ_API uint64_t parxz_compressor_total_out(const parxz_compressor *c);
/* The message of the error this handle holds; "" if none. Lives as long as
 * the handle. */
PARXZ_API const char *parxz_compressor_error_message(const parxz_compressor *c);
/* Frees the handle (NULL is fine); unfinished output is discarded. */
PARXZ_API void parxz_compressor_free(parxz_compressor *c);

/* ---- Decompression ---------------------------------------------------- */
typedef struct parxz_decompress_options {
  int format;        /* PARXZ_FORMAT_AUTO (default), _XZ, _ALONE or _RAW */
  uint64_t memlimit; /* bytes the decoder may use; 0 = no limit (default,
                        what a zeroed struct says; the C spelling of C++'s
                        std::nullopt memlimit); not with RAW */
  const parxz_filter *filters; /* RAW only (required there); NULL */
  size_t num_filters;          /* 0 */
  uint32_t threads;            /* 1 (default): sequential; otherwise .xz
                                  Blocks are decoded on this many threads
                                  (0 = all cores), with the same output and
                                  errors: by the whole-buffer call, and by
                                  the streaming decompressor for Blocks
                                  whose headers record their sizes (see
                                  parxz_decompressor_decompress). RAW and
                                  ALONE are always sequential. The same
                                  rule as Python's threads= and the C++
                                  front (parallel/decode/decode_front.h) */
} parxz_decompress_options;

PARXZ_API void parxz_decompress_options_init(parxz_decompress_options *options);

/* One-shot: decodes every concatenated stream in in[0..in_len) into out, as
 * Python's lzma.decompress() (trailing bytes that are not a stream, after a
 * first stream, are ignored). PARXZ_E_TRUNCATED when the input ends inside a
 * stream or when the output does not fit in out_cap (see the message). */
PARXZ_API int parxz_decompress_buffer(const parxz_decompress_options *options,
                                      const void *in, size_t in_len, void *out,
                                      size_t out_cap, size_t *out_len);

typedef struct parxz_decompressor parxz_decompressor;

/* Creates a decompressor for one stream (options NULL: defaults).
 * With threads != 1, a multi-Block .xz stream whose Block Headers record
 * their sizes (xz -T, parxz) is decoded ahead on worker threads: each Block
 * as soon as all its compressed bytes have been given, at most 2 x threads
 * Blocks at once, and those within the default soft memory limit (a quarter
 * of RAM) counting per Block its decoder memory + uncompressed size +
 * compressed size. Peak memory is about that limit plus one Block's input.
 * Everything else (.lzma, .lz, raw, Blocks without sizes) is decoded on the
 * calling thread exactly as with threads 1. */
PARXZ_API int parxz_decompressor_new(const parxz_decompress_options *options,
                                     parxz_decompressor **out);

/* Python's LZMADecompressor.decompress(data, max_length): appends in[0..
 * in_len) to the input held inside (all of it is always taken) and writes at
 * most max_length decompressed bytes to out; *out_len gets the count. When
 * the output limit was hit, more output may be ready: call again with
 * in_len 0 while parxz_decompressor_needs_input() is 0 and eof is 0. After
 * the end of the stream it is PARXZ_E_END_OF_STREAM.
 * With threads != 1 a call may return less than the sequential decoder would
 * (Blocks still decoding on workers) but never other bytes: the output so far
 * is always a prefix of the sequential output, and for a whole stream a
 * caller that gives input only while needs_input is 1 and otherwise calls
 * with in_len 0 gets the same bytes, eof, unused data, check and error codes
 * (a truncated stream may ask for input before returning its last complete
 * Blocks; a call with max_length SIZE_MAX returns them). A call made while
 * needs_input is 0 waits for the next Block; one made while it is 1 does not
 * wait. Every byte before an error comes first: a corrupt Block is
 * reported when the output reaches it, after the bytes of it that were
 * decoded before the error, and a call that has output when it meets an
 * error returns PARXZ_OK with that output; the next call returns the error.
 * A stream that ends inside a Block: see parxz_decompressor_end_input(). */
PARXZ_API int parxz_decompressor_decompress(parxz_decompressor *d,
                                            const void *in, size_t in_len,
                                            void *out, size_t max_length,
                                            size_t *out_len);

/* Says that no more input will come (the file ended). With threads != 1 a
 * Block still waiting for the rest of its bytes is then decoded as far as
 * they go, so the following parxz_decompressor_decompress() calls (in_len
 * 0) return its decodable prefix, as the sequential decoder would have, and
 * then needs_input is 1 again with nothing to come (a truncated stream) or
 * the Block's error is returned. With threads 1 it changes nothing. */
PARXZ_API int parxz_decompressor_end_input(parxz_decompressor *d);

/* 1 once the end of the stream was reached (0 for NULL). */
PARXZ_API int parxz_decompressor_eof(const parxz_decompressor *d);
/* 1 if the decompressor wants more input before it can produce output; 0
 * when output is pending (limit hit) or at the end of the stream. With
 * threads != 1 also 0 while the decode-ahead window is full or once the
 * Stream Footer has arrived with output still to come; 1 while there is
 * room for more Blocks, even if Blocks are decoding on workers. */
PARXZ_API int parxz_decompressor_needs_input(const parxz_decompressor *d);
/* The bytes that followed the end of the stream (empty until eof); *len gets
 * their count. The pointer lives until the next call on the handle. */
PARXZ_API const uint8_t *parxz_decompressor_unused_data(
    const parxz_decompressor *d, size_t *len);
/* The stream's check (PARXZ_CHECK_*, or an unnamed ID 2..15);
 * PARXZ_CHECK_UNKNOWN until the header was read; NONE for ALONE/RAW. */
PARXZ_API int parxz_decompressor_check(const parxz_decompressor *d);
/* Compressed bytes consumed / decompressed bytes produced so far. */
PARXZ_API uint64_t parxz_decompressor_total_in(const parxz_decompressor *d);
PARXZ_API uint64_t parxz_decompressor_total_out(const parxz_decompressor *d);
PARXZ_API const char *parxz_decompressor_error_message(
    const parxz_decompressor *d);
PARXZ_API void parxz_decompressor_free(parxz_decompressor *d);

#ifdef __cplusplus
} /* extern "C" */
#endif

/* ---- Random access: parxz_reader (installed beside this header) ------- */
#include "parxz_reader.h"

#endif /* PARXZ_H_ */
