// The module's decompressors:
//
//   _lzma.LZMADecompressor(format=FORMAT_AUTO, memlimit=None, filters=None)
//     core/'s Decompressor: CPython 3.11's type, with its argument handling,
//     exception types and messages; the GIL is released while liblzma works.
//   parallel_decompress(data, format=FORMAT_AUTO, memlimit=None,
//                       threads=None)
//     parallel/parallel_decompressor.h's ParallelDecompress with the
//     semantics of lzma.decompress() (concatenated streams, trailing junk),
//     behind parxz.lzma.decompress(threads=); where built with
//     PARXZ_PYTHON_PARALLEL_DECODER.
#include <cstddef>
#include <memory>
#include <string>

#include "core/decompressor.h"
#ifdef PARXZ_PYTHON_PARALLEL_DECODER
#include "parallel/parallel_decompressor.h"
#endif
#include "python/cpython_args.h"
#include "python/module.h"
#include "python/py_support.h"
// After Python.h (included by py_support.h).
#include <structmember.h>

namespace parxz::python {
namespace {

// ---------------------------------------------------------------------------
// LZMADecompressor

struct DecompressorObject {
  PyObject ob_base;    // PyObject_HEAD
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
  static const char* const kNames[] = {"format", "memlimit", "filters",
                                       nullptr};
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
  if (!ToDecompressOptions(*state, format, memlimit_obj, filters_obj,
                           &options) ||
      !ObjectLock::Ensure(&self->lock)) {
    return -1;
  }
  PyObject* empty = PyBytes_FromStringAndSize(nullptr, 0);
  if (empty == nullptr) return -1;
  std::unique_ptr<Decompressor> fresh;
  Failure failure;
  CallWithoutGil([&] { fresh = std::make_unique<Decompressor>(options); },
                 failure);
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
  if (!CheckInitialized(self->impl, self->lock, state->error)) return nullptr;
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
    {"decompress",
     reinterpret_cast<PyCFunction>(
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

PyType_Spec decompressor_spec = TypeSpec(
    "_lzma.LZMADecompressor", sizeof(DecompressorObject), decompressor_slots);

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
        return SetError(lzma_error,
                        Error(e.code(), e.operation(), text, e.offset()));
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

bool AddDecompressors(PyObject* module, ModuleState* state) {
#ifdef PARXZ_PYTHON_PARALLEL_DECODER
  if (PyModule_AddFunctions(module, functions) < 0) return false;
#endif
  return AddType(module, &decompressor_spec, &state->decompressor_type);
}

}  // namespace parxz::python
