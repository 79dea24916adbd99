// _lzma.LZMACompressor and _lzma.LZMADecompressor on core/'s Compressor and
// Decompressor: CPython 3.11's Modules/_lzmamodule.c types, with its argument
// handling, exception types and messages; the GIL is released while liblzma
// works.
#ifndef PARXZ_PYTHON_LZMA_TYPES_H_
#define PARXZ_PYTHON_LZMA_TYPES_H_

#include "python/module_state.h"

namespace parxz::python {

// Adds both types to `module` (and to `state`). False with a Python error set.
bool AddLzmaTypes(PyObject* module, ModuleState* state);

}  // namespace parxz::python

#endif  // PARXZ_PYTHON_LZMA_TYPES_H_
