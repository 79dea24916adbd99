// parxz._parxz, parxz's one CPython extension module:
//
//   - CPython's _lzma interface (LZMACompressor, LZMADecompressor, LZMAError,
//     is_check_supported, _encode/_decode_filter_properties and the
//     constants) on core/, re-exported by parxz/_lzma.py so that
//
//       import sys, parxz._lzma
//       sys.modules["_lzma"] = parxz._lzma
//       import lzma
//
//     runs the standard lzma module on parxz. Argument handling, exception
//     types and messages follow CPython 3.11's Modules/_lzmamodule.c; the
//     objects and functions call themselves _lzma.<name>, as CPython's do.
//   - ParallelCompressor and decompress(), the one-shot and threaded engines on
//     parallel/ behind parxz.lzma's threads= (python/module.h lists the
//     files).
//   - _stream_follows(), core's stream rules for parxz.lzma's threaded
//     reader (python/stream_rules.cc).
//   - _xz_index(), the Index of a seekable file object, for parxz.lzma's
//     seeking reader (python/xz_index.cc).
#include "python/module.h"

#include <array>
#include <utility>

#include "core/options.h"
#include "python/filter_spec.h"
#include "python/py_support.h"

namespace parxz::python {

// Adds _stream_follows() (python/stream_rules.cc). False with a Python error
// set.
bool AddStreamRules(PyObject* module);
// Adds _xz_index() (python/xz_index.cc). False with a Python error set.
bool AddXzIndex(PyObject* module);

namespace {

PyObject* IsCheckSupported_(PyObject* /*module*/, PyObject* arg) {
  int check_id = 0;
  if (!AsInt(arg, &check_id)) return nullptr;
  return PyBool_FromLong(IsCheckSupported(static_cast<Check>(check_id)));
}

PyObject* EncodeFilterProperties_(PyObject* module, PyObject* arg) {
  ModuleState* state = StateOf(module);
  FilterSpec spec;
  if (!ParseFilterSpec(*state, arg, &spec)) {
    return nullptr;
  }
  // The properties record only lc, lp, pb and dict_size (LZMA1) or only
  // dict_size (LZMA2); liblzma ignores the other options here, so core/ does
  // not get to check them.
  if (spec.id == FilterId::kLzma1 || spec.id == FilterId::kLzma2) {
    FilterSpec recorded;
    recorded.id = spec.id;
    recorded.preset = spec.preset;
    recorded.dict_size = spec.dict_size;
    if (spec.id == FilterId::kLzma1) {
      recorded.lc = spec.lc;
      recorded.lp = spec.lp;
      recorded.pb = spec.pb;
    }
    spec = recorded;
  }
  std::string props;
  Failure failure;
  if (!CallWithoutGil([&] { props = EncodeFilterProperties(spec); }, failure)) {
    // liblzma's lzma_properties_encode() answers invalid options with
    // LZMA_PROG_ERROR, which CPython reports as "Internal error".
    if (failure.error && failure.error->code() == ErrorCode::kBadOptions) {
      PyErr_SetString(state->error, "Internal error");
      return nullptr;
    }
    return SetError(state->error, failure);
  }
  return BytesFrom(props);
}

PyObject* DecodeFilterProperties_(PyObject* module, PyObject* const* args,
                                  Py_ssize_t nargs) {
  ModuleState* state = StateOf(module);
  if (nargs != 2) {
    PyErr_Format(PyExc_TypeError,
                 "_decode_filter_properties expected 2 arguments, got %zd",
                 nargs);
    return nullptr;
  }
  const unsigned long long id = PyLong_AsUnsignedLongLong(args[0]);
  if (PyErr_Occurred()) return nullptr;
  InputBuffer props;
  if (!props.Get(args[1], "_decode_filter_properties", "argument 2"))
    return nullptr;
  FilterSpec spec;
  Failure failure;
  if (!CallWithoutGil(
          [&] {
            spec =
                DecodeFilterProperties(static_cast<FilterId>(id), props.view());
          },
          failure)) {
    return SetError(state->error, failure);
  }
  return FilterSpecToDict(id, spec);
}

PyMethodDef module_methods[] = {
    {"is_check_supported", IsCheckSupported_, METH_O,
     "is_check_supported($module, check_id, /)\n--\n\n"
     "Test whether the given integrity check is supported.\n\n"
     "Always returns True for CHECK_NONE and CHECK_CRC32."},
    {"_encode_filter_properties", EncodeFilterProperties_, METH_O,
     "_encode_filter_properties($module, filter, /)\n--\n\n"
     "Return the properties (options) of the filter specified by *filter*\n"
     "(a dict) as stored in a .xz Block Header, as bytes.\n\n"
     "The result does not include the filter ID itself."},
    {"_decode_filter_properties",
     reinterpret_cast<PyCFunction>(
         reinterpret_cast<void (*)()>(DecodeFilterProperties_)),
     METH_FASTCALL,
     "_decode_filter_properties($module, filter_id, encoded_props, /)\n--\n\n"
     "Return a filter specifier dict for the filter *filter_id* with the\n"
     "properties *encoded_props* (bytes)."},
    {},
};

int AddConstant(PyObject* module, const char* name, unsigned long long value) {
  PyObject* number = PyLong_FromUnsignedLongLong(value);
  if (number == nullptr) return -1;
  const int status = PyModule_AddObjectRef(module, name, number);
  Py_DECREF(number);
  return status;
}

// The standard _lzma's LZMAError (a new reference), or null (no error set)
// where it cannot be imported. parxz's LZMAError derives from it, so that
// `except lzma.LZMAError` in code written for the standard module catches
// what parxz raises (parxz.lzma.install() relies on it).
PyObject* StockLzmaError() {
  PyObject* stock = PyImport_ImportModule("_lzma");
  PyObject* error =
      stock != nullptr ? PyObject_GetAttrString(stock, "LZMAError") : nullptr;
  Py_XDECREF(stock);
  if (error == nullptr || !PyExceptionClass_Check(error)) {
    PyErr_Clear();
    Py_CLEAR(error);
  }
  return error;
}

int ModuleExec(PyObject* module) {
  ModuleState* state = StateOf(module);
  const std::pair<const char*, unsigned long long> constants[] = {
      {"FORMAT_AUTO", kFormatAuto},
      {"FORMAT_XZ", kFormatXz},
      {"FORMAT_ALONE", kFormatAlone},
      {"FORMAT_RAW", kFormatRaw},
      {"CHECK_NONE", LZMA_CHECK_NONE},
      {"CHECK_CRC32", LZMA_CHECK_CRC32},
      {"CHECK_CRC64", LZMA_CHECK_CRC64},
      {"CHECK_SHA256", LZMA_CHECK_SHA256},
      {"CHECK_ID_MAX", LZMA_CHECK_ID_MAX},
      {"CHECK_UNKNOWN", kCheckUnknown},
      {"FILTER_LZMA1", LZMA_FILTER_LZMA1},
      {"FILTER_LZMA2", LZMA_FILTER_LZMA2},
      {"FILTER_DELTA", LZMA_FILTER_DELTA},
      {"FILTER_X86", LZMA_FILTER_X86},
      {"FILTER_IA64", LZMA_FILTER_IA64},
      {"FILTER_ARM", LZMA_FILTER_ARM},
      {"FILTER_ARMTHUMB", LZMA_FILTER_ARMTHUMB},
      {"FILTER_SPARC", LZMA_FILTER_SPARC},
      {"FILTER_POWERPC", LZMA_FILTER_POWERPC},
      {"MF_HC3", LZMA_MF_HC3},
      {"MF_HC4", LZMA_MF_HC4},
      {"MF_BT2", LZMA_MF_BT2},
      {"MF_BT3", LZMA_MF_BT3},
      {"MF_BT4", LZMA_MF_BT4},
      {"MODE_FAST", LZMA_MODE_FAST},
      {"MODE_NORMAL", LZMA_MODE_NORMAL},
      {"PRESET_DEFAULT", LZMA_PRESET_DEFAULT},
      {"PRESET_EXTREME", LZMA_PRESET_EXTREME},
  };
  for (const auto& [name, value] : constants) {
    if (AddConstant(module, name, value) < 0) return -1;
  }
  PyObject* base = StockLzmaError();
  state->error = PyErr_NewExceptionWithDoc(
      "_lzma.LZMAError", "Call to liblzma failed.", base, nullptr);
  Py_XDECREF(base);
  if (state->error == nullptr ||
      PyModule_AddObjectRef(module, "LZMAError", state->error) < 0) {
    return -1;
  }
  state->empty_tuple = PyTuple_New(0);
  if (state->empty_tuple == nullptr) return -1;
  // Functions report themselves as _lzma.<name>, as CPython's do.
  PyObject* module_name = PyUnicode_FromString("_lzma");
  if (module_name == nullptr) return -1;
  for (PyMethodDef* def = module_methods; def->ml_name != nullptr; ++def) {
    PyObject* function = PyCFunction_NewEx(def, module, module_name);
    if (function == nullptr ||
        PyModule_AddObjectRef(module, def->ml_name, function) < 0) {
      Py_XDECREF(function);
      Py_DECREF(module_name);
      return -1;
    }
    Py_DECREF(function);
  }
  Py_DECREF(module_name);
  return AddCompressors(module, state) && AddDecompressors(module, state) &&
                 AddStreamRules(module) && AddXzIndex(module)
             ? 0
             : -1;
}

// The objects the state holds a reference to.
std::array<PyObject**, 6> StateObjects(PyObject* module) {
  ModuleState* state = StateOf(module);
  auto object = [](PyTypeObject** type) {
    return reinterpret_cast<PyObject**>(type);
  };
  return {&state->error,
          &state->empty_tuple,
          object(&state->compressor_type),
          object(&state->decompressor_type),
          object(&state->decompressor_base_type),
          object(&state->parallel_compressor_type)};
}

int ModuleTraverse(PyObject* module, visitproc visit, void* arg) {
  for (PyObject** object : StateObjects(module)) Py_VISIT(*object);
  return 0;
}

int ModuleClear(PyObject* module) {
  for (PyObject** object : StateObjects(module)) Py_CLEAR(*object);
  return 0;
}

void ModuleFree(void* module) { ModuleClear(static_cast<PyObject*>(module)); }

PyModuleDef_Slot module_slots[] = {
    {Py_mod_exec, reinterpret_cast<void*>(ModuleExec)},
    {0, nullptr},
};

}  // namespace

PyModuleDef module_def = {
    PyModuleDef_HEAD_INIT,
    "parxz._parxz",
    "parxz's extension module: CPython's _lzma interface (re-exported by\n"
    "parxz._lzma) and the threaded engines behind parxz.lzma.",
    sizeof(ModuleState),
    nullptr,  // module_methods are added by ModuleExec
    module_slots,
    ModuleTraverse,
    ModuleClear,
    ModuleFree,
};

}  // namespace parxz::python

PyMODINIT_FUNC PyInit__parxz() {
  return PyModuleDef_Init(&parxz::python::module_def);
}
