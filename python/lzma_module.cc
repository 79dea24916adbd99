// parxz._lzma: CPython's _lzma interface (LZMACompressor, LZMADecompressor,
// LZMAError, is_check_supported, _encode/_decode_filter_properties and the
// constants) implemented on parxz's core/. With
//
//   import sys, parxz._lzma
//   sys.modules["_lzma"] = parxz._lzma
//   import lzma
//
// the standard lzma module (LZMAFile, open, compress, decompress) runs on
// parxz. Argument handling, exception types and messages follow CPython
// 3.11's Modules/_lzmamodule.c; the GIL is released while liblzma works.
//
// Each object has a lock, so that calls on one object from several Python
// threads are serialized as in CPython; distinct objects run in parallel.
#include <cstddef>
#include <memory>
#include <string>
#include <utility>

#include "core/compressor.h"
#include "core/decompressor.h"
#include "core/options.h"
#include "python/py_support.h"
// After Python.h (included by py_support.h).
#include <structmember.h>

namespace parxz::python {
namespace {

constexpr int kFormatAuto = 0;
constexpr int kFormatXz = 1;
constexpr int kFormatAlone = 2;
constexpr int kFormatRaw = 3;
constexpr int kCheckUnknown = LZMA_CHECK_ID_MAX + 1;

struct ModuleState {
  PyObject* error;  // LZMAError
  PyObject* empty_tuple;
  PyTypeObject* compressor_type;
  PyTypeObject* decompressor_type;
};

ModuleState* StateOf(PyObject* module) {
  return static_cast<ModuleState*>(PyModule_GetState(module));
}

ModuleState* StateOfType(PyTypeObject* type) {
  return static_cast<ModuleState*>(PyType_GetModuleState(type));
}

// CPython's ACQUIRE_LOCK: try without blocking, else wait with the GIL
// released so that the holder can finish.
class ObjectLock {
 public:
  explicit ObjectLock(PyThread_type_lock lock) : lock_(lock) {
    if (!PyThread_acquire_lock(lock_, 0)) {
      Py_BEGIN_ALLOW_THREADS PyThread_acquire_lock(lock_, 1);
      Py_END_ALLOW_THREADS
    }
  }
  ~ObjectLock() { PyThread_release_lock(lock_); }
  ObjectLock(const ObjectLock&) = delete;
  ObjectLock& operator=(const ObjectLock&) = delete;

