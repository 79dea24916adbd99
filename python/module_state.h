// The state of the extension module parxz._parxz, shared by the files that
// define its types and functions (python/ only). Types find it through
// PyType_GetModuleState, module functions through PyModule_GetState.
#ifndef PARXZ_PYTHON_MODULE_STATE_H_
#define PARXZ_PYTHON_MODULE_STATE_H_

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
  PyTypeObject* parallel_compressor_type;
};

inline ModuleState* StateOf(PyObject* module) {
  return static_cast<ModuleState*>(PyModule_GetState(module));
}

inline ModuleState* StateOfType(PyTypeObject* type) {
  return static_cast<ModuleState*>(PyType_GetModuleState(type));
}

// Creates the type from `spec` for `module`, stores it in `*slot` and adds it
// to the module under its name. False with a Python error set.
inline bool AddType(PyObject* module, PyType_Spec* spec, PyTypeObject** slot) {
  *slot = reinterpret_cast<PyTypeObject*>(
      PyType_FromModuleAndSpec(module, spec, nullptr));
  return *slot != nullptr && PyModule_AddType(module, *slot) == 0;
}

}  // namespace parxz::python

#endif  // PARXZ_PYTHON_MODULE_STATE_H_
