// The module's two compressor types, one protocol (CPython's LZMACompressor:
// __init__ may run again, compress() and flush() with the GIL released, one
// call at a time per object, ValueError after flush()), one object: the
// compress front's PushCompressor (parallel/compress/compress_front.h), whose
// request says which engine:
//
//   _lzma.LZMACompressor(format=FORMAT_XZ, check=-1, preset=None,
//                        filters=None)
//     core/'s Compressor: CPython 3.11's type, with its argument handling,
//     exception types and messages.
//   ParallelCompressor(check=-1, preset=None, filters=None, threads=None,
//                      block_size=None)
//     parallel/'s ParallelCompressor, behind parxz.lzma's threads= and
//     block_size=: .xz Blocks compressed in parallel; the bytes equal
//     `xz -T2 --block-size=B` for the same settings, for every thread count.
//     Arguments are checked as LZMACompressor's for FORMAT_XZ.
#include <memory>
#include <string>
#include <utility>

#include "core/compressor.h"
#include "parallel/compress/compress_front.h"
#include "python/cpython_args.h"
#include "python/module.h"
#include "python/py_support.h"

namespace parxz::python {
namespace {

struct CompressorObject {
  PyObject ob_base;     // PyObject_HEAD
  PushCompressor* impl;  // owned; null until __init__ succeeded
  PyThread_type_lock lock;
  // flush() was called. CPython refuses later calls itself, before liblzma
  // is asked; so does this, with its messages, whatever the engine says.
  int flushed;
};

CompressorObject* Self(PyObject* py_self) {
  return reinterpret_cast<CompressorObject*>(py_self);
}

// Stopping a parallel pipeline waits for its workers: never with the GIL
// held.
void DeleteEngine(PushCompressor* impl) {
  if (impl == nullptr) return;
  if (impl->engine() == CompressEngine::kSequential) {
    delete impl;
    return;
  }
  Py_BEGIN_ALLOW_THREADS delete impl;
  Py_END_ALLOW_THREADS
}

// The end of both __init__s: plans and builds the engine without the GIL
// and puts it in place of an earlier one. Returns 0, or -1 with an error
// set.
int Start(PyObject* py_self, const CompressRequest& request) {
  auto* self = Self(py_self);
  ModuleState* state = StateOfType(Py_TYPE(py_self));
  if (!ObjectLock::Ensure(&self->lock)) return -1;
  std::unique_ptr<PushCompressor> fresh;
  Failure failure;
  CallWithoutGil(
      [&] { fresh = std::make_unique<PushCompressor>(PlanCompress(request)); },
      failure);
  PushCompressor* old = nullptr;
  {
    ObjectLock lock(self->lock);
    old = std::exchange(self->impl, fresh.release());
    self->flushed = 0;
  }
  DeleteEngine(old);
  if (failure.failed()) {
    SetError(state->error, failure);
    return -1;
  }
  return 0;
}

void Dealloc(PyObject* py_self) {
  auto* self = Self(py_self);
  PyTypeObject* type = Py_TYPE(py_self);
  DeleteEngine(std::exchange(self->impl, nullptr));
  if (self->lock != nullptr) PyThread_free_lock(self->lock);
  type->tp_free(py_self);
  Py_DECREF(type);
}

PyObject* Compress(PyObject* py_self, PyObject* data) {
  auto* self = Self(py_self);
  ModuleState* state = StateOfType(Py_TYPE(py_self));
  InputBuffer input;
  if (!input.Get(data, "compress", "argument")) return nullptr;
  if (!CheckInitialized(self->impl, self->lock, state->error)) return nullptr;
  ObjectLock lock(self->lock);
  if (self->flushed) {
    PyErr_SetString(PyExc_ValueError, "Compressor has been flushed");
    return nullptr;
  }
  return BytesWithoutGil(state->error,
                         [&] { return self->impl->compress(input.view()); });
}

PyObject* Flush(PyObject* py_self, PyObject* /*unused*/) {
  auto* self = Self(py_self);
  ModuleState* state = StateOfType(Py_TYPE(py_self));
  if (!CheckInitialized(self->impl, self->lock, state->error)) return nullptr;
  ObjectLock lock(self->lock);
  if (self->flushed) {
    PyErr_SetString(PyExc_ValueError, "Repeated call to flush()");
    return nullptr;
  }
  self->flushed = 1;
  return BytesWithoutGil(state->error, [&] { return self->impl->flush(); });
}

// ---------------------------------------------------------------------------
// _lzma.LZMACompressor

int LzmaCompressor_init(PyObject* py_self, PyObject* args, PyObject* kwargs) {
  ModuleState* state = StateOfType(Py_TYPE(py_self));
  static const char* const kNames[] = {"format", "check", "preset", "filters",
                                       nullptr};
  int format = kFormatXz;
  int check = -1;
  PyObject* preset_obj = Py_None;
  PyObject* filters_obj = Py_None;
  CompressOptions options;
  if (!PyArg_ParseTupleAndKeywords(args, kwargs, "|iiOO:LZMACompressor",
                                   const_cast<char**>(kNames), &format, &check,
                                   &preset_obj, &filters_obj) ||
      !ToCompressOptions(*state, format, check, preset_obj, filters_obj,
                         &options)) {
    return -1;
  }
  // CPython's type: xz's single-threaded format.
  return Start(py_self, {.format = options.format,
                         .check = options.check,
                         .preset = options.preset,
                         .extreme = options.extreme,
                         .filters = std::move(options.filters),
                         .sequential = true});
}

PyMethodDef lzma_compressor_methods[] = {
    {"compress", Compress, METH_O,
     "compress($self, data, /)\n--\n\n"
     "Provide data to the compressor object.\n\n"
     "Returns a chunk of compressed data if possible, or b'' otherwise.\n"
     "Call flush() once all data has been provided."},
    {"flush", Flush, METH_NOARGS,
     "flush($self, /)\n--\n\n"
     "Finish the compression process.\n\n"
     "Returns the compressed data left in internal buffers. The compressor\n"
     "object may not be used after this method is called."},
    {},
};

const char kLzmaCompressorDoc[] =
    "LZMACompressor(format=FORMAT_XZ, check=-1, preset=None, filters=None)\n\n"
    "Create a compressor object for compressing data incrementally.\n\n"
    "format is FORMAT_XZ (default), FORMAT_ALONE or FORMAT_RAW. check is the\n"
    "integrity check (FORMAT_XZ only; default CHECK_CRC64). preset (0-9,\n"
    "optionally OR-ed with PRESET_EXTREME) and filters (a list of filter\n"
    "specifier dicts) are alternatives; FORMAT_RAW needs filters.\n\n"
    "Call compress() for each chunk of input and flush() at the end.\n"
    "(parxz implementation on liblzma; see parxz.lzma for threads.)";

PyType_Slot lzma_compressor_slots[] = {
    {Py_tp_dealloc, reinterpret_cast<void*>(Dealloc)},
    {Py_tp_init, reinterpret_cast<void*>(LzmaCompressor_init)},
    {Py_tp_new, reinterpret_cast<void*>(PyType_GenericNew)},
    {Py_tp_methods, lzma_compressor_methods},
    {Py_tp_doc, const_cast<char*>(kLzmaCompressorDoc)},
    {0, nullptr},
};

PyType_Spec lzma_compressor_spec =
    TypeSpec("_lzma.LZMACompressor", sizeof(CompressorObject),
             lzma_compressor_slots);

// ---------------------------------------------------------------------------
// ParallelCompressor

int ParallelCompressor_init(PyObject* py_self, PyObject* args,
                            PyObject* kwargs) {
  ModuleState* state = StateOfType(Py_TYPE(py_self));
  static const char* const kNames[] = {"check",   "preset",     "filters",
                                       "threads", "block_size", nullptr};
  int check = -1;
  PyObject* preset_obj = Py_None;
  PyObject* filters_obj = Py_None;
  PyObject* threads_obj = Py_None;
  PyObject* block_size_obj = Py_None;
  CompressOptions xz;
  CompressRequest request;
  if (!PyArg_ParseTupleAndKeywords(
          args, kwargs, "|iOOOO:ParallelCompressor", const_cast<char**>(kNames),
          &check, &preset_obj, &filters_obj, &threads_obj, &block_size_obj) ||
      !ToCompressOptions(*state, kFormatXz, check, preset_obj, filters_obj,
                         &xz) ||
      !ToThreads(threads_obj, &request.threads) ||
      !ToBlockSize(block_size_obj, &request.block_size)) {
    return -1;
  }
  request.check = xz.check;
  request.preset = xz.preset;
  request.extreme = xz.extreme;
  request.filters = std::move(xz.filters);
  return Start(py_self, request);
}

PyMethodDef parallel_compressor_methods[] = {
    {"compress", Compress, METH_O,
     "compress($self, data, /)\n--\n\n"
     "Provide data; returns the compressed bytes of the Blocks finished so\n"
     "far (b'' while the first Block fills)."},
    {"flush", Flush, METH_NOARGS,
     "flush($self, /)\n--\n\n"
     "Finish the stream and return the rest of it. Once only."},
    {},
};

const char kParallelCompressorDoc[] =
    "ParallelCompressor(check=-1, preset=None, filters=None, threads=None,"
    " block_size=None)\n\n"
    "Block-parallel .xz compressor (threads: 0 or None = all cores;\n"
    "block_size: None = max(3 x dict_size, 1 MiB) as xz).";

PyType_Slot parallel_compressor_slots[] = {
    {Py_tp_dealloc, reinterpret_cast<void*>(Dealloc)},
    {Py_tp_init, reinterpret_cast<void*>(ParallelCompressor_init)},
    {Py_tp_new, reinterpret_cast<void*>(PyType_GenericNew)},
    {Py_tp_methods, parallel_compressor_methods},
    {Py_tp_doc, const_cast<char*>(kParallelCompressorDoc)},
    {0, nullptr},
};

PyType_Spec parallel_compressor_spec = TypeSpec(
    "parxz._parxz.ParallelCompressor",
    sizeof(CompressorObject), parallel_compressor_slots);

}  // namespace

bool AddCompressors(PyObject* module, ModuleState* state) {
  return AddType(module, &lzma_compressor_spec, &state->compressor_type) &&
         AddType(module, &parallel_compressor_spec,
                 &state->parallel_compressor_type);
}

}  // namespace parxz::python
