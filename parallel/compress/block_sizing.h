// How big the .xz Blocks of the block-parallel compressor are: xz's default
// (what `xz -T` uses), or, with kBlockSizeAuto, sized from the input so that
// every thread gets a Block. Pure arithmetic, no I/O.
//
//   const BlockSizing s = SizeBlocks(kBlockSizeAuto, file_size, threads,
//                                    filters.dict_size());
//   // s.block_size: bytes per Block; s.dict_size: the LZMA2 dictionary to
//   // encode them with (the filters' own, or lowered for small Blocks)
//
// Why: xz's default Block is three dictionaries (192 MiB at -9), so a file
// smaller than that is one Block on one core. The auto rule, for an input of
// S bytes known ahead (a regular file, a buffer) and T threads:
//   B = ceil(S / T), rounded up to a whole MiB,
//       at most xz's default max(3 x dict, 1 MiB), at least 1 MiB.
// When B is below the dictionary size, the Blocks are encoded with the
// dictionary lowered to the smallest size the LZMA2 header records exactly
// (2^n or 2^n + 2^(n-1) bytes) that is at least B: every Block still fits
// in its dictionary, so no match is lost to it, and the encoders allocate
// no dictionary (and match finder) for bytes a Block never has. Without a
// known size (a pipe, the push API without ParallelOptions::input_size), auto
// is xz's default. The bytes therefore depend on the input size and the
// thread count, unlike those of every other setting; the default stays
// byte-identical to `xz -T`.
#ifndef PARXZ_PARALLEL_COMPRESS_BLOCK_SIZING_H_
#define PARXZ_PARALLEL_COMPRESS_BLOCK_SIZING_H_

#include <cstdint>
#include <optional>

namespace parxz {

// ParallelOptions::block_size (the C API's PARXZ_BLOCK_SIZE_AUTO, the
// command line's --block-size=auto): Blocks sized by the auto rule above.
inline constexpr uint64_t kBlockSizeAuto = UINT64_MAX;

// xz's default Block size for a dictionary of `dict_size` bytes:
// max(3 x dict_size, 1 MiB) (liblzma's stream_encoder_mt.c, what -T uses).
uint64_t DefaultBlockSize(uint32_t dict_size);

// The smallest dictionary size at least `n` that LZMA2's one-byte property
// stores exactly: 2^k or 2^k + 2^(k-1), at least 4 KiB (liblzma's minimum),
// at most UINT32_MAX (what LZMA2 allows: 4 GiB - 1).
uint32_t EncodableDictSize(uint64_t n);

struct BlockSizing {
  uint64_t block_size = 0;  // uncompressed bytes per Block
  uint32_t dict_size = 0;   // the dictionary to encode the Blocks with
};

// `block_size` as ParallelOptions gives it: 0 = xz's default, kBlockSizeAuto
// = the auto rule (with `input_size`, when known, and `threads` >= 1), any
// other value stands. `dict_size` is the filters' dictionary; only auto ever
// lowers it.
BlockSizing SizeBlocks(uint64_t block_size, std::optional<uint64_t> input_size,
                       unsigned threads, uint32_t dict_size);

}  // namespace parxz

#endif  // PARXZ_PARALLEL_COMPRESS_BLOCK_SIZING_H_
