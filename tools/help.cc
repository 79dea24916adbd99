// The help and version texts of the parxz command line.
#include <lzma.h>

#include <string>

#include "core/version.h"
#include "tools/args.h"

namespace parxz::cli {

std::string HelpText() {
  return R"(Usage: parxz [OPTION]... [FILE]...
Compress or decompress FILEs in the .xz format on all cores.
With no FILE, or when FILE is -, read standard input.

Operation mode:
  -z, --compress      force compression
  -d, --decompress    force decompression
  -t, --test          test compressed file integrity
  -l, --list          list information about .xz files (-v: every Block,
                      -vv: Block headers too; --robot: for scripts)

Operation modifiers:
  -k, --keep          keep (don't delete) input files
  -f, --force         force overwrite of output file and (de)compress links
  -c, --stdout        write to standard output and don't delete input files
      --single-stream decompress only the first stream
      --offset=N, --length=N  with -dc: only bytes [N, N+length) (default:
                      to the end) of a seekable .xz, decoding their Blocks
      --tar-list      list a .tar.xz's members (-v: as `tar tv')
      --tar-extract=PATTERN  write a tar stream of the members matching
                      PATTERN (repeatable; shell patterns, a directory
                      brings its contents) to stdout, for `tar x'
  -S, --suffix=.SUF   use the suffix '.SUF' on compressed files
      --files[=FILE], --files0[=FILE]  names to process from FILE (or
                      stdin), one a line (--files0: NUL-terminated)

Basic file format and compression options:
  -F, --format=FMT    file format to encode or decode; possible values are
                      'auto' (default), 'xz', 'lzma', 'lzip' (decoding only)
                      and 'raw'
  -C, --check=CHECK   integrity check type: 'none', 'crc32', 'crc64' (default)
                      or 'sha256' (.xz only)
  -0 ... -9           compression preset; default is 6
  -e, --extreme       try to improve compression ratio by using more CPU time
  -T, --threads=NUM   use at most NUM threads; 0 (default) = all cores;
                      -T1 writes xz's one-thread format (no sizes in the
                      Block Headers), -T+1 the multi-threaded one
      --block-size=SIZE  uncompressed bytes per .xz Block; default
                      max(3 x dictionary size, 1 MiB), as xz -T;
                      'auto': file size / threads in whole MiB, between
                      1 MiB and the default, the dictionary lowered to
                      the Block size (2^n or 2^n+2^(n-1)) where larger;
                      the output then depends on the file size and -T
      --block-list=SIZES  Block boundaries after these uncompressed sizes
      --flush-timeout=MS  end the Block and flush after MS ms without input
  -M, --memlimit=LIMIT  memory limit: bytes, KiB/MiB/GiB, N% of RAM, or 0;
                      compression fits it as xz: fewer threads, then
                      single-threaded, then a smaller dictionary
      --memlimit-compress=LIMIT, --memlimit-decompress=LIMIT,
      --memlimit-mt-decompress=LIMIT  the same for one of them only

Custom filter chain (in order; replaces the preset; at most four):
  --lzma1[=OPTS], --lzma2[=OPTS]  LZMA1 or LZMA2; OPTS (comma separated):
        preset=PRE  reset options to a preset (0-9[e])
        dict=NUM    dictionary size (4KiB - 1536MiB)
        lc=NUM lp=NUM pb=NUM  literal context/position bits, position bits
        mode=MODE   'fast' or 'normal'    nice=NUM  nice length of a match
        mf=NAME     hc3, hc4, bt2, bt3, bt4   depth=NUM  max search depth
  --x86[=OPTS] --arm[=OPTS] --armthumb[=OPTS] --arm64[=OPTS]
  --powerpc[=OPTS] --ia64[=OPTS] --sparc[=OPTS]
                      BCJ filters; OPTS: start=NUM (start offset)
  --delta[=OPTS]      Delta filter; OPTS: dist=NUM (1-256, default 1)

Other options:
  -q, --quiet         suppress warnings; twice to suppress errors too
  -Q, --no-warn       warnings don't change the exit status
  -v, --verbose       progress on stderr (when it is a terminal) and a
                      summary per file; -vv (or PARXZ_PROGRESS=1) shows
                      progress even when stderr is not a terminal
      --robot         machine-readable -l and --info-memory output
      --info-memory   show RAM, threads and memory limits, and exit
  -h, --help          display this help and exit
  -H, --long-help     display the long help (every option) and exit
  -V, --version       display the version number and exit

Sizes take KiB, MiB or GiB suffixes (K, M, G: powers of 1024).
Exit status: 0 success, 1 error, 2 warning (e.g. a file skipped).
.xz output equals `xz -T` byte for byte for the same options. To stand in
for xz, link xz, unxz and xzcat (also lzma, unlzma, lzcat) to parxz.
)";
}

std::string LongHelpText() {
  return R"(Usage: parxz [OPTION]... [FILE]...
Compress or decompress FILEs in the .xz format on all cores.

Mandatory arguments to long options are mandatory for short options too.

 Operation mode:

  -z, --compress      force compression
  -d, --decompress    force decompression
  -t, --test          test compressed file integrity
  -l, --list          list information about .xz files

 Operation modifiers:

  -k, --keep          keep (don't delete) input files
  -f, --force         force overwrite of output file and (de)compress links
  -c, --stdout        write to standard output and don't delete input files
      --single-stream decompress only the first stream, and silently
                      ignore possible remaining input data
      --no-sparse     do not create sparse files when decompressing
  -S, --suffix=.SUF   use the suffix `.SUF' on compressed files
      --files[=FILE]  read filenames to process from FILE; if FILE is
                      omitted, filenames are read from the standard input;
                      filenames must be terminated with the newline character
      --files0[=FILE] like --files but use the null character as terminator
      --offset=N, --length=N  with -dc: only uncompressed bytes [N, N+length)
                      of a seekable .xz file, decoding just their Blocks
      --tar-list      list the members of a .tar.xz, names only or with -v
                      as `tar tv'; member data is skipped through the Index
                      (a pixz .tpxz is listed from its member index)
      --tar-extract=PATTERN  write to stdout a tar stream of the members
                      whose names match PATTERN (fnmatch, `*' matches `/',
                      a directory brings its contents; repeatable), their
                      headers and data copied verbatim, for `tar x'

 Basic file format and compression options:

  -F, --format=FMT    file format to encode or decode; possible values are
                      `auto' (default), `xz', `lzma', `lzip', and `raw'
  -C, --check=CHECK   integrity check type: `none' (use with caution),
                      `crc32', `crc64' (default), or `sha256'
      --ignore-check  don't verify the integrity check when decompressing
  -0 ... -9           compression preset; default is 6; take compressor *and*
                      decompressor memory usage into account before using 7-9!
  -e, --extreme       try to improve compression ratio by using more CPU time;
                      does not affect decompressor memory requirements
  -T, --threads=NUM   use at most NUM threads; the default is 0, as many
                      threads as there are processor cores; -T1 writes the
                      single-threaded format, -T+1 the threaded one
      --block-size=SIZE
                      start a new .xz block after every SIZE bytes of input;
                      use this to set the block size for threaded compression;
                      'auto' (parxz): ceil(file size / threads) rounded up to
                      a whole MiB, at least 1 MiB, at most the default
                      max(3 x dictionary size, 1 MiB); where that is below
                      the dictionary size, the LZMA2 dictionary is lowered to
                      the smallest 2^n or 2^n+2^(n-1) that holds a Block; the
                      output then depends on the file size and the thread
                      count; from a pipe, with -T1 or --block-list: default
      --block-list=SIZES
                      start a new .xz block after the given comma-separated
                      intervals of uncompressed data
      --flush-timeout=TIMEOUT
                      when compressing, if more than TIMEOUT milliseconds has
                      passed since the previous flush and reading more input
                      would block, all pending data is flushed out
      --memlimit-compress=LIMIT
      --memlimit-decompress=LIMIT
      --memlimit-mt-decompress=LIMIT
  -M, --memlimit=LIMIT
                      set memory usage limit for compression, decompression,
                      threaded decompression, or all of these; LIMIT is in
                      bytes, % of RAM, or 0 for defaults
      --no-adjust     if compression settings exceed the memory usage limit,
                      give an error instead of adjusting the settings downwards

 Custom filter chain for compression (alternative for using presets):

  --lzma1[=OPTS]      LZMA1 or LZMA2; OPTS is a comma-separated list of zero or
  --lzma2[=OPTS]      more of the following options (valid values; default):
                        preset=PRE reset options to a preset (0-9[e])
                        dict=NUM   dictionary size (4KiB - 1536MiB; 8MiB)
                        lc=NUM     number of literal context bits (0-4; 3)
                        lp=NUM     number of literal position bits (0-4; 0)
                        pb=NUM     number of position bits (0-4; 2)
                        mode=MODE  compression mode (fast, normal; normal)
                        nice=NUM   nice length of a match (2-273; 64)
                        mf=NAME    match finder (hc3, hc4, bt2, bt3, bt4; bt4)
                        depth=NUM  maximum search depth; 0=automatic (default)

  --x86[=OPTS]        x86 BCJ filter (32-bit and 64-bit)
  --arm[=OPTS]        ARM BCJ filter
  --armthumb[=OPTS]   ARM-Thumb BCJ filter
  --arm64[=OPTS]      ARM64 BCJ filter
  --powerpc[=OPTS]    PowerPC BCJ filter (big endian only)
  --ia64[=OPTS]       IA-64 (Itanium) BCJ filter
  --sparc[=OPTS]      SPARC BCJ filter
                      Valid OPTS for all BCJ filters:
                        start=NUM  start offset for conversions (default=0)

  --delta[=OPTS]      Delta filter; valid OPTS (valid values; default):
                        dist=NUM   distance between bytes being subtracted
                                   from each other (1-256; 1)

 Other options:

  -q, --quiet         suppress warnings; specify twice to suppress errors too
  -v, --verbose       be verbose; specify twice for even more verbose
  -Q, --no-warn       make warnings not affect the exit status
      --robot         use machine-parsable messages (useful for scripts)

      --info-memory   display the total amount of RAM and the currently active
                      memory usage limits, and exit
  -h, --help          display the short help (lists only the basic options)
  -H, --long-help     display this long help and exit
  -V, --version       display the version number and exit

With no FILE, or when FILE is -, read standard input.

To stand in for xz, link xz, unxz and xzcat (and lzma, unlzma, lzcat)
to parxz: the program name selects the mode, as with xz.
)";
}

std::string VersionText() {
  return std::string("parxz " PARXZ_VERSION_STRING "\nliblzma ") +
         lzma_version_string() + "\n";
}

}  // namespace parxz::cli
