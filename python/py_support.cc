#include "python/py_support.h"

#include <climits>

namespace parxz::python {

bool InputBuffer::Get(PyObject* obj, const char* function, const char* argument) {
  if (PyObject_GetBuffer(obj, &view_, PyBUF_SIMPLE) != 0) return false;
  held_ = true;
  if (!PyBuffer_IsContiguous(&view_, 'C')) {
    PyErr_Format(PyExc_TypeError, "%s() %s must be contiguous buffer, not %.50s",
                 function, argument,
                 obj == Py_None ? "None" : Py_TYPE(obj)->tp_name);
    return false;
  }
  return true;
}

PyObject* SetError(PyObject* lzma_error, const Error& e) {
  switch (e.code()) {
    case ErrorCode::kOutOfMemory:
      return PyErr_NoMemory();
    case ErrorCode::kMisuse:
      PyErr_SetString(PyExc_ValueError, e.detail().c_str());
      return nullptr;
    case ErrorCode::kEndOfStream:
      PyErr_SetString(PyExc_EOFError, e.detail().c_str());
      return nullptr;
    case ErrorCode::kBadOptions:
      // core/ checks filter options itself and names the field; CPython
      // hands them to liblzma, which answers LZMA_OPTIONS_ERROR.
      if (e.operation() == "filter chain") {
        PyErr_SetString(lzma_error, "Invalid or unsupported options");
        return nullptr;
      }
      break;
    default:
      break;
  }
  PyErr_SetString(lzma_error, e.detail().c_str());
  return nullptr;
}

PyObject* SetError(PyObject* lzma_error, const Failure& failure) {
  if (failure.error) return SetError(lzma_error, *failure.error);
  if (failure.out_of_memory) return PyErr_NoMemory();
  PyErr_SetString(PyExc_SystemError, failure.other.value_or("unknown").c_str());
  return nullptr;
}

bool AsInt(PyObject* obj, int* out) {
  int overflow = 0;
  const long value = PyLong_AsLongAndOverflow(obj, &overflow);
  if (value == -1 && PyErr_Occurred()) return false;
  if (overflow != 0 || value > INT_MAX || value < INT_MIN) {
    PyErr_SetString(PyExc_OverflowError, "Python int too large to convert to C int");
    return false;
  }
  *out = static_cast<int>(value);
  return true;
}

namespace {

// CPython's uint32 converter: any int in 0..2^32-1.
bool ToUint32(PyObject* obj, uint32_t* out) {
  const unsigned long long value = PyLong_AsUnsignedLongLong(obj);
  if (PyErr_Occurred()) return false;
  if (static_cast<uint32_t>(value) != value) {
    PyErr_SetString(PyExc_OverflowError, "Value too large for uint32_t type");
    return false;
  }
  *out = static_cast<uint32_t>(value);
  return true;
}

// "O&" converters for PyArg_ParseTupleAndKeywords.
int OptionalUint32(PyObject* obj, void* ptr) {
  uint32_t value = 0;
  if (!ToUint32(obj, &value)) return 0;
  *static_cast<std::optional<uint32_t>*>(ptr) = value;
  return 1;
}

// Keyword names as PyArg_ParseTupleAndKeywords wants them (char*[]).
template <size_t N>
char** Keywords(const char* const (&names)[N]) {
  return const_cast<char**>(names);
}

bool ParseLzmaSpec(PyObject* lzma_error, PyObject* empty_tuple, PyObject* spec,
                   FilterSpec* out) {
  // The preset is read first: it is the base the other options override.
  uint32_t preset = LZMA_PRESET_DEFAULT;
  PyObject* preset_obj = PyMapping_GetItemString(spec, "preset");
  if (preset_obj == nullptr) {
    if (!PyErr_ExceptionMatches(PyExc_KeyError)) return false;
    PyErr_Clear();
  } else {
    const bool ok = ToUint32(preset_obj, &preset);
    Py_DECREF(preset_obj);
    if (!ok) return false;
    out->preset = preset;
  }
  if ((preset & ~LZMA_PRESET_EXTREME) > 9) {
    PyErr_Format(lzma_error, "Invalid compression preset: %u", preset);
    return false;
  }
  static const char* const kNames[] = {"id", "preset", "dict_size", "lc",
                                       "lp", "pb",     "mode",      "nice_len",
                                       "mf", "depth",  nullptr};
  PyObject* ignored_id = nullptr;
  PyObject* ignored_preset = nullptr;
  std::optional<uint32_t> mode, mf;
  if (!PyArg_ParseTupleAndKeywords(
          empty_tuple, spec, "|OOO&O&O&O&O&O&O&O&", Keywords(kNames), &ignored_id,
          &ignored_preset, OptionalUint32, &out->dict_size, OptionalUint32,
          &out->lc, OptionalUint32, &out->lp, OptionalUint32, &out->pb,
          OptionalUint32, &mode, OptionalUint32, &out->nice_len, OptionalUint32,
          &mf, OptionalUint32, &out->depth)) {
    PyErr_SetString(PyExc_ValueError, "Invalid filter specifier for LZMA filter");
    return false;
  }
  if (mode) out->mode = static_cast<Mode>(*mode);
  if (mf) out->mf = static_cast<MatchFinder>(*mf);
  return true;
}

// Delta and BCJ specs have one option each.
bool ParseOneOption(PyObject* empty_tuple, PyObject* spec, const char* name,
                    const char* error, std::optional<uint32_t>* out) {
  const char* const names[] = {"id", name, nullptr};
  PyObject* ignored_id = nullptr;
  if (!PyArg_ParseTupleAndKeywords(empty_tuple, spec, "|OO&", Keywords(names),
                                   &ignored_id, OptionalUint32, out)) {
    PyErr_SetString(PyExc_ValueError, error);
    return false;
  }
  return true;
}

}  // namespace

bool ParseFilterSpec(PyObject* lzma_error, PyObject* empty_tuple, PyObject* spec,
                     FilterSpec* out) {
  if (!PyMapping_Check(spec)) {
    PyErr_SetString(PyExc_TypeError,
                    "Filter specifier must be a dict or dict-like object");
    return false;
  }
  PyObject* id_obj = PyMapping_GetItemString(spec, "id");
  if (id_obj == nullptr) {
    if (PyErr_ExceptionMatches(PyExc_KeyError)) {
      PyErr_SetString(PyExc_ValueError, "Filter specifier must have an \"id\" entry");
    }
    return false;
  }
  const unsigned long long id = PyLong_AsUnsignedLongLong(id_obj);
  Py_DECREF(id_obj);
  if (PyErr_Occurred()) return false;
  *out = FilterSpec{};
  out->id = static_cast<FilterId>(id);
  switch (id) {
    case LZMA_FILTER_LZMA1:
    case LZMA_FILTER_LZMA2:
      return ParseLzmaSpec(lzma_error, empty_tuple, spec, out);
    case LZMA_FILTER_DELTA:
      return ParseOneOption(empty_tuple, spec, "dist",
                            "Invalid filter specifier for delta filter", &out->dist);
    // The BCJ filters CPython 3.11 knows (not ARM64).
    case LZMA_FILTER_X86:
    case LZMA_FILTER_POWERPC:
    case LZMA_FILTER_IA64:
    case LZMA_FILTER_ARM:
    case LZMA_FILTER_ARMTHUMB:
    case LZMA_FILTER_SPARC:
      return ParseOneOption(empty_tuple, spec, "start_offset",
                            "Invalid filter specifier for BCJ filter",
                            &out->start_offset);
    default:
      PyErr_Format(PyExc_ValueError, "Invalid filter ID: %llu", id);
      return false;
  }
}

bool ParseFilterChain(PyObject* lzma_error, PyObject* empty_tuple,
                      PyObject* specs, FilterChain* out) {
  const Py_ssize_t count = PySequence_Length(specs);
  if (count == -1) return false;
  if (count > LZMA_FILTERS_MAX) {
    PyErr_Format(PyExc_ValueError,
                 "Too many filters - liblzma supports a maximum of %d",
                 LZMA_FILTERS_MAX);
    return false;
  }
  out->assign(static_cast<size_t>(count), FilterSpec{});
  for (Py_ssize_t i = 0; i < count; ++i) {
    PyObject* spec = PySequence_GetItem(specs, i);
    const bool ok = spec != nullptr &&
                    ParseFilterSpec(lzma_error, empty_tuple, spec, &(*out)[i]);
    Py_XDECREF(spec);
    if (!ok) return false;
  }
  return true;
}

}  // namespace parxz::python
