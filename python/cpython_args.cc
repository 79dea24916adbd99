#include "python/cpython_args.h"

#include <cstdint>

#include "python/filter_spec.h"
#include "python/py_support.h"

namespace parxz::python {
namespace {

// What CPython reports for liblzma's LZMA_PROG_ERROR and LZMA_OPTIONS_ERROR
// where core/ refuses the options before liblzma sees them.
constexpr char kProgError[] = "Internal error";
constexpr char kOptionsError[] = "Invalid or unsupported options";

bool RaiseLzmaError(const ModuleState& state, const char* message) {
  PyErr_SetString(state.error, message);
  return false;
}

// An unsigned 64-bit argument; None means 0.
bool ToUint64(PyObject* obj, const char* name, uint64_t* out) {
  if (obj == Py_None) {
    *out = 0;
    return true;
  }
  if (!PyLong_Check(obj)) {
    PyErr_Format(PyExc_TypeError, "%s must be an int or None, not %.50s", name,
                 Py_TYPE(obj)->tp_name);
    return false;
  }
  const unsigned long long value = PyLong_AsUnsignedLongLong(obj);
  if (PyErr_Occurred()) {
    if (PyErr_ExceptionMatches(PyExc_OverflowError)) {
      PyErr_Clear();
      PyErr_Format(PyExc_ValueError, "%s must be >= 0 and < 2**64", name);
    }
    return false;
  }
  *out = value;
  return true;
}

}  // namespace

bool ToThreads(PyObject* obj, unsigned* out) {
  uint64_t threads = 0;
  if (!ToUint64(obj, "threads", &threads)) return false;
  // parallel/common/threads.h clamps large counts; this bound keeps the value an
  // unsigned.
  if (threads > 4096) {
    PyErr_SetString(PyExc_ValueError,
                    "threads must be in 0..4096 (0: all cores)");
    return false;
  }
  *out = static_cast<unsigned>(threads);
  return true;
}

bool ToBlockSize(PyObject* obj, uint64_t* out) {
  return ToUint64(obj, "block_size", out);
}

bool ToFormat(int format, bool decoding, Format* out) {
  // core/ refuses other numbers too, but without naming them.
  if (format < (decoding ? kFormatAuto : kFormatXz) || format > kFormatRaw) {
    PyErr_Format(PyExc_ValueError, "Invalid container format: %d", format);
    return false;
  }
  *out = static_cast<Format>(format);
  return true;
}

bool ToCompressOptions(const ModuleState& state, int format, int check,
                       PyObject* preset_obj, PyObject* filters_obj,
                       CompressOptions* out) {
  // CPython refuses a check without FORMAT_XZ and a preset with a chain
  // before it converts any value, so that a bad value does not hide them:
  // core's rule, applied to what is set.
  CompressOptions set;
  set.format = static_cast<Format>(format);
  if (check != -1) set.check = static_cast<Check>(check);
  if (preset_obj != Py_None) set.preset = 0;
  if (filters_obj != Py_None) set.filters = FilterChain{};
  try {
    ValidateCompressCombination(set);
  } catch (const Error& e) {
    SetError(state.error, e);
    return false;
  }
  CompressOptions o;
  if (check != -1) o.check = static_cast<Check>(check);
  if (preset_obj != Py_None) {
    uint32_t preset = 0;
    if (!AsUint32(preset_obj, &preset)) return false;
    o.preset = preset;
  }
  if (!ToFormat(format, /*decoding=*/false, &o.format)) return false;
  const bool xz = o.format == Format::kXz;
  if (filters_obj == Py_None) {
    // lzma_easy_encoder() answers a bad preset with LZMA_OPTIONS_ERROR.
    if (xz && o.preset && (*o.preset & ~LZMA_PRESET_EXTREME) > 9) {
      return RaiseLzmaError(state, kOptionsError);
    }
    // CPython never looks at the preset of FORMAT_RAW: core/'s "Must specify
    // filters for FORMAT_RAW" is the answer, whatever the preset.
    if (o.format == Format::kRaw) o.preset.reset();
  } else {
    o.filters.emplace();
    if (!ParseFilterChain(state, filters_obj, &*o.filters)) return false;
  }
  // liblzma's encoders take check IDs beyond the .xz format's 0..15, an
  // empty chain and LZMA1 in .xz as programming errors.
  if (xz && (check < -1 || check > LZMA_CHECK_ID_MAX)) {
    return RaiseLzmaError(state, kProgError);
  }
  if (o.filters && o.format != Format::kAlone &&
      (o.filters->empty() ||
       (xz && o.filters->back().id == FilterId::kLzma1))) {
    return RaiseLzmaError(state, kProgError);
  }
  *out = std::move(o);
  return true;
}

bool ToDecompressOptions(const ModuleState& state, int format,
                         PyObject* memlimit_obj, PyObject* filters_obj,
                         DecompressOptions* out) {
  DecompressOptions o;
  const bool raw = format == kFormatRaw;
  // core/ refuses a memory limit with FORMAT_RAW, and filters with any other
  // format, whatever their values; CPython does not convert them then.
  if (memlimit_obj != Py_None) {
    o.memlimit = raw ? 0 : PyLong_AsUnsignedLongLong(memlimit_obj);
    if (PyErr_Occurred()) return false;
  }
  if (filters_obj != Py_None) {
    o.filters.emplace();
    if (raw && !o.memlimit &&
        !ParseFilterChain(state, filters_obj, &*o.filters)) {
      return false;
    }
  }
  // CPython checks the format after the other arguments, core/ before them:
  // filters given with an unknown format are refused as filters.
  const bool known = format >= kFormatAuto && format <= kFormatRaw;
  if (!known && o.filters) {
    PyErr_SetString(PyExc_ValueError,
                    "Cannot specify filters except with FORMAT_RAW");
    return false;
  }
  if (!ToFormat(format, /*decoding=*/true, &o.format)) return false;
  // liblzma's raw decoder takes an empty chain as a programming error.
  if (raw && o.filters && o.filters->empty() && !o.memlimit) {
    return RaiseLzmaError(state, kProgError);
  }
  *out = std::move(o);
  return true;
}

}  // namespace parxz::python
