#include "python/filter_spec.h"

#include <optional>

#include "python/py_support.h"

namespace parxz::python {
namespace {

enum class Kind { kLzma, kDelta, kBcj, kUnknown };

// The filters CPython 3.11's _lzma knows (its BCJ list lacks ARM64).
Kind KindOf(unsigned long long id) {
  switch (id) {
    case LZMA_FILTER_LZMA1:
    case LZMA_FILTER_LZMA2:
      return Kind::kLzma;
    case LZMA_FILTER_DELTA:
      return Kind::kDelta;
    case LZMA_FILTER_X86:
    case LZMA_FILTER_POWERPC:
    case LZMA_FILTER_IA64:
    case LZMA_FILTER_ARM:
    case LZMA_FILTER_ARMTHUMB:
    case LZMA_FILTER_SPARC:
      return Kind::kBcj;
    default:
      return Kind::kUnknown;
  }
}

PyObject* InvalidFilterId(unsigned long long id) {
  PyErr_Format(PyExc_ValueError, "Invalid filter ID: %llu", id);
  return nullptr;
}

// "O&" converter for PyArg_ParseTupleAndKeywords.
int OptionalUint32(PyObject* obj, void* ptr) {
  uint32_t value = 0;
  if (!AsUint32(obj, &value)) return 0;
  *static_cast<std::optional<uint32_t>*>(ptr) = value;
  return 1;
}

// Keyword names as PyArg_ParseTupleAndKeywords wants them (char*[]).
template <size_t N>
char** Keywords(const char* const (&names)[N]) {
  return const_cast<char**>(names);
}

bool ParseLzmaSpec(const ModuleState& state, PyObject* spec, FilterSpec* out) {
  // The preset is read first: it is the base the other options override.
  uint32_t preset = LZMA_PRESET_DEFAULT;
  PyObject* preset_obj = PyMapping_GetItemString(spec, "preset");
  if (preset_obj == nullptr) {
    if (!PyErr_ExceptionMatches(PyExc_KeyError)) return false;
    PyErr_Clear();
  } else {
    const bool ok = AsUint32(preset_obj, &preset);
    Py_DECREF(preset_obj);
    if (!ok) return false;
    out->preset = preset;
  }
  if ((preset & ~LZMA_PRESET_EXTREME) > 9) {
    PyErr_Format(state.error, "Invalid compression preset: %u", preset);
    return false;
  }
  static const char* const kNames[] = {"id", "preset", "dict_size", "lc",
                                       "lp", "pb",     "mode",      "nice_len",
                                       "mf", "depth",  nullptr};
  PyObject* ignored_id = nullptr;
  PyObject* ignored_preset = nullptr;
  std::optional<uint32_t> mode, mf;
  if (!PyArg_ParseTupleAndKeywords(
          state.empty_tuple, spec, "|OOO&O&O&O&O&O&O&O&", Keywords(kNames),
          &ignored_id, &ignored_preset, OptionalUint32, &out->dict_size,
          OptionalUint32, &out->lc, OptionalUint32, &out->lp, OptionalUint32,
          &out->pb, OptionalUint32, &mode, OptionalUint32, &out->nice_len,
          OptionalUint32, &mf, OptionalUint32, &out->depth)) {
    PyErr_SetString(PyExc_ValueError,
                    "Invalid filter specifier for LZMA filter");
    return false;
  }
  if (mode) out->mode = static_cast<Mode>(*mode);
  if (mf) out->mf = static_cast<MatchFinder>(*mf);
  return true;
}

// Delta and BCJ specs have one option each.
bool ParseOneOption(const ModuleState& state, PyObject* spec, const char* name,
                    const char* error, std::optional<uint32_t>* out) {
  const char* const names[] = {"id", name, nullptr};
  PyObject* ignored_id = nullptr;
  if (!PyArg_ParseTupleAndKeywords(state.empty_tuple, spec, "|OO&",
                                   Keywords(names), &ignored_id, OptionalUint32,
                                   out)) {
    PyErr_SetString(PyExc_ValueError, error);
    return false;
  }
  return true;
}

// Adds dict[key] = value; false with an error set.
bool AddField(PyObject* dict, const char* key, unsigned long long value) {
  PyObject* number = PyLong_FromUnsignedLongLong(value);
  if (number == nullptr) return false;
  const int status = PyDict_SetItemString(dict, key, number);
  Py_DECREF(number);
  return status == 0;
}

}  // namespace

bool ParseFilterSpec(const ModuleState& state, PyObject* spec,
                     FilterSpec* out) {
  if (!PyMapping_Check(spec)) {
    PyErr_SetString(PyExc_TypeError,
                    "Filter specifier must be a dict or dict-like object");
    return false;
  }
  PyObject* id_obj = PyMapping_GetItemString(spec, "id");
  if (id_obj == nullptr) {
    if (PyErr_ExceptionMatches(PyExc_KeyError)) {
      PyErr_SetString(PyExc_ValueError,
                      "Filter specifier must have an \"id\" entry");
    }
    return false;
  }
  const unsigned long long id = PyLong_AsUnsignedLongLong(id_obj);
  Py_DECREF(id_obj);
  if (PyErr_Occurred()) return false;
  *out = FilterSpec{};
  out->id = static_cast<FilterId>(id);
  switch (KindOf(id)) {
    case Kind::kLzma:
      return ParseLzmaSpec(state, spec, out);
    case Kind::kDelta:
      return ParseOneOption(state, spec, "dist",
                            "Invalid filter specifier for delta filter",
                            &out->dist);
    case Kind::kBcj:
      return ParseOneOption(state, spec, "start_offset",
                            "Invalid filter specifier for BCJ filter",
                            &out->start_offset);
    case Kind::kUnknown:
      break;
  }
  InvalidFilterId(id);
  return false;
}

bool ParseFilterChain(const ModuleState& state, PyObject* specs,
                      FilterChain* out) {
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
    const bool ok = spec != nullptr && ParseFilterSpec(state, spec, &(*out)[i]);
    Py_XDECREF(spec);
    if (!ok) return false;
  }
  return true;
}

PyObject* FilterSpecToDict(unsigned long long id, const FilterSpec& spec) {
  const Kind kind = KindOf(id);
  if (kind == Kind::kUnknown) return InvalidFilterId(id);
  PyObject* dict = PyDict_New();
  if (dict == nullptr) return nullptr;
  bool ok = AddField(dict, "id", id);
  switch (kind) {
    // lzma_properties_decode() fills lc, lp, pb and dict_size for LZMA1,
    // only dict_size for LZMA2.
    case Kind::kLzma:
      if (id == LZMA_FILTER_LZMA1) {
        ok = ok && AddField(dict, "lc", spec.lc.value_or(0)) &&
             AddField(dict, "lp", spec.lp.value_or(0)) &&
             AddField(dict, "pb", spec.pb.value_or(0));
      }
      ok = ok && AddField(dict, "dict_size", spec.dict_size.value_or(0));
      break;
    case Kind::kDelta:
      ok = ok && AddField(dict, "dist", spec.dist.value_or(1));
      break;
    case Kind::kBcj:
      // Empty properties mean start_offset 0 and carry no options.
      if (spec.start_offset) {
        ok = ok && AddField(dict, "start_offset", *spec.start_offset);
      }
      break;
    case Kind::kUnknown:
      break;
  }
  if (!ok) {
    Py_DECREF(dict);
    return nullptr;
  }
  return dict;
}

}  // namespace parxz::python