 private:
  PyThread_type_lock lock_;
};

PyObject* BytesFrom(const std::string& s) {
  return PyBytes_FromStringAndSize(s.data(), static_cast<Py_ssize_t>(s.size()));
}

// ---------------------------------------------------------------------------
// LZMACompressor

struct CompressorObject {
  PyObject_HEAD
  Compressor* impl;  // owned; null until __init__ succeeded
  PyThread_type_lock lock;
};

int Compressor_init(PyObject* py_self, PyObject* args, PyObject* kwargs) {
  auto* self = reinterpret_cast<CompressorObject*>(py_self);
  ModuleState* state = StateOfType(Py_TYPE(py_self));
  static const char* const kNames[] = {"format", "check", "preset", "filters",
                                       nullptr};
  int format = kFormatXz;
  int check = -1;
  PyObject* preset_obj = Py_None;
  PyObject* filters_obj = Py_None;
  if (!PyArg_ParseTupleAndKeywords(args, kwargs, "|iiOO:LZMACompressor",
                                   const_cast<char**>(kNames), &format, &check,
                                   &preset_obj, &filters_obj)) {
    return -1;
  }
  if (format != kFormatXz && check != -1 && check != LZMA_CHECK_NONE) {
    PyErr_SetString(PyExc_ValueError,
                    "Integrity checks are only supported by FORMAT_XZ");
    return -1;
  }
  if (preset_obj != Py_None && filters_obj != Py_None) {
    PyErr_SetString(PyExc_ValueError, "Cannot specify both preset and filter chain");
    return -1;
  }
  CompressOptions options;
  uint32_t preset = LZMA_PRESET_DEFAULT;
  if (preset_obj != Py_None) {
    const unsigned long long value = PyLong_AsUnsignedLongLong(preset_obj);
    if (PyErr_Occurred()) return -1;
    if (static_cast<uint32_t>(value) != value) {
      PyErr_SetString(PyExc_OverflowError, "Value too large for uint32_t type");
      return -1;
    }
    preset = static_cast<uint32_t>(value);
  }
  if (self->lock == nullptr) {
    self->lock = PyThread_allocate_lock();
    if (self->lock == nullptr) {
      PyErr_SetString(PyExc_MemoryError, "Unable to allocate lock");
      return -1;
    }
  }
  switch (format) {
    case kFormatXz:
      options.format = Format::kXz;
      if (check != -1) {
        // IDs beyond the .xz format's 0..15: liblzma's LZMA_PROG_ERROR.
        if (check < 0 || check > LZMA_CHECK_ID_MAX) {
          PyErr_SetString(state->error, "Internal error");
          return -1;
        }
        options.check = static_cast<Check>(check);
      }
      if (filters_obj == Py_None) {
        // lzma_easy_encoder() answers a bad preset with LZMA_OPTIONS_ERROR.
        if ((preset & ~LZMA_PRESET_EXTREME) > 9) {
          PyErr_SetString(state->error, "Invalid or unsupported options");
          return -1;
        }
        options.preset = preset;
      } else {
        options.filters.emplace();
        if (!ParseFilterChain(state->error, state->empty_tuple, filters_obj,
                              &*options.filters)) {
          return -1;
        }
        // liblzma: LZMA_PROG_ERROR for an empty chain and for LZMA1 in .xz.
        if (options.filters->empty() ||
            options.filters->back().id == FilterId::kLzma1) {
          PyErr_SetString(state->error, "Internal error");
          return -1;
        }
      }
      break;
    case kFormatAlone:
      options.format = Format::kAlone;
      if (filters_obj == Py_None) {
        if ((preset & ~LZMA_PRESET_EXTREME) > 9) {
          PyErr_Format(state->error, "Invalid compression preset: %u", preset);
          return -1;
        }
        options.preset = preset;
      } else {
        options.filters.emplace();
        if (!ParseFilterChain(state->error, state->empty_tuple, filters_obj,
                              &*options.filters)) {
          return -1;
        }
        if (options.filters->size() != 1 ||
            (*options.filters)[0].id != FilterId::kLzma1) {
          PyErr_SetString(PyExc_ValueError,
                          "Invalid filter chain for FORMAT_ALONE - "
                          "must be a single LZMA1 filter");
          return -1;
        }
      }
      break;
    case kFormatRaw:
      options.format = Format::kRaw;
      if (filters_obj == Py_None) {
        PyErr_SetString(PyExc_ValueError, "Must specify filters for FORMAT_RAW");
        return -1;
      }
      options.filters.emplace();
      if (!ParseFilterChain(state->error, state->empty_tuple, filters_obj,
                            &*options.filters)) {
        return -1;
      }
      if (options.filters->empty()) {
        PyErr_SetString(state->error, "Internal error");
        return -1;
      }
      break;
    default:
      PyErr_Format(PyExc_ValueError, "Invalid container format: %d", format);
      return -1;
  }
  std::unique_ptr<Compressor> fresh;
  Failure failure;
  CallWithoutGil([&] { fresh = std::make_unique<Compressor>(options); }, failure);
  ObjectLock lock(self->lock);
  delete self->impl;
  self->impl = fresh.release();
  if (failure.failed()) {
    SetError(state->error, failure);
    return -1;
  }
  return 0;
}

void Compressor_dealloc(PyObject* py_self) {
  auto* self = reinterpret_cast<CompressorObject*>(py_self);
  PyTypeObject* type = Py_TYPE(py_self);
  delete self->impl;
  if (self->lock != nullptr) PyThread_free_lock(self->lock);
  type->tp_free(py_self);
  Py_DECREF(type);
}

// An object whose __init__ never ran (or failed) behaves like CPython's
// zeroed lzma_stream: liblzma reports a programming error.
bool CheckInitialized(void* impl, PyThread_type_lock lock, ModuleState* state) {
  if (impl != nullptr && lock != nullptr) return true;
  PyErr_SetString(state->error, "Internal error");
  return false;
}

PyObject* Compressor_compress(PyObject* py_self, PyObject* data) {
  auto* self = reinterpret_cast<CompressorObject*>(py_self);
  ModuleState* state = StateOfType(Py_TYPE(py_self));
  InputBuffer input;
  if (!input.Get(data, "compress", "argument")) return nullptr;
  if (!CheckInitialized(self->impl, self->lock, state)) return nullptr;
  ObjectLock lock(self->lock);
  std::string out;
  Failure failure;
  if (!CallWithoutGil([&] { out = self->impl->compress(input.view()); }, failure)) {
    return SetError(state->error, failure);
  }
  return BytesFrom(out);
}

PyObject* Compressor_flush(PyObject* py_self, PyObject* /*unused*/) {
  auto* self = reinterpret_cast<CompressorObject*>(py_self);
  ModuleState* state = StateOfType(Py_TYPE(py_self));
  if (!CheckInitialized(self->impl, self->lock, state)) return nullptr;
  ObjectLock lock(self->lock);
  std::string out;
  Failure failure;
  if (!CallWithoutGil([&] { out = self->impl->flush(); }, failure)) {
    return SetError(state->error, failure);
  }
  return BytesFrom(out);
}

PyMethodDef compressor_methods[] = {
    {"compress", Compressor_compress, METH_O,
     "compress($self, data, /)\n--\n\n"
     "Provide data to the compressor object.\n\n"
     "Returns a chunk of compressed data if possible, or b'' otherwise.\n"
     "Call flush() once all data has been provided."},
    {"flush", Compressor_flush, METH_NOARGS,
     "flush($self, /)\n--\n\n"
     "Finish the compression process.\n\n"
     "Returns the compressed data left in internal buffers. The compressor\n"
     "object may not be used after this method is called."},
    {},
};

const char kCompressorDoc[] =
    "LZMACompressor(format=FORMAT_XZ, check=-1, preset=None, filters=None)\n\n"
    "Create a compressor object for compressing data incrementally.\n\n"
    "format is FORMAT_XZ (default), FORMAT_ALONE or FORMAT_RAW. check is the\n"
    "integrity check (FORMAT_XZ only; default CHECK_CRC64). preset (0-9,\n"
    "optionally OR-ed with PRESET_EXTREME) and filters (a list of filter\n"
    "specifier dicts) are alternatives; FORMAT_RAW needs filters.\n\n"
    "Call compress() for each chunk of input and flush() at the end.\n"
    "(parxz implementation on liblzma; see parxz.lzma for threads.)";

PyType_Slot compressor_slots[] = {
    {Py_tp_dealloc, reinterpret_cast<void*>(Compressor_dealloc)},
    {Py_tp_init, reinterpret_cast<void*>(Compressor_init)},
    {Py_tp_new, reinterpret_cast<void*>(PyType_GenericNew)},
    {Py_tp_methods, compressor_methods},
    {Py_tp_doc, const_cast<char*>(kCompressorDoc)},
    {0, nullptr},
};

PyType_Spec compressor_spec = {
    "_lzma.LZMACompressor",
    sizeof(CompressorObject),
    0,
    Py_TPFLAGS_DEFAULT | Py_TPFLAGS_IMMUTABLETYPE,
    compressor_slots,
};

// ---------------------------------------------------------------------------
// LZMADecompressor

struct DecompressorObject {
  PyObject_HEAD
  Decompressor* impl;  // owned; null until __init__ succeeded
  PyThread_type_lock lock;
  // Mirrors of the core object's state, exposed as read-only members.
  int check;
  char eof;
  char needs_input;
  PyObject* unused_data;  // bytes
};

void SyncDecompressorMembers(DecompressorObject* self) {
  self->check = static_cast<int>(self->impl->check());
  self->eof = self->impl->eof();
  self->needs_input = self->impl->needs_input();
  if (self->eof && PyBytes_GET_SIZE(self->unused_data) == 0 &&
      !self->impl->unused_data().empty()) {
    PyObject* unused = BytesFrom(self->impl->unused_data());
    if (unused != nullptr) Py_SETREF(self->unused_data, unused);
  }
}

int Decompressor_init(PyObject* py_self, PyObject* args, PyObject* kwargs) {
  auto* self = reinterpret_cast<DecompressorObject*>(py_self);
  ModuleState* state = StateOfType(Py_TYPE(py_self));
  static const char* const kNames[] = {"format", "memlimit", "filters", nullptr};
  PyObject* format_obj = nullptr;
  PyObject* memlimit_obj = Py_None;
  PyObject* filters_obj = Py_None;
  if (!PyArg_ParseTupleAndKeywords(args, kwargs, "|OOO:LZMADecompressor",
                                   const_cast<char**>(kNames), &format_obj,
                                   &memlimit_obj, &filters_obj)) {
    return -1;
  }
  int format = kFormatAuto;
  if (format_obj != nullptr && !AsInt(format_obj, &format)) return -1;
  DecompressOptions options;
  if (memlimit_obj != Py_None) {
    if (format == kFormatRaw) {
      PyErr_SetString(PyExc_ValueError,
                      "Cannot specify memory limit with FORMAT_RAW");
      return -1;
    }
    const unsigned long long memlimit = PyLong_AsUnsignedLongLong(memlimit_obj);
    if (PyErr_Occurred()) return -1;
    options.memlimit = memlimit;
  }
  if (format == kFormatRaw && filters_obj == Py_None) {
    PyErr_SetString(PyExc_ValueError, "Must specify filters for FORMAT_RAW");
    return -1;
  }
  if (format != kFormatRaw && filters_obj != Py_None) {
    PyErr_SetString(PyExc_ValueError,
                    "Cannot specify filters except with FORMAT_RAW");
    return -1;
  }
  switch (format) {
    case kFormatAuto:
      options.format = Format::kAuto;
      break;
    case kFormatXz:
      options.format = Format::kXz;
      break;
    case kFormatAlone:
      options.format = Format::kAlone;
      break;
    case kFormatRaw:
      options.format = Format::kRaw;
      options.filters.emplace();
      if (!ParseFilterChain(state->error, state->empty_tuple, filters_obj,
                            &*options.filters)) {
        return -1;
      }
      if (options.filters->empty()) {
        PyErr_SetString(state->error, "Internal error");
        return -1;
      }
      break;
    default:
      PyErr_Format(PyExc_ValueError, "Invalid container format: %d", format);
      return -1;
  }
  if (self->lock == nullptr) {
    self->lock = PyThread_allocate_lock();
    if (self->lock == nullptr) {
      PyErr_SetString(PyExc_MemoryError, "Unable to allocate lock");
      return -1;
    }
  }
  PyObject* empty = PyBytes_FromStringAndSize(nullptr, 0);
  if (empty == nullptr) return -1;
  std::unique_ptr<Decompressor> fresh;
  Failure failure;
  CallWithoutGil([&] { fresh = std::make_unique<Decompressor>(options); }, failure);
  ObjectLock lock(self->lock);
  delete self->impl;
  self->impl = fresh.release();
  Py_XSETREF(self->unused_data, empty);
  self->check = kCheckUnknown;
  self->eof = 0;
  self->needs_input = 1;
  if (failure.failed()) {
    SetError(state->error, failure);
    return -1;
  }
  self->check = static_cast<int>(self->impl->check());
  return 0;
}

void Decompressor_dealloc(PyObject* py_self) {
  auto* self = reinterpret_cast<DecompressorObject*>(py_self);
  PyTypeObject* type = Py_TYPE(py_self);
  delete self->impl;
  if (self->lock != nullptr) PyThread_free_lock(self->lock);
  Py_CLEAR(self->unused_data);
  type->tp_free(py_self);
  Py_DECREF(type);
}

PyObject* Decompressor_decompress(PyObject* py_self, PyObject* args,
                                  PyObject* kwargs) {
  auto* self = reinterpret_cast<DecompressorObject*>(py_self);
  ModuleState* state = StateOfType(Py_TYPE(py_self));
  static const char* const kNames[] = {"data", "max_length", nullptr};
  PyObject* data = nullptr;
  Py_ssize_t max_length = -1;
  if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O|n:decompress",
                                   const_cast<char**>(kNames), &data,
                                   &max_length)) {
    return nullptr;
  }
  InputBuffer input;
  if (!input.Get(data, "decompress", "argument 'data'")) return nullptr;
  if (!CheckInitialized(self->impl, self->lock, state)) return nullptr;
  ObjectLock lock(self->lock);
  if (self->eof) {
    PyErr_SetString(PyExc_EOFError, "Already at end of stream");
    return nullptr;
  }
  std::string out;
  Failure failure;
  CallWithoutGil(
      [&] { out = self->impl->decompress(input.view(), max_length); }, failure);
  SyncDecompressorMembers(self);
  if (failure.failed()) return SetError(state->error, failure);
  if (PyErr_Occurred()) return nullptr;  // unused_data could not be built
  return BytesFrom(out);
}

