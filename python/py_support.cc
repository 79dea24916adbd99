#include "python/py_support.h"

#include <climits>

namespace parxz::python {

bool InputBuffer::Get(PyObject* obj, const char* function,
                      const char* argument) {
  if (PyObject_GetBuffer(obj, &view_, PyBUF_SIMPLE) != 0) return false;
  held_ = true;
  if (!PyBuffer_IsContiguous(&view_, 'C')) {
    PyErr_Format(PyExc_TypeError,
                 "%s() %s must be contiguous buffer, not %.50s", function,
                 argument, obj == Py_None ? "None" : Py_TYPE(obj)->tp_name);
    return false;
  }
  return true;
}

bool ObjectLock::Ensure(PyThread_type_lock* lock) {
  if (*lock != nullptr) return true;
  *lock = PyThread_allocate_lock();
  if (*lock != nullptr) return true;
  PyErr_SetString(PyExc_MemoryError, "Unable to allocate lock");
  return false;
}

ObjectLock::ObjectLock(PyThread_type_lock lock) : lock_(lock) {
  if (!PyThread_acquire_lock(lock_, 0)) {
    Py_BEGIN_ALLOW_THREADS PyThread_acquire_lock(lock_, 1);
    Py_END_ALLOW_THREADS
  }
}

bool CheckInitialized(const void* impl, PyThread_type_lock lock,
                      PyObject* lzma_error) {
  if (impl != nullptr && lock != nullptr) return true;
  PyErr_SetString(lzma_error, "Internal error");
  return false;
}

PyObject* BytesFrom(std::string_view s) {
  return PyBytes_FromStringAndSize(s.data(), static_cast<Py_ssize_t>(s.size()));
}

PyObject* SetError(PyObject* lzma_error, const Error& e) {
  switch (e.code()) {
    case ErrorCode::kOutOfMemory:
      return PyErr_NoMemory();
    case ErrorCode::kMisuse:
      PyErr_SetString(PyExc_ValueError, e.detail().c_str());
      return nullptr;
    case ErrorCode::kEndOfStream:
      PyErr_SetString(PyExc_EOFError, e.detail().c_str());
      return nullptr;
    case ErrorCode::kBadOptions:
      // core/ checks filter options itself and names the field; CPython
      // hands them to liblzma, which answers LZMA_OPTIONS_ERROR.
      if (e.operation() == "filter chain") {
        PyErr_SetString(lzma_error, "Invalid or unsupported options");
        return nullptr;
      }
      // The argument checks of the (de)compressor constructors carry
      // CPython's ValueError messages; a bad preset is liblzma's
      // ("Invalid compression preset: N"), an LZMAError.
      if (e.operation() != "preset") {
        PyErr_SetString(PyExc_ValueError, e.detail().c_str());
        return nullptr;
      }
      break;
    default:
      break;
  }
  PyErr_SetString(lzma_error, e.detail().c_str());
  return nullptr;
}

PyObject* SetError(PyObject* lzma_error, const Failure& failure) {
  if (failure.error) return SetError(lzma_error, *failure.error);
  if (failure.out_of_memory) return PyErr_NoMemory();
  PyErr_SetString(PyExc_SystemError, failure.other.value_or("unknown").c_str());
  return nullptr;
}

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

bool AsInt(PyObject* obj, int* out) {
  int overflow = 0;
  const long value = PyLong_AsLongAndOverflow(obj, &overflow);
  if (value == -1 && PyErr_Occurred()) return false;
  if (overflow != 0 || value > INT_MAX || value < INT_MIN) {
    PyErr_SetString(PyExc_OverflowError,
                    "Python int too large to convert to C int");
    return false;
  }
  *out = static_cast<int>(value);
  return true;
}

bool AsUint32(PyObject* obj, uint32_t* out) {
  const unsigned long long value = PyLong_AsUnsignedLongLong(obj);
  if (PyErr_Occurred()) return false;
  if (static_cast<uint32_t>(value) != value) {
    PyErr_SetString(PyExc_OverflowError, "Value too large for uint32_t type");
    return false;
  }
  *out = static_cast<uint32_t>(value);
  return true;
}

}  // namespace parxz::python
