// The module's decompressors:
//
//   _lzma.LZMADecompressor(format=FORMAT_AUTO, memlimit=None, filters=None,
//                          *, threads=None)
//     CPython 3.11's type, with its argument handling, exception types and
//     messages; the GIL is released while liblzma works. The engine is the
//     decode front's (parallel/decode/decode_front.h; threads=None is 1:
//     core's Decompressor inside; otherwise Blocks decoded ahead on workers).
//     LZMADecompressorBase: the same type, open to subclasses
//     (parxz.lzma.install()).
//   decompress(data, format=FORMAT_AUTO, memlimit=None, filters=None,
//              threads=None)
//     lzma.decompress() (concatenated streams, trailing junk), behind
//     parxz.lzma.decompress(): the decode front's Decode() (core's
//     decompress() or, with threads, ParallelDecompress; same rules,
//     core/stream_rules.h's).
#include <algorithm>
#include <cstddef>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <utility>

#include "core/decompressor.h"
#include "parallel/compress/compress_front.h"
#include "parallel/decode/decode_front.h"
#include "python/cpython_args.h"
#include "python/module.h"
#include "python/py_support.h"
// After Python.h (included by py_support.h).
#include <structmember.h>

namespace parxz::python {
namespace {

// LZMADecompressor's and decompress()'s arguments as the decode front's
// request: CPython's checks first, in its order; threads= is ours and comes
// last (None: 1, core's decoder).
bool ToDecodeRequest(const ModuleState& state, int format,
                     PyObject* memlimit_obj, PyObject* filters_obj,
                     PyObject* threads_obj, DecodeRequest* out) {
  DecompressOptions base;
  if (!ToDecompressOptions(state, format, memlimit_obj, filters_obj, &base)) {
    return false;
  }
  DecodeRequest r{.format = base.format,
                  .filters = std::move(base.filters),
                  .memlimit = base.memlimit};
  if (threads_obj != Py_None && !ToThreads(threads_obj, &r.threads)) {
    return false;
  }
  *out = std::move(r);
  return true;
}

// ---------------------------------------------------------------------------
// LZMADecompressor

// `impl`, the front's incremental decoder, is set once __init__ succeeded;
// `threaded`: the front chose workers (kThreaded), not core's decoder. Only
// touched with `lock` held.
struct DecompressorObject {
  PyObject ob_base;  // PyObject_HEAD
  ThreadedDecompressor* impl;
  char threaded;
  PyThread_type_lock lock;
  // Mirrors of the engine's state, exposed as read-only members.
  int check;
  char eof;
  char needs_input;
  PyObject* unused_data;  // bytes
};

// Joining the workers of a threaded engine may wait for a Block being
// decoded: without the GIL, so that other Python threads run meanwhile.
void DeleteEngine(ThreadedDecompressor* impl, bool threaded) {
  if (impl == nullptr) return;
  if (!threaded) {
    delete impl;
    return;
  }
  Py_BEGIN_ALLOW_THREADS delete impl;
  Py_END_ALLOW_THREADS
}

void SyncDecompressorMembers(DecompressorObject* self) {
  const ThreadedDecompressor& engine = *self->impl;
  self->check = static_cast<int>(engine.check());
  self->eof = engine.eof();
  self->needs_input = engine.needs_input();
  if (self->eof && PyBytes_GET_SIZE(self->unused_data) == 0 &&
      !engine.unused_data().empty()) {
    PyObject* unused = BytesFrom(engine.unused_data());
    if (unused != nullptr) Py_SETREF(self->unused_data, unused);
  }
}

int Decompressor_init(PyObject* py_self, PyObject* args, PyObject* kwargs) {
  auto* self = reinterpret_cast<DecompressorObject*>(py_self);
  ModuleState* state = StateOfType(Py_TYPE(py_self));
  // threads= is taken out of the keywords first, so that the rest is parsed,
  // and refused, with CPython's very format and messages.
  PyObject* threads_obj = Py_None;
  PyObject* rest = nullptr;  // kwargs without "threads"
  if (kwargs != nullptr) {
    threads_obj = PyDict_GetItemString(kwargs, "threads");
    if (threads_obj == nullptr) {
      threads_obj = Py_None;
    } else {
      rest = PyDict_Copy(kwargs);
      if (rest == nullptr || PyDict_DelItemString(rest, "threads") < 0) {
        Py_XDECREF(rest);
        return -1;
      }
    }
  }
  static const char* const kNames[] = {"format", "memlimit", "filters",
                                       nullptr};
  PyObject* format_obj = nullptr;
  PyObject* memlimit_obj = Py_None;
  PyObject* filters_obj = Py_None;
  const int parsed = PyArg_ParseTupleAndKeywords(
      args, rest != nullptr ? rest : kwargs, "|OOO:LZMADecompressor",
      const_cast<char**>(kNames), &format_obj, &memlimit_obj, &filters_obj);
  Py_XDECREF(rest);  // the parsed objects are borrowed from args and kwargs
  if (!parsed) return -1;
  int format = kFormatAuto;
  if (format_obj != nullptr && !AsInt(format_obj, &format)) return -1;
  // CPython's checks first, in its order; threads= is ours and comes last.
  DecodeRequest request;
  if (!ToDecodeRequest(*state, format, memlimit_obj, filters_obj, threads_obj,
                       &request) ||
      !ObjectLock::Ensure(&self->lock)) {
    return -1;
  }
  PyObject* empty = PyBytes_FromStringAndSize(nullptr, 0);
  if (empty == nullptr) return -1;
  std::unique_ptr<ThreadedDecompressor> fresh;
  bool fresh_threaded = false;
  Failure failure;
  CallWithoutGil(
      [&] {
        fresh = NewDecoder(request);
        fresh_threaded = LastDecodeEngine() == DecodeEngine::kThreaded;
      },
      failure);
  ObjectLock lock(self->lock);
  ThreadedDecompressor* old_impl = self->impl;
  const bool old_threaded = self->threaded != 0;
  self->impl = fresh.release();
  self->threaded = fresh_threaded ? 1 : 0;
  DeleteEngine(old_impl, old_threaded);
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
  DeleteEngine(self->impl, self->threaded != 0);
  if (self->lock != nullptr) PyThread_free_lock(self->lock);
  Py_CLEAR(self->unused_data);
  type->tp_free(py_self);
  Py_DECREF(type);
}

// The threaded engine with a limit decodes straight into the bytes object
// it returns (decompress_into), shrunk to what came: a whole file read
// through LZMAFile then copies each byte once less (about a tenth of the
// time of a threaded read, page faults included). Untouched pages of the
// over-allocation are never faulted in, and realloc gives them back.
// At most kDirectCap bytes come per call (needs_input stays false when more
// is ready, as with any max_length).
constexpr Py_ssize_t kDirectCap = Py_ssize_t{64} << 20;

PyObject* ThreadedDecompressInto(DecompressorObject* self, ModuleState* state,
                                 const InputBuffer& input,
                                 Py_ssize_t max_length) {
  PyObject* bytes =
      PyBytes_FromStringAndSize(nullptr, std::min(max_length, kDirectCap));
  if (bytes == nullptr) return nullptr;
  const std::span<uint8_t> space(
      reinterpret_cast<uint8_t*>(PyBytes_AS_STRING(bytes)),
      static_cast<size_t>(PyBytes_GET_SIZE(bytes)));
  size_t n = 0;
  Failure failure;
  CallWithoutGil([&] { n = self->impl->decompress_into(input.view(), space); },
                 failure);
  SyncDecompressorMembers(self);
  if (failure.failed()) {
    Py_DECREF(bytes);
    return SetDecodeError(state->error, failure);
  }
  if (PyErr_Occurred()) {
    Py_DECREF(bytes);
    return nullptr;
  }
  if (_PyBytes_Resize(&bytes, static_cast<Py_ssize_t>(n)) != 0) return nullptr;
  return bytes;
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
  if (!CheckInitialized(self->impl, self->lock, state->error)) {
    return nullptr;
  }
  ObjectLock lock(self->lock);
  if (self->eof) {
    PyErr_SetString(PyExc_EOFError, "Already at end of stream");
    return nullptr;
  }
  if (self->threaded && max_length >= 0) {
    return ThreadedDecompressInto(self, state, input, max_length);
  }
  // Gathered in chunks without the GIL, then copied once into the bytes
  // object (core/chunked_output.h), as CPython's own decompressor does.
  ChunkedOutput out;
  Failure failure;
  // Waiting for the workers happens in here too, without the GIL.
  CallWithoutGil(
      [&] { self->impl->decompress_to(input.view(), max_length, out); },
      failure);
  SyncDecompressorMembers(self);
  if (failure.failed()) {
    return self->threaded ? SetDecodeError(state->error, failure)
                          : SetError(state->error, failure);
  }
  if (PyErr_Occurred()) return nullptr;  // unused_data could not be built
  PyObject* bytes =
      PyBytes_FromStringAndSize(nullptr, static_cast<Py_ssize_t>(out.size()));
  if (bytes == nullptr) return nullptr;
  out.CopyTo(reinterpret_cast<uint8_t*>(PyBytes_AS_STRING(bytes)));
  return bytes;
}

// parxz's tests check that Blocks really went to workers: the counters of a
// threaded object as a dict, None without threads.
PyObject* Decompressor_threaded_stats(PyObject* py_self, PyObject*) {
  auto* self = reinterpret_cast<DecompressorObject*>(py_self);
  if (!self->threaded) Py_RETURN_NONE;
  ThreadedDecodeStats stats;
  {
    ObjectLock lock(self->lock);
    stats = self->impl->stats();
  }
  return Py_BuildValue(
      "{sKsKsKsKsKsKsO}", "blocks_on_workers",
      static_cast<unsigned long long>(stats.blocks_on_workers),
      "blocks_on_caller",
      static_cast<unsigned long long>(stats.blocks_on_caller),
      "max_blocks_in_flight",
      static_cast<unsigned long long>(stats.max_blocks_in_flight),
      "max_memory_in_flight",
      static_cast<unsigned long long>(stats.max_memory_in_flight),
      "block_limit", static_cast<unsigned long long>(stats.block_limit),
      "memory_limit", static_cast<unsigned long long>(stats.memory_limit),
      "sequential", stats.sequential ? Py_True : Py_False);
}

// parxz's threaded LZMAFile reader at the end of its file: a Block still
// waiting for its last bytes is decoded as far as they go (see
// ThreadedDecompressor::end_input), so the next calls return its prefix
// before the truncation shows. Nothing without threads.
PyObject* Decompressor_end_input(PyObject* py_self, PyObject*) {
  auto* self = reinterpret_cast<DecompressorObject*>(py_self);
  if (self->threaded) {
    ObjectLock lock(self->lock);
    self->impl->end_input();
    self->needs_input = self->impl->needs_input() ? 1 : 0;
  }
  Py_RETURN_NONE;
}

PyMethodDef decompressor_methods[] = {
    {"_threaded_stats", Decompressor_threaded_stats, METH_NOARGS,
     "parxz's decode-ahead counters (dict), None without threads."},
    {"_end_input", Decompressor_end_input, METH_NOARGS,
     "parxz's reader: no more input comes (the file ended)."},
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
    "LZMADecompressor(format=FORMAT_AUTO, memlimit=None, filters=None, *,\n"
    "                 threads=None)\n\n"
    "Create a decompressor object for decompressing data incrementally.\n\n"
    "format is FORMAT_AUTO (default: detects .xz and .lzma), FORMAT_XZ,\n"
    "FORMAT_ALONE or FORMAT_RAW. memlimit limits the memory the decoder may\n"
    "use (not with FORMAT_RAW). filters (a list of filter specifier dicts) is\n"
    "required with FORMAT_RAW and refused otherwise.\n\n"
    "threads (parxz only; None = the standard single-threaded object): the\n"
    "Blocks of multi-Block .xz input that record their sizes (xz -T, parxz)\n"
    "are decoded ahead on this many threads (0 = all cores) as soon as their\n"
    "input has arrived. Results, attributes and exceptions are the same;\n"
    "needs_input turns False while the decode-ahead window is full or once\n"
    "the end of the stream has arrived and output remains. Other input is\n"
    "decoded as without threads.\n\n"
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

// CPython's type cannot be subclassed; parxz.lzma.install() needs a class
// whose threads= default differs, so the same type is offered once more,
// open to subclasses, under its own name.
PyType_Spec decompressor_base_spec = {
    "parxz._parxz.LZMADecompressorBase", sizeof(DecompressorObject), 0,
    Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE | Py_TPFLAGS_IMMUTABLETYPE,
    decompressor_slots};

// ---------------------------------------------------------------------------
// decompress()

// Up to this many times the input (plus 1 MiB) an Index's claim of the
// decoded size is believed: the bytes object is made that large before a
// byte is decoded, so the claim of a damaged file must not decide how much
// memory is asked for.
constexpr uint64_t kBelievedRatio = 1024;

// One whole .xz Stream, the common case (numcodecs and Zarr chunks, files
// read whole): its Index tells the decoded size, so the result is decoded
// straight into a bytes object of that size, without the growing buffer
// and the copy. Null (no Python error set) when this does not apply or does
// not work out: an error, or a size the Index did not tell. The caller then
// decodes the general way, which gives the result or the error exactly.
PyObject* DecompressSized(std::string_view data, const DecodeRequest& request) {
  if (request.format == Format::kRaw || request.format == Format::kAlone) {
    return nullptr;
  }
  const std::optional<WholeXzStream> whole = PeekWholeXzStream(data);
  if (!whole) return nullptr;
  const uint64_t size = whole->uncompressed_size;
  if (size > kBelievedRatio * data.size() + (1 << 20) ||
      size > static_cast<uint64_t>(PY_SSIZE_T_MAX)) {
    return nullptr;
  }
  PyObject* bytes =
      PyBytes_FromStringAndSize(nullptr, static_cast<Py_ssize_t>(size));
  if (bytes == nullptr) {
    PyErr_Clear();
    return nullptr;
  }
  const std::span<uint8_t> out(
      reinterpret_cast<uint8_t*>(PyBytes_AS_STRING(bytes)),
      static_cast<size_t>(size));
  size_t written = 0;
  Failure failure;
  if (CallWithoutGil([&] { written = DecodeInto(data, out, request, &*whole); },
                     failure) &&
      written == out.size()) {
    return bytes;
  }
  Py_DECREF(bytes);
  return nullptr;
}

PyObject* Decompress(PyObject* module, PyObject* args, PyObject* kwargs) {
  ModuleState* state = StateOf(module);
  static const char* const kNames[] = {"data",    "format",  "memlimit",
                                       "filters", "threads", nullptr};
  PyObject* data = nullptr;
  int format = kFormatAuto;
  PyObject* memlimit_obj = Py_None;
  PyObject* filters_obj = Py_None;
  PyObject* threads_obj = Py_None;
  if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O|iOOO:decompress",
                                   const_cast<char**>(kNames), &data, &format,
                                   &memlimit_obj, &filters_obj, &threads_obj)) {
    return nullptr;
  }
  InputBuffer input;
  if (!input.Get(data, "decompress", "argument 'data'")) return nullptr;
  // lzma.decompress() checks its arguments as LZMADecompressor does.
  DecodeRequest request;
  if (!ToDecodeRequest(*state, format, memlimit_obj, filters_obj, threads_obj,
                       &request)) {
    return nullptr;
  }
  if (PyObject* sized = DecompressSized(input.view(), request)) return sized;
  std::string out;
  bool parallel = false;
  Failure failure;
  if (!CallWithoutGil(
          [&] {
            try {
              out = Decode(input.view(), request);
            } catch (...) {
              parallel = LastDecodeEngine() == DecodeEngine::kParallel;
              throw;
            }
          },
          failure)) {
    return parallel ? SetDecodeError(state->error, failure)
                    : SetError(state->error, failure);
  }
  return BytesFrom(out);
}

// parxz's tests: the engines the decode and compress fronts chose last on
// this thread ("sequential", "parallel", "threaded").
PyObject* LastEngines(PyObject* /*module*/, PyObject* /*unused*/) {
  return Py_BuildValue("(ss)", DecodeEngineName(LastDecodeEngine()),
                       CompressEngineName(LastCompressEngine()));
}

PyMethodDef functions[] = {
    {"decompress",
     reinterpret_cast<PyCFunction>(reinterpret_cast<void (*)()>(Decompress)),
     METH_VARARGS | METH_KEYWORDS,
     "decompress($module, /, data, format=0, memlimit=None, filters=None,\n"
     " threads=None)\n--\n\n"
     "Decompress all of *data* as lzma.decompress() (concatenated streams,\n"
     "trailing junk ignored); with *threads*, .xz Blocks on that many\n"
     "threads."},
    {"_last_engines", LastEngines, METH_NOARGS,
     "parxz's tests: (decode, compress) engines the fronts chose last."},
    {},
};

}  // namespace

bool AddDecompressors(PyObject* module, ModuleState* state) {
  if (PyModule_AddFunctions(module, functions) < 0) return false;
  return AddType(module, &decompressor_spec, &state->decompressor_type) &&
         AddType(module, &decompressor_base_spec,
                 &state->decompressor_base_type);
}

}  // namespace parxz::python