PyMethodDef decompressor_methods[] = {
    {"decompress", reinterpret_cast<PyCFunction>(
                       reinterpret_cast<void (*)()>(Decompressor_decompress)),
     METH_VARARGS | METH_KEYWORDS,
     "decompress($self, /, data, max_length=-1)\n--\n\n"
     "Decompress *data*, returning uncompressed data as bytes.\n\n"
     "If *max_length* is nonnegative, at most *max_length* bytes come back;\n"
     "when that limit is hit and more output is ready, *self.needs_input*\n"
     "becomes False and the next call may pass b'' to get more.\n"
     "Input that cannot be used yet is buffered for the next call.\n"
     "After the end of the stream, EOFError is raised and any data that\n"
     "followed the stream is in *self.unused_data*."},
    {},
};

PyMemberDef decompressor_members[] = {
    {"check", T_INT, offsetof(DecompressorObject, check), READONLY,
     "ID of the integrity check used by the input stream."},
    {"eof", T_BOOL, offsetof(DecompressorObject, eof), READONLY,
     "True if the end-of-stream marker has been reached."},
    {"unused_data", T_OBJECT_EX, offsetof(DecompressorObject, unused_data),
     READONLY, "Data found after the end of the compressed stream."},
    {"needs_input", T_BOOL, offsetof(DecompressorObject, needs_input), READONLY,
     "True if more input is needed before more output can be produced."},
    {},
};

