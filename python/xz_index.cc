// The module's binding of parallel/'s Index reader for parxz.lzma's seeking
// reader (python/parxz/_seek.py):
//
//   streams, blocks = _xz_index(fileobj, size)
//
// reads the Stream Footers and Indexes of the `size`-byte .xz file that
// `fileobj` (anything with seek() and read(): a file, io.BytesIO, an fsspec
// file) holds from its byte 0, through XzRandomAccess::open_reader with a
// positioned read that calls fileobj.seek(offset) and fileobj.read(n).
// Only the end of each Stream is read. The GIL is released while parallel/
// works and taken again inside the callback (which may run on any thread).
//
// Returns two lists of tuples, offsets from the start of the file:
//   streams: (compressed_offset, compressed_size, uncompressed_offset,
//             uncompressed_size, padding, check_id)
//   blocks:  (stream index (0-based), compressed_offset, uncompressed_offset,
//             unpadded_size, uncompressed_size)
// Raises LZMAError where the file is not a complete .xz file (truncated,
// damaged Index or footer, trailing junk, .lzma...), and the file object's
// own exception where its seek() or read() raised one.
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <span>

#include "core/error.h"
#include "parallel/access/random_access.h"
#include "python/module.h"
#include "python/py_support.h"

namespace parxz::python {
namespace {

// The first Python exception the file object raised inside the callback,
// kept until the GIL-holding caller restores it. Written and read only with
// the GIL held.
struct PythonError {
  PyObject* type = nullptr;
  PyObject* value = nullptr;
  PyObject* traceback = nullptr;

  ~PythonError() {
    Py_XDECREF(type);
    Py_XDECREF(value);
    Py_XDECREF(traceback);
  }
  // Moves the current Python error in (the first one wins).
  void Fetch() {
    if (type == nullptr) {
      PyErr_Fetch(&type, &value, &traceback);
    } else {
      PyErr_Clear();
    }
  }
  // Raises the kept error; false if there is none.
  bool Restore() {
    if (type == nullptr) return false;
    PyErr_Restore(type, value, traceback);
    type = value = traceback = nullptr;
    return true;
  }
};

// fileobj.seek(offset); fileobj.read(n) into `dst`. Takes the GIL. Throws
// Error(kIo) after keeping the Python exception in `error`.
size_t ReadAt(PyObject* file, uint64_t offset, std::span<uint8_t> dst,
              PythonError& error) {
  const PyGILState_STATE gil = PyGILState_Ensure();
  size_t got = 0;
  bool ok = false;
  PyObject* moved = PyObject_CallMethod(
      file, "seek", "K", static_cast<unsigned long long>(offset));
  if (moved != nullptr) {
    Py_DECREF(moved);
    PyObject* data = PyObject_CallMethod(file, "read", "n",
                                         static_cast<Py_ssize_t>(dst.size()));
    if (data != nullptr) {
      Py_buffer view;
      if (PyObject_GetBuffer(data, &view, PyBUF_SIMPLE) == 0) {
        got = std::min(static_cast<size_t>(view.len), dst.size());
        std::memcpy(dst.data(), view.buf, got);
        PyBuffer_Release(&view);
        ok = true;
      }
      Py_DECREF(data);
    }
  }
  if (!ok) error.Fetch();
  PyGILState_Release(gil);
  if (!ok) {
    throw Error(ErrorCode::kIo, "read", "the file object's read failed",
                offset);
  }
  return got;
}

PyObject* Tuple(std::initializer_list<uint64_t> values) {
  PyObject* tuple = PyTuple_New(static_cast<Py_ssize_t>(values.size()));
  if (tuple == nullptr) return nullptr;
  Py_ssize_t i = 0;
  for (uint64_t v : values) {
    PyObject* number = PyLong_FromUnsignedLongLong(v);
    if (number == nullptr) {
      Py_DECREF(tuple);
      return nullptr;
    }
    PyTuple_SET_ITEM(tuple, i++, number);
  }
  return tuple;
}

// Appends `item` (a new reference, may be null) to `list`. False on error.
bool Append(PyObject* list, PyObject* item) {
  if (item == nullptr) return false;
  const int status = PyList_Append(list, item);
  Py_DECREF(item);
  return status == 0;
}

PyObject* InfoToPython(const XzFileInfo& info) {
  PyObject* streams = PyList_New(0);
  PyObject* blocks = PyList_New(0);
  bool ok = streams != nullptr && blocks != nullptr;
  for (size_t i = 0; ok && i < info.streams.size(); ++i) {
    const XzStreamInfo& s = info.streams[i];
    ok = Append(streams, Tuple({s.compressed_offset, s.compressed_size,
                                s.uncompressed_offset, s.uncompressed_size,
                                s.padding, static_cast<uint64_t>(s.check_id)}));
  }
  for (size_t i = 0; ok && i < info.blocks.size(); ++i) {
    const XzBlockInfo& b = info.blocks[i];
    ok = Append(blocks, Tuple({b.stream - 1u, b.compressed_offset,
                               b.uncompressed_offset, b.unpadded_size,
                               b.uncompressed_size}));
  }
  PyObject* result = ok ? PyTuple_Pack(2, streams, blocks) : nullptr;
  Py_XDECREF(streams);
  Py_XDECREF(blocks);
  return result;
}

PyObject* XzIndex_(PyObject* module, PyObject* const* args, Py_ssize_t nargs) {
  ModuleState* state = StateOf(module);
  if (nargs != 2) {
    PyErr_Format(PyExc_TypeError, "_xz_index expected 2 arguments, got %zd",
                 nargs);
    return nullptr;
  }
  PyObject* file = args[0];
  const unsigned long long size = PyLong_AsUnsignedLongLong(args[1]);
  if (PyErr_Occurred()) return nullptr;
  PythonError python_error;
  XzFileInfo info;
  Failure failure;
  CallWithoutGil(
      [&] {
        RandomAccessOptions options;
        options.threads = 1;  // only the Index is read
        info =
            XzRandomAccess::open_reader(
                [file, &python_error](uint64_t offset, std::span<uint8_t> dst) {
                  return ReadAt(file, offset, dst, python_error);
                },
                size, options)
                .info();
      },
      failure);
  if (python_error.Restore()) return nullptr;
  if (failure.failed()) return SetError(state->error, failure);
  return InfoToPython(info);
}

PyMethodDef functions[] = {
    {"_xz_index",
     reinterpret_cast<PyCFunction>(reinterpret_cast<void (*)()>(XzIndex_)),
     METH_FASTCALL,
     "_xz_index($module, fileobj, size, /)\n--\n\n"
     "The Streams and Blocks the Indexes of the .xz file *fileobj* (its\n"
     "*size* bytes from byte 0, read with seek() and read()) record:\n"
     "(streams, blocks), lists of tuples (see python/xz_index.cc).\n"
     "LZMAError if it is not a complete .xz file."},
    {},
};

}  // namespace

bool AddXzIndex(PyObject* module) {
  return PyModule_AddFunctions(module, functions) == 0;
}

}  // namespace parxz::python
