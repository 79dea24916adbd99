// The module's binding of core/stream_rules.h for parxz.lzma's threaded
// reader:
//
//   _stream_follows(following, max_length, format=FORMAT_AUTO, filters=None)
//
// CPython's LZMAFile reader (_compression.DecompressReader) decides what
// follows a stream by starting another decompressor on it: an LZMAError in
// that decompressor's first call means trailing junk and the end of the
// data; anything else is the next stream, whose later errors are raised.
// That is core's kPython rule applied to the first call, so the decision is
// StreamRules' (after_stream(), ends_quietly()), on the very bytes and limit
// of the standard reader's call. The first call runs on core's sequential
// Decompressor, not on the threaded one the reader then decodes with: its
// workers report an error when they reach it, which is not where the first
// call would have.
#include "core/stream_rules.h"

#include <cstdint>
#include <span>
#include <string_view>

#include "core/decompressor.h"
#include "python/cpython_args.h"
#include "python/module.h"
#include "python/py_support.h"

namespace parxz::python {
namespace {

// True when another stream starts at `following` by the standard reader's
// rule: `following` is all it holds for its first call there (empty: the
// input ended), `max_length` that call's limit. Throws the first call's
// error where the rules let it stand.
bool StreamFollows(std::string_view following, int64_t max_length,
                   const DecompressOptions& options) {
  StreamRules rules(DecodeMode::kPython);
  // kPython treats what follows every container alike.
  rules.stream_ended(Container::kXz);
  const std::span<const uint8_t> bytes(
      reinterpret_cast<const uint8_t*>(following.data()), following.size());
  // The reader asks with every byte its call would get: nothing comes after.
  if (rules.after_stream(bytes, /*input_ended=*/true, /*offset=*/0).action !=
      StreamRules::kNextStream) {
    return false;
  }
  try {
    Decompressor(options).decompress(following, max_length);
  } catch (const Error& e) {
    if (rules.ends_quietly(e)) return false;
    throw;
  }
  return true;
}

PyObject* StreamFollows_(PyObject* module, PyObject* args, PyObject* kwargs) {
  ModuleState* state = StateOf(module);
  static const char* const kNames[] = {"following", "max_length", "format",
                                       "filters", nullptr};
  PyObject* data = nullptr;
  Py_ssize_t max_length = -1;
  int format = kFormatAuto;
  PyObject* filters = Py_None;
  if (!PyArg_ParseTupleAndKeywords(args, kwargs, "On|iO:_stream_follows",
                                   const_cast<char**>(kNames), &data,
                                   &max_length, &format, &filters)) {
    return nullptr;
  }
  InputBuffer following;
  if (!following.Get(data, "_stream_follows", "argument 'following'")) {
    return nullptr;
  }
  DecompressOptions options;
  if (!ToDecompressOptions(*state, format, Py_None, filters, &options)) {
    return nullptr;
  }
  bool follows = false;
  Failure failure;
  if (!CallWithoutGil(
          [&] {
            follows = StreamFollows(following.view(), max_length, options);
          },
          failure)) {
    return SetError(state->error, failure);
  }
  return PyBool_FromLong(follows);
}

PyMethodDef functions[] = {
    {"_stream_follows",
     reinterpret_cast<PyCFunction>(
         reinterpret_cast<void (*)()>(StreamFollows_)),
     METH_VARARGS | METH_KEYWORDS,
     "_stream_follows($module, /, following, max_length, format=0,\n"
     " filters=None)\n--\n\n"
     "After a stream ended: True if another stream starts at *following* as\n"
     "CPython's LZMAFile reader decides (core's kPython stream rules on the\n"
     "first decompress(following, max_length) call of a new decompressor\n"
     "with *format* and *filters*); False for the end of the data (nothing\n"
     "follows, or trailing junk). *following* is what that call would get:\n"
     "the rest of the reader's 8 KiB piece of the file, or the next piece.\n"
     "Errors the rules let stand (MemoryError) are raised."},
    {},
};

}  // namespace

bool AddStreamRules(PyObject* module) {
  return PyModule_AddFunctions(module, functions) == 0;
}

}  // namespace parxz::python