const char kDecompressorDoc[] =
    "LZMADecompressor(format=FORMAT_AUTO, memlimit=None, filters=None)\n\n"
    "Create a decompressor object for decompressing data incrementally.\n\n"
    "format is FORMAT_AUTO (default: detects .xz and .lzma), FORMAT_XZ,\n"
    "FORMAT_ALONE or FORMAT_RAW. memlimit limits the memory the decoder may\n"
    "use (not with FORMAT_RAW). filters (a list of filter specifier dicts) is\n"
    "required with FORMAT_RAW and refused otherwise.\n\n"
    "One object decodes one stream; use lzma.decompress() for concatenated\n"
    "streams. (parxz implementation on liblzma.)";

PyType_Slot decompressor_slots[] = {
    {Py_tp_dealloc, reinterpret_cast<void*>(Decompressor_dealloc)},
    {Py_tp_init, reinterpret_cast<void*>(Decompressor_init)},
    {Py_tp_new, reinterpret_cast<void*>(PyType_GenericNew)},
    {Py_tp_methods, decompressor_methods},
    {Py_tp_members, decompressor_members},
    {Py_tp_doc, const_cast<char*>(kDecompressorDoc)},
    {0, nullptr},
};

PyType_Spec decompressor_spec = {
    "_lzma.LZMADecompressor",
    sizeof(DecompressorObject),
    0,
    Py_TPFLAGS_DEFAULT | Py_TPFLAGS_IMMUTABLETYPE,
    decompressor_slots,
};

