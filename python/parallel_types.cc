#include "python/parallel_types.h"

#include <memory>
#include <string>

#include "parallel/parallel_compressor.h"
#ifdef PARXZ_PYTHON_PARALLEL_DECODER
#include "parallel/parallel_decompressor.h"
#endif
#include "python/cpython_args.h"
#include "python/py_support.h"

namespace parxz::python {
namespace {

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

// threads= as parallel/ takes it (0: all cores; parallel/threads.h clamps
// large counts), bounded so that it fits the unsigned field.
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
  // flush() was called: CPython's messages for later calls differ from
  // parallel/'s ("Repeated call to flush()").
  int flushed;
};

// Deletes `impl` with the GIL released: stopping a pipeline waits for its
// workers.
void DeleteWithoutGil(ParallelCompressor* impl) {
  if (impl == nullptr) return;
  Py_BEGIN_ALLOW_THREADS delete impl;
  Py_END_ALLOW_THREADS
}

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
  CompressOptions xz;
  ParallelOptions options;
  if (!ToCompressOptions(*state, kFormatXz, check, preset_obj, filters_obj, &xz) ||
      !ToThreads(threads_obj, &options.threads) ||
      !ToUint64(block_size_obj, "block_size", 0, &options.block_size) ||
      !ObjectLock::Ensure(&self->lock)) {
    return -1;
  }
  options.preset = xz.preset;
  options.filters = std::move(xz.filters);
  options.check = xz.check.value_or(options.check);
  std::unique_ptr<ParallelCompressor> fresh;
  Failure failure;
  CallWithoutGil([&] { fresh = std::make_unique<ParallelCompressor>(options); },
                 failure);
  ParallelCompressor* old = nullptr;
  {
    ObjectLock lock(self->lock);
    old = self->impl;
    self->impl = fresh.release();
    self->flushed = 0;
  }
  DeleteWithoutGil(old);
  if (failure.failed()) {
    SetError(state->error, failure);
    return -1;
  }
  return 0;
}

void ParallelCompressor_dealloc(PyObject* py_self) {
  auto* self = reinterpret_cast<ParallelCompressorObject*>(py_self);
  PyTypeObject* type = Py_TYPE(py_self);
  DeleteWithoutGil(self->impl);
  self->impl = nullptr;
  if (self->lock != nullptr) PyThread_free_lock(self->lock);
  type->tp_free(py_self);
  Py_DECREF(type);
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
  if (!CheckInitialized(self->impl, self->lock, state->error)) return nullptr;
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
  if (!CheckInitialized(self->impl, self->lock, state->error)) return nullptr;
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
    "parxz._parxz.ParallelCompressor",
    sizeof(ParallelCompressorObject),
    0,
    Py_TPFLAGS_DEFAULT | Py_TPFLAGS_IMMUTABLETYPE,
    compressor_slots,
};

#ifdef PARXZ_PYTHON_PARALLEL_DECODER
// ---------------------------------------------------------------------------
// parallel_decompress()

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
  int format = kFormatAuto;
  PyObject* memlimit_obj = Py_None;
  PyObject* threads_obj = Py_None;
  if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O|iOO:parallel_decompress",
                                   const_cast<char**>(kNames), &data, &format,
                                   &memlimit_obj, &threads_obj)) {
    return nullptr;
  }
  InputBuffer input;
  if (!input.Get(data, "decompress", "argument 'data'")) return nullptr;
  ParallelDecodeOptions options;
  if (!ToFormat(format, /*decoding=*/true, &options.format)) return nullptr;
  if (memlimit_obj != Py_None) {  // as LZMADecompressor's
    options.memlimit_hard = PyLong_AsUnsignedLongLong(memlimit_obj);
    if (PyErr_Occurred()) return nullptr;
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

PyMethodDef functions[] = {
    {"parallel_decompress",
     reinterpret_cast<PyCFunction>(reinterpret_cast<void (*)()>(Decompress)),
     METH_VARARGS | METH_KEYWORDS,
     "parallel_decompress($module, /, data, format=0, memlimit=None,"
     " threads=None)\n--\n\n"
     "Decompress all of *data* (concatenated streams, trailing junk ignored,\n"
     "as lzma.decompress()), decoding .xz Blocks on *threads* threads."},
    {},
};
#endif  // PARXZ_PYTHON_PARALLEL_DECODER

}  // namespace

bool AddParallelEngines(PyObject* module, ModuleState* state) {
#ifdef PARXZ_PYTHON_PARALLEL_DECODER
  if (PyModule_AddFunctions(module, functions) < 0) return false;
#endif
  return AddType(module, &compressor_spec, &state->parallel_compressor_type);
}

}  // namespace parxz::python
