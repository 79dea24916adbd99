// Helpers shared by parxz's Python extension modules (python/ only): buffer
// access without copies, running parxz code with the GIL released, turning a
// parxz::Error into the exception CPython's _lzma raises, and parsing filter
// specifier dicts exactly as CPython's _lzma does.
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
#include "core/options.h"

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
    return {static_cast<const char*>(view_.buf), static_cast<size_t>(view_.len)};
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

// Sets the Python exception CPython's _lzma raises for `e`: MemoryError for
// out of memory, ValueError for misuse ("Repeated call to flush()"), EOFError
// after the end of the stream, `lzma_error` (LZMAError) with liblzma's message
// for everything else. Always returns nullptr.
PyObject* SetError(PyObject* lzma_error, const Error& e);
PyObject* SetError(PyObject* lzma_error, const Failure& failure);

// _PyLong_AsInt's semantics (OverflowError "Python int too large to convert
// to C int"). Returns false with an error set.
bool AsInt(PyObject* obj, int* out);

// Converts one filter specifier dict ({"id": FILTER_LZMA2, "preset": 6, ...})
// with CPython's _lzma checks and messages (TypeError, ValueError "Invalid
// filter ID: N", LZMAError "Invalid compression preset: N", ...). Option
// values are range-checked later, by core/, when the chain is used.
// `empty_tuple` is a cached (). False with a Python error set.
bool ParseFilterSpec(PyObject* lzma_error, PyObject* empty_tuple, PyObject* spec,
                     FilterSpec* out);
// A sequence of specifier dicts (at most 4, as liblzma).
bool ParseFilterChain(PyObject* lzma_error, PyObject* empty_tuple,
                      PyObject* specs, FilterChain* out);

}  // namespace parxz::python

#endif  // PARXZ_PYTHON_PY_SUPPORT_H_