// ---------------------------------------------------------------------------
// Module functions

PyObject* IsCheckSupported_(PyObject* /*module*/, PyObject* arg) {
  int check_id = 0;
  if (!AsInt(arg, &check_id)) return nullptr;
  return PyBool_FromLong(IsCheckSupported(static_cast<Check>(check_id)));
}

PyObject* EncodeFilterProperties_(PyObject* module, PyObject* arg) {
  ModuleState* state = StateOf(module);
  FilterSpec spec;
  if (!ParseFilterSpec(state->error, state->empty_tuple, arg, &spec)) {
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

// Adds spec[key] = value; false with an error set.
bool AddField(PyObject* dict, const char* key, unsigned long long value) {
  PyObject* number = PyLong_FromUnsignedLongLong(value);
  if (number == nullptr) return false;
  const int status = PyDict_SetItemString(dict, key, number);
  Py_DECREF(number);
  return status == 0;
}

PyObject* DecodeFilterProperties_(PyObject* module, PyObject* const* args,
                                  Py_ssize_t nargs) {
  ModuleState* state = StateOf(module);
  if (nargs != 2) {
    PyErr_Format(PyExc_TypeError,
                 "_decode_filter_properties expected 2 arguments, got %zd", nargs);
    return nullptr;
  }
  const unsigned long long id = PyLong_AsUnsignedLongLong(args[0]);
  if (PyErr_Occurred()) return nullptr;
  InputBuffer props;
  if (!props.Get(args[1], "_decode_filter_properties", "argument 2")) return nullptr;
  FilterSpec spec;
  Failure failure;
  if (!CallWithoutGil(
          [&] {
            spec = DecodeFilterProperties(static_cast<FilterId>(id), props.view());
          },
          failure)) {
    return SetError(state->error, failure);
  }
  PyObject* dict = PyDict_New();
  if (dict == nullptr) return nullptr;
  bool ok = AddField(dict, "id", id);
  switch (id) {
    // lzma_properties_decode() fills lc, lp, pb and dict_size for LZMA1,
    // only dict_size for LZMA2.
    case LZMA_FILTER_LZMA1:
      ok = ok && AddField(dict, "lc", spec.lc.value_or(0)) &&
           AddField(dict, "lp", spec.lp.value_or(0)) &&
           AddField(dict, "pb", spec.pb.value_or(0)) &&
           AddField(dict, "dict_size", spec.dict_size.value_or(0));
      break;
    case LZMA_FILTER_LZMA2:
      ok = ok && AddField(dict, "dict_size", spec.dict_size.value_or(0));
      break;
    case LZMA_FILTER_DELTA:
      ok = ok && AddField(dict, "dist", spec.dist.value_or(1));
      break;
    case LZMA_FILTER_X86:
    case LZMA_FILTER_POWERPC:
    case LZMA_FILTER_IA64:
    case LZMA_FILTER_ARM:
    case LZMA_FILTER_ARMTHUMB:
    case LZMA_FILTER_SPARC:
      // Empty properties mean start_offset 0 and carry no options.
      if (spec.start_offset) ok = ok && AddField(dict, "start_offset", *spec.start_offset);
      break;
    default:
      if (ok) PyErr_Format(PyExc_ValueError, "Invalid filter ID: %llu", id);
      ok = false;
      break;
  }
  if (!ok) {
    Py_DECREF(dict);
    return nullptr;
  }
  return dict;
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
  state->error = PyErr_NewExceptionWithDoc("_lzma.LZMAError",
                                           "Call to liblzma failed.", nullptr,
                                           nullptr);
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
    if (function == nullptr || PyModule_AddObjectRef(module, def->ml_name, function) < 0) {
      Py_XDECREF(function);
      Py_DECREF(module_name);
      return -1;
    }
    Py_DECREF(function);
  }
  Py_DECREF(module_name);
  auto add_type = [&](PyType_Spec* spec, PyTypeObject** slot) {
    *slot = reinterpret_cast<PyTypeObject*>(
        PyType_FromModuleAndSpec(module, spec, nullptr));
    return *slot != nullptr && PyModule_AddType(module, *slot) == 0;
  };
  if (!add_type(&compressor_spec, &state->compressor_type) ||
      !add_type(&decompressor_spec, &state->decompressor_type)) {
    return -1;
  }
  return 0;
}

int ModuleTraverse(PyObject* module, visitproc visit, void* arg) {
  ModuleState* state = StateOf(module);
  Py_VISIT(state->error);
  Py_VISIT(state->empty_tuple);
  Py_VISIT(state->compressor_type);
  Py_VISIT(state->decompressor_type);
  return 0;
}

int ModuleClear(PyObject* module) {
  ModuleState* state = StateOf(module);
  Py_CLEAR(state->error);
  Py_CLEAR(state->empty_tuple);
  Py_CLEAR(state->compressor_type);
  Py_CLEAR(state->decompressor_type);
  return 0;
}

void ModuleFree(void* module) { ModuleClear(static_cast<PyObject*>(module)); }

PyModuleDef_Slot module_slots[] = {
    {Py_mod_exec, reinterpret_cast<void*>(ModuleExec)},
    {0, nullptr},
};

PyModuleDef module_def = {
    PyModuleDef_HEAD_INIT,
    "_lzma",
    nullptr,
    sizeof(ModuleState),
    nullptr,  // module_methods are added by ModuleExec
    module_slots,
    ModuleTraverse,
    ModuleClear,
    ModuleFree,
};

}  // namespace
}  // namespace parxz::python

PyMODINIT_FUNC PyInit__lzma() { return PyModuleDef_Init(&parxz::python::module_def); }
