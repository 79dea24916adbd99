// parxz._parallel: the threaded engines behind parxz.lzma's threads= and
// block_size= (not part of CPython's _lzma interface; use parxz.lzma).
//
//   ParallelCompressor(check, preset, filters, threads, block_size)
//       .compress(data) -> bytes, .flush() -> bytes
//     Block-parallel .xz (parallel/parallel_compressor.h): the bytes equal
//     `xz -T2 --block-size=B` for the same settings, for every thread count.
//   decompress(data, format, memlimit, threads) -> bytes
//     parallel/parallel_decompressor.h's ParallelDecompress with the
//     semantics of lzma.decompress() (concatenated streams, trailing junk).
//
// Errors are parxz._lzma.LZMAError (and ValueError/MemoryError as _lzma).
// The GIL is released while the engines work.
#include <memory>
#include <string>

#include "parallel/parallel_compressor.h"
#ifdef PARXZ_PYTHON_PARALLEL_DECODER
#include "parallel/parallel_decompressor.h"
#endif
#include "python/py_support.h"

namespace parxz::python {
namespace {

struct ModuleState {
  PyObject* error;  // parxz._lzma.LZMAError
  PyObject* empty_tuple;
  PyTypeObject* compressor_type;
};

ModuleState* StateOf(PyObject* module) {
  return static_cast<ModuleState*>(PyModule_GetState(module));
}

ModuleState* StateOfType(PyTypeObject* type) {
  return static_cast<ModuleState*>(PyType_GetModuleState(type));
}

PyObject* BytesFrom(const std::string& s) {
  return PyBytes_FromStringAndSize(s.data(), static_cast<Py_ssize_t>(s.size()));
}

// An unsigned 64-bit argument; None means `fallback`.
bool ToUint64(PyObject* obj, const char* name, uint64_t fallback, uint64_t* out) {
  if (obj == Py_None) {
    *out = fallback;
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

bool ToThreads(PyObject* obj, unsigned* out) {
  uint64_t threads = 0;
  if (!ToUint64(obj, "threads", 0, &threads)) return false;
  if (threads > 4096) {
    PyErr_SetString(PyExc_ValueError, "threads must be in 0..4096 (0: all cores)");
    return false;
  }
  *out = static_cast<unsigned>(threads);
  return true;
}

// ---------------------------------------------------------------------------
// ParallelCompressor

struct ParallelCompressorObject {
  PyObject_HEAD
  ParallelCompressor* impl;  // owned; null until __init__ succeeded
  PyThread_type_lock lock;
  int flushed;
};

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

int ParallelCompressor_init(PyObject* py_self, PyObject* args, PyObject* kwargs) {
  auto* self = reinterpret_cast<ParallelCompressorObject*>(py_self);
  ModuleState* state = StateOfType(Py_TYPE(py_self));
  static const char* const kNames[] = {"check", "preset", "filters", "threads",
                                       "block_size", nullptr};
  int check = -1;
  PyObject* preset_obj = Py_None;
  PyObject* filters_obj = Py_None;
  PyObject* threads_obj = Py_None;
  PyObject* block_size_obj = Py_None;
  if (!PyArg_ParseTupleAndKeywords(args, kwargs, "|iOOOO:ParallelCompressor",
                                   const_cast<char**>(kNames), &check,
                                   &preset_obj, &filters_obj, &threads_obj,
                                   &block_size_obj)) {
    return -1;
  }
  if (preset_obj != Py_None && filters_obj != Py_None) {
    PyErr_SetString(PyExc_ValueError, "Cannot specify both preset and filter chain");
    return -1;
  }
  ParallelOptions options;
  if (preset_obj != Py_None) {
    const unsigned long long value = PyLong_AsUnsignedLongLong(preset_obj);
    if (PyErr_Occurred()) return -1;
    if (static_cast<uint32_t>(value) != value) {
      PyErr_SetString(PyExc_OverflowError, "Value too large for uint32_t type");
      return -1;
    }
    if ((value & ~uint64_t{LZMA_PRESET_EXTREME}) > 9) {
      PyErr_SetString(state->error, "Invalid or unsupported options");
      return -1;
    }
    options.preset = static_cast<uint32_t>(value);
  }
  if (filters_obj != Py_None) {
    options.filters.emplace();
    if (!ParseFilterChain(state->error, state->empty_tuple, filters_obj,
                          &*options.filters)) {
      return -1;
    }
    if (options.filters->empty() || options.filters->back().id != FilterId::kLzma2) {
      PyErr_SetString(state->error, "Invalid or unsupported options");
      return -1;
    }
  }
  if (check != -1) {
    if (check < 0 || check > LZMA_CHECK_ID_MAX) {
      PyErr_SetString(state->error, "Internal error");
      return -1;
    }
    options.check = static_cast<Check>(check);
  }
  uint64_t block_size = 0;
  if (!ToThreads(threads_obj, &options.threads) ||
      !ToUint64(block_size_obj, "block_size", 0, &block_size)) {
    return -1;
  }
  options.block_size = block_size;
  if (self->lock == nullptr) {
    self->lock = PyThread_allocate_lock();
    if (self->lock == nullptr) {
      PyErr_SetString(PyExc_MemoryError, "Unable to allocate lock");
      return -1;
    }
  }
  std::unique_ptr<ParallelCompressor> fresh;
  Failure failure;
  CallWithoutGil([&] { fresh = std::make_unique<ParallelCompressor>(options); },
                 failure);
  ObjectLock lock(self->lock);
  std::unique_ptr<ParallelCompressor> old(self->impl);
  self->impl = fresh.release();
  self->flushed = 0;
  if (old) {
    // Stopping the old pipeline waits for its workers.
    Py_BEGIN_ALLOW_THREADS old.reset();
    Py_END_ALLOW_THREADS
  }
  if (failure.failed()) {
    SetError(state->error, failure);
    return -1;
  }
  return 0;
}

void ParallelCompressor_dealloc(PyObject* py_self) {
  auto* self = reinterpret_cast<ParallelCompressorObject*>(py_self);
  PyTypeObject* type = Py_TYPE(py_self);
  if (self->impl != nullptr) {
    ParallelCompressor* impl = self->impl;
    self->impl = nullptr;
    Py_BEGIN_ALLOW_THREADS delete impl;
    Py_END_ALLOW_THREADS
  }
  if (self->lock != nullptr) PyThread_free_lock(self->lock);
  type->tp_free(py_self);
  Py_DECREF(type);
}

// An object whose __init__ never ran (or failed): liblzma's "Internal error",
// as _lzma.
bool CheckInitialized(ParallelCompressorObject* self, ModuleState* state) {
  if (self->impl != nullptr && self->lock != nullptr) return true;
  PyErr_SetString(state->error, "Internal error");
  return false;
}

bool CheckNotFlushed(ParallelCompressorObject* self, const char* flushed_message) {
  if (self->flushed) {
    PyErr_SetString(PyExc_ValueError, flushed_message);
    return false;
  }
  return true;
}

PyObject* ParallelCompressor_compress(PyObject* py_self, PyObject* data) {
  auto* self = reinterpret_cast<ParallelCompressorObject*>(py_self);
  ModuleState* state = StateOfType(Py_TYPE(py_self));
  InputBuffer input;
  if (!input.Get(data, "compress", "argument")) return nullptr;
  if (!CheckInitialized(self, state)) return nullptr;
  ObjectLock lock(self->lock);
  if (!CheckNotFlushed(self, "Compressor has been flushed")) return nullptr;
  std::string out;
  Failure failure;
  if (!CallWithoutGil([&] { out = self->impl->compress(input.view()); }, failure)) {
    return SetError(state->error, failure);
  }
  return BytesFrom(out);
}

PyObject* ParallelCompressor_flush(PyObject* py_self, PyObject* /*unused*/) {
  auto* self = reinterpret_cast<ParallelCompressorObject*>(py_self);
  ModuleState* state = StateOfType(Py_TYPE(py_self));
  if (!CheckInitialized(self, state)) return nullptr;
  ObjectLock lock(self->lock);
  if (!CheckNotFlushed(self, "Repeated call to flush()")) return nullptr;
  std::string out;
  Failure failure;
  self->flushed = 1;
  if (!CallWithoutGil([&] { out = self->impl->flush(); }, failure)) {
    return SetError(state->error, failure);
  }
  return BytesFrom(out);
}

PyMethodDef compressor_methods[] = {
    {"compress", ParallelCompressor_compress, METH_O,
     "compress($self, data, /)\n--\n\n"
     "Provide data; returns the compressed bytes of the Blocks finished so\n"
     "far (b'' while the first Block fills)."},
    {"flush", ParallelCompressor_flush, METH_NOARGS,
     "flush($self, /)\n--\n\n"
     "Finish the stream and return the rest of it. Once only."},
    {},
};

PyType_Slot compressor_slots[] = {
    {Py_tp_dealloc, reinterpret_cast<void*>(ParallelCompressor_dealloc)},
    {Py_tp_init, reinterpret_cast<void*>(ParallelCompressor_init)},
    {Py_tp_new, reinterpret_cast<void*>(PyType_GenericNew)},
    {Py_tp_methods, compressor_methods},
    {Py_tp_doc,
     const_cast<char*>(
         "ParallelCompressor(check=-1, preset=None, filters=None, threads=None,"
         " block_size=None)\n\n"
         "Block-parallel .xz compressor (threads: 0 or None = all cores;\n"
         "block_size: None = max(3 x dict_size, 1 MiB) as xz).")},
    {0, nullptr},
};

PyType_Spec compressor_spec = {
    "parxz._parallel.ParallelCompressor",
    sizeof(ParallelCompressorObject),
    0,
    Py_TPFLAGS_DEFAULT | Py_TPFLAGS_IMMUTABLETYPE,
    compressor_slots,
};

#ifdef PARXZ_PYTHON_PARALLEL_DECODER
// ---------------------------------------------------------------------------
// decompress()

// The parallel decoder names the Block in its messages ("Corrupt input data
// in Block 3 of Stream 1 ..."); lzma.decompress() users match on liblzma's
// text as CPython reports it, so that is what is raised.
PyObject* SetDecodeError(PyObject* lzma_error, const Failure& failure) {
  static const char* const kPythonTexts[] = {
      "Compressed data ended before the end-of-stream marker was reached",
      "Input format not supported by decoder",
      "Memory usage limit exceeded",
      "Unsupported integrity check",
      "Invalid or unsupported options",
      "Corrupt input data",
      "Insufficient buffer space",
      "Internal error",
  };
  if (failure.error) {
    const Error& e = *failure.error;
    for (const char* text : kPythonTexts) {
      if (e.detail().rfind(text, 0) == 0 && e.detail() != text) {
        return SetError(lzma_error, Error(e.code(), e.operation(), text, e.offset()));
      }
    }
  }
  return SetError(lzma_error, failure);
}

PyObject* Decompress(PyObject* module, PyObject* args, PyObject* kwargs) {
  ModuleState* state = StateOf(module);
  static const char* const kNames[] = {"data", "format", "memlimit", "threads",
                                       nullptr};
  PyObject* data = nullptr;
  int format = 0;
  PyObject* memlimit_obj = Py_None;
  PyObject* threads_obj = Py_None;
  if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O|iOO:decompress",
                                   const_cast<char**>(kNames), &data, &format,
                                   &memlimit_obj, &threads_obj)) {
    return nullptr;
  }
  InputBuffer input;
  if (!input.Get(data, "decompress", "argument 'data'")) return nullptr;
  ParallelDecodeOptions options;
  switch (format) {
    case 0:
      options.format = Format::kAuto;
      break;
    case 1:
      options.format = Format::kXz;
      break;
    case 2:
      options.format = Format::kAlone;
      break;
    default:
      PyErr_Format(PyExc_ValueError, "Invalid container format: %d", format);
      return nullptr;
  }
  if (memlimit_obj != Py_None) {
    const unsigned long long memlimit = PyLong_AsUnsignedLongLong(memlimit_obj);
    if (PyErr_Occurred()) return nullptr;
    options.memlimit_hard = memlimit;
  }
  if (!ToThreads(threads_obj, &options.threads)) return nullptr;
  std::string out;
  Failure failure;
  if (!CallWithoutGil([&] { out = ParallelDecompress(input.view(), options); },
                      failure)) {
    return SetDecodeError(state->error, failure);
  }
  return BytesFrom(out);
}

#endif  // PARXZ_PYTHON_PARALLEL_DECODER

PyMethodDef module_methods[] = {
#ifdef PARXZ_PYTHON_PARALLEL_DECODER
    {"decompress",
     reinterpret_cast<PyCFunction>(reinterpret_cast<void (*)()>(Decompress)),
     METH_VARARGS | METH_KEYWORDS,
     "decompress($module, /, data, format=0, memlimit=None, threads=None)\n--\n\n"
     "Decompress all of *data* (concatenated streams, trailing junk ignored,\n"
     "as lzma.decompress()), decoding .xz Blocks on *threads* threads."},
#endif
    {},
};

int ModuleExec(PyObject* module) {
  ModuleState* state = StateOf(module);
  PyObject* lzma_c = PyImport_ImportModule("parxz._lzma");
  if (lzma_c == nullptr) return -1;
  state->error = PyObject_GetAttrString(lzma_c, "LZMAError");
  Py_DECREF(lzma_c);
  if (state->error == nullptr) return -1;
  state->empty_tuple = PyTuple_New(0);
  if (state->empty_tuple == nullptr) return -1;
  state->compressor_type = reinterpret_cast<PyTypeObject*>(
      PyType_FromModuleAndSpec(module, &compressor_spec, nullptr));
  if (state->compressor_type == nullptr ||
      PyModule_AddType(module, state->compressor_type) < 0) {
    return -1;
  }
  return 0;
}

int ModuleTraverse(PyObject* module, visitproc visit, void* arg) {
  ModuleState* state = StateOf(module);
  Py_VISIT(state->error);
  Py_VISIT(state->empty_tuple);
  Py_VISIT(state->compressor_type);
  return 0;
}

int ModuleClear(PyObject* module) {
  ModuleState* state = StateOf(module);
  Py_CLEAR(state->error);
  Py_CLEAR(state->empty_tuple);
  Py_CLEAR(state->compressor_type);
  return 0;
}

void ModuleFree(void* module) { ModuleClear(static_cast<PyObject*>(module)); }

PyModuleDef_Slot module_slots[] = {
    {Py_mod_exec, reinterpret_cast<void*>(ModuleExec)},
    {0, nullptr},
};

PyModuleDef module_def = {
    PyModuleDef_HEAD_INIT,
    "parxz._parallel",
    "Threaded engines behind parxz.lzma (use parxz.lzma).",
    sizeof(ModuleState),
    module_methods,
    module_slots,
    ModuleTraverse,
    ModuleClear,
    ModuleFree,
};

}  // namespace
}  // namespace parxz::python

PyMODINIT_FUNC PyInit__parallel() {
  return PyModuleDef_Init(&parxz::python::module_def);
}
