// The threaded engines behind parxz.lzma's threads= and block_size= (not
// part of CPython's _lzma interface; use parxz.lzma):
//
//   ParallelCompressor(check, preset, filters, threads, block_size)
//       .compress(data) -> bytes, .flush() -> bytes
//     Block-parallel .xz (parallel/parallel_compressor.h): the bytes equal
//     `xz -T2 --block-size=B` for the same settings, for every thread count.
//   parallel_decompress(data, format, memlimit, threads) -> bytes
//     parallel/parallel_decompressor.h's ParallelDecompress with the
//     semantics of lzma.decompress() (concatenated streams, trailing junk).
//
// Arguments are checked as LZMACompressor's for FORMAT_XZ; errors are
// _lzma.LZMAError (and ValueError/MemoryError as _lzma). The GIL is released
// while the engines work.
#ifndef PARXZ_PYTHON_PARALLEL_TYPES_H_
#define PARXZ_PYTHON_PARALLEL_TYPES_H_

#include "python/module_state.h"

namespace parxz::python {

// Adds ParallelCompressor and parallel_decompress (where built with the
// parallel decoder) to `module`. False with a Python error set.
bool AddParallelEngines(PyObject* module, ModuleState* state);

}  // namespace parxz::python

#endif  // PARXZ_PYTHON_PARALLEL_TYPES_H_
