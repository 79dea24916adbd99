// The extension module parxz._parxz (python/ only): its state, shared by the
// files that define its types and functions, and what each of those files
// adds to the module. Types find the state through PyType_GetModuleState,
// module functions through PyModule_GetState.
//
//   module.cc         the module: constants, LZMAError, is_check_supported,
//                     _encode/_decode_filter_properties
//   compressors.cc    _lzma.LZMACompressor (core/) and ParallelCompressor
//                     (parallel/, behind parxz.lzma's threads=)
//   decompressors.cc  _lzma.LZMADecompressor (core/, or parallel/'s
//                     ThreadedDecompressor with threads=) and decompress()
//                     (parallel/, behind parxz.lzma.decompress(threads=))
//   stream_rules.cc   _stream_follows (core's rule for what follows a Stream)
//   xz_index.cc       _xz_index (the Index of a seekable file object, for
//                     parxz.lzma's seeking reader)
#ifndef PARXZ_PYTHON_MODULE_H_
#define PARXZ_PYTHON_MODULE_H_

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <lzma.h>

namespace parxz::python {

// Python's FORMAT_* numbers, as CPython's _lzma defines them.
inline constexpr int kFormatAuto = 0;
inline constexpr int kFormatXz = 1;
inline constexpr int kFormatAlone = 2;
inline constexpr int kFormatRaw = 3;
// CHECK_UNKNOWN: a decompressor's check before the stream header was read.
inline constexpr int kCheckUnknown = LZMA_CHECK_ID_MAX + 1;

struct ModuleState {
  PyObject* error;        // _lzma.LZMAError
  PyObject* empty_tuple;  // (), for parsing filter specifier dicts
  PyTypeObject* compressor_type;
  PyTypeObject* decompressor_type;
  // The same type under parxz's name, subclassable: parxz.lzma.install()
  // derives the lzma module's LZMADecompressor (threads=N by default) from it.
  PyTypeObject* decompressor_base_type;
  PyTypeObject* parallel_compressor_type;
};

inline ModuleState* StateOf(PyObject* module) {
  return static_cast<ModuleState*>(PyModule_GetState(module));
}

// The module's definition (module.cc).
extern PyModuleDef module_def;

// The state of the module that defined `type` or, for a Python subclass of
// one of its types, of the nearest such base.
inline ModuleState* StateOfType(PyTypeObject* type) {
  return StateOf(PyType_GetModuleByDef(type, &module_def));
}

// The spec of one of the module's types: immutable and not subclassable,
// as CPython's _lzma types.
constexpr PyType_Spec TypeSpec(const char* name, int basicsize,
                               PyType_Slot* slots) {
  return {name, basicsize, 0, Py_TPFLAGS_DEFAULT | Py_TPFLAGS_IMMUTABLETYPE,
          slots};
}

// Creates the type from `spec` for `module`, stores it in `*slot` and adds it
// to the module under its name. False with a Python error set.
inline bool AddType(PyObject* module, PyType_Spec* spec, PyTypeObject** slot) {
  *slot = reinterpret_cast<PyTypeObject*>(
      PyType_FromModuleAndSpec(module, spec, nullptr));
  return *slot != nullptr && PyModule_AddType(module, *slot) == 0;
}

// Add the types and functions of compressors.cc and decompressors.cc to
// `module` (and their types to `state`). False with a Python error set.
bool AddCompressors(PyObject* module, ModuleState* state);
bool AddDecompressors(PyObject* module, ModuleState* state);

}  // namespace parxz::python

#endif  // PARXZ_PYTHON_MODULE_H_
