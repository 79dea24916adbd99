// CPython helpers shared by every part of parxz's extension module
// parxz._parxz (python/ only): buffer access without copies, running parxz
// code with the GIL released, per-object locks, integer conversions with
// CPython's messages, and turning a parxz::Error into the exception CPython's
// _lzma raises.
//
// Every function here expects the GIL to be held, except the callable passed
// to CallWithoutGil(), which runs without it.
#ifndef PARXZ_PYTHON_PY_SUPPORT_H_
#define PARXZ_PYTHON_PY_SUPPORT_H_

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <cstdint>
#include <new>
#include <optional>
#include <string>
#include <string_view>

#include "core/error.h"

namespace parxz::python {

// A contiguous read-only view of a buffer-protocol object (bytes, bytearray,
// memoryview, array.array, numpy arrays...), held until destruction. The
// exporter cannot resize or free the memory meanwhile, so the view may be
// read without the GIL.
class InputBuffer {
 public:
  InputBuffer() = default;
  ~InputBuffer() {
    if (held_) PyBuffer_Release(&view_);
  }
  InputBuffer(const InputBuffer&) = delete;
  InputBuffer& operator=(const InputBuffer&) = delete;

  // Like Argument Clinic's Py_buffer converter: false with a Python error set
  // (TypeError "a bytes-like object is required, not 'str'", ...).
  // `function` and `argument` name the parameter in that message.
  bool Get(PyObject* obj, const char* function, const char* argument);

  std::string_view view() const {
    return {static_cast<const char*>(view_.buf),
            static_cast<size_t>(view_.len)};
  }

 private:
  Py_buffer view_{};
  bool held_ = false;
};

// What went wrong in code run without the GIL; converted to a Python
// exception once the GIL is back.
struct Failure {
  std::optional<Error> error;
  bool out_of_memory = false;
  std::optional<std::string> other;  // any other std::exception's what()

  bool failed() const { return error || out_of_memory || other; }
};

// Runs `f()` with the GIL released, catching everything it throws into
// `failure`. Returns !failure.failed().
template <typename F>
bool CallWithoutGil(F&& f, Failure& failure) {
  PyThreadState* thread = PyEval_SaveThread();
  try {
    f();
  } catch (const Error& e) {
    failure.error = e;
  } catch (const std::bad_alloc&) {
    failure.out_of_memory = true;
  } catch (const std::exception& e) {
    failure.other = e.what();
  }
  PyEval_RestoreThread(thread);
  return !failure.failed();
}

// The lock every compressor/decompressor object holds while it works, so that
// calls on one object from several Python threads are serialized as in
// CPython (distinct objects run in parallel). Allocated by the first
// __init__; Python's own lock type has no C API.
class ObjectLock {
 public:
  // Allocates `*lock` if it is still null. False with MemoryError set.
  static bool Ensure(PyThread_type_lock* lock);

  // CPython's ACQUIRE_LOCK: try without blocking, else wait with the GIL
  // released so that the holder can finish.
  explicit ObjectLock(PyThread_type_lock lock);
  ~ObjectLock() { PyThread_release_lock(lock_); }
  ObjectLock(const ObjectLock&) = delete;
  ObjectLock& operator=(const ObjectLock&) = delete;

 private:
  PyThread_type_lock lock_;
};

// False with `lzma_error` "Internal error" set unless the object's __init__
// succeeded (`impl` and `lock` set): an object whose __init__ never ran or
// failed behaves like CPython's zeroed lzma_stream, which liblzma refuses as
// a programming error.
bool CheckInitialized(const void* impl, PyThread_type_lock lock,
                      PyObject* lzma_error);

// A new bytes object holding `s` (nullptr with an error set).
PyObject* BytesFrom(std::string_view s);

// Runs `produce()` (returning a std::string) with the GIL released; the
// bytes, or nullptr with the exception SetError() chooses.
template <typename F>
PyObject* BytesWithoutGil(PyObject* lzma_error, F&& produce);

// Sets the Python exception CPython's _lzma raises for `e`: MemoryError for
// out of memory, ValueError for misuse ("Repeated call to flush()") and for
// the argument checks core/ makes with CPython's ValueError messages
// ("Must specify filters for FORMAT_RAW"), EOFError after the end of
// the stream, `lzma_error` (LZMAError) with liblzma's message for everything
// else. Always returns nullptr.
PyObject* SetError(PyObject* lzma_error, const Error& e);
PyObject* SetError(PyObject* lzma_error, const Failure& failure);
// The same for the parallel decoders' errors, which name the Block in their
// messages ("Corrupt input data in Block 3 of Stream 1 ..."): Python users
// match on liblzma's text as CPython reports it, so that is what is raised.
PyObject* SetDecodeError(PyObject* lzma_error, const Failure& failure);

// _PyLong_AsInt's semantics (OverflowError "Python int too large to convert
// to C int"). Returns false with an error set.
bool AsInt(PyObject* obj, int* out);

// CPython's uint32_t converter: any int in 0..2^32-1 (OverflowError "Value
// too large for uint32_t type"). Returns false with an error set.
bool AsUint32(PyObject* obj, uint32_t* out);

template <typename F>
PyObject* BytesWithoutGil(PyObject* lzma_error, F&& produce) {
  std::string out;
  Failure failure;
  if (!CallWithoutGil([&] { out = produce(); }, failure)) {
    return SetError(lzma_error, failure);
  }
  return BytesFrom(out);
}

}  // namespace parxz::python

#endif  // PARXZ_PYTHON_PY_SUPPORT_H_
