// The arguments of LZMACompressor, LZMADecompressor and the threaded
// engines, translated from Python objects into core/'s options.
//
// core/ checks the options itself, with CPython's messages (the FORMAT_ALONE
// chain, filter option ranges, unsupported checks...): those come from
// there, through SetError(). What is decided here is only what CPython
// 3.11's _lzma reports differently from core/: where liblzma answers for
// CPython ("Internal error", "Invalid or unsupported options"), where
// CPython's message carries the value ("Invalid container format: 7"), and
// where CPython checks before converting values what core/ checks after
// ("Cannot specify both preset and filter chain"). This file is the one
// place in python/ for those rules.
//
// All functions return false with a Python error set.
#ifndef PARXZ_PYTHON_CPYTHON_ARGS_H_
#define PARXZ_PYTHON_CPYTHON_ARGS_H_

#include <cstdint>

#include "core/compressor.h"
#include "core/decompressor.h"
#include "python/module.h"

namespace parxz::python {

// LZMACompressor(format, check, preset, filters); the threaded compressor
// passes FORMAT_XZ.
bool ToCompressOptions(const ModuleState& state, int format, int check,
                       PyObject* preset, PyObject* filters,
                       CompressOptions* out);

// LZMADecompressor(format, memlimit, filters).
bool ToDecompressOptions(const ModuleState& state, int format,
                         PyObject* memlimit, PyObject* filters,
                         DecompressOptions* out);

// parxz.lzma's threads= (None or 0: all cores) as parallel/ takes it.
bool ToThreads(PyObject* threads, unsigned* out);

// parxz.lzma's block_size= (None or 0: xz's default).
bool ToBlockSize(PyObject* block_size, uint64_t* out);

// A FORMAT_* number that names a container; ValueError "Invalid container
// format: N" otherwise. `decoding` admits FORMAT_AUTO.
bool ToFormat(int format, bool decoding, Format* out);

}  // namespace parxz::python

#endif  // PARXZ_PYTHON_CPYTHON_ARGS_H_
