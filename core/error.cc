#include "core/error.h"

#include <utility>

namespace parxz {

std::string_view ErrorCodeName(ErrorCode code) {
  switch (code) {
    case ErrorCode::kCorruptData:
      return "corrupt data";
    case ErrorCode::kTruncated:
      return "truncated input";
    case ErrorCode::kUnsupported:
      return "unsupported";
    case ErrorCode::kMemLimit:
      return "memory limit reached";
    case ErrorCode::kOutOfMemory:
      return "out of memory";
    case ErrorCode::kBadOptions:
      return "bad options";
    case ErrorCode::kMisuse:
      return "misuse";
    case ErrorCode::kEndOfStream:
      return "end of stream";
    case ErrorCode::kIo:
      return "i/o error";
    case ErrorCode::kInternal:
      return "internal error";
    case ErrorCode::kCancelled:
      return "cancelled";
  }
  return "unknown error";
}

Error::Error(ErrorCode code, std::string operation, std::string detail,
             std::optional<uint64_t> offset)
    : code_(code),
      operation_(std::move(operation)),
      detail_(std::move(detail)),
      offset_(offset) {
  message_ = operation_ + " failed: " + detail_;
  if (offset_)
    message_ += " (at compressed byte " + std::to_string(*offset_) + ")";
}

bool IsLzmaSuccess(lzma_ret ret) {
  return ret == LZMA_OK || ret == LZMA_STREAM_END || ret == LZMA_NO_CHECK ||
         ret == LZMA_GET_CHECK;
}

Error LzmaError(lzma_ret ret, std::string_view operation,
                std::optional<uint64_t> offset) {
  ErrorCode code = ErrorCode::kInternal;
  const char* detail = "Unrecognized error from liblzma";
  switch (ret) {
    case LZMA_UNSUPPORTED_CHECK:
      code = ErrorCode::kUnsupported;
      detail = "Unsupported integrity check";
      break;
    case LZMA_MEM_ERROR:
      code = ErrorCode::kOutOfMemory;
      detail = "Out of memory";
      break;
    case LZMA_MEMLIMIT_ERROR:
      code = ErrorCode::kMemLimit;
      detail = "Memory usage limit exceeded";
      break;
    case LZMA_FORMAT_ERROR:
      code = ErrorCode::kCorruptData;
      detail = "Input format not supported by decoder";
      break;
    case LZMA_OPTIONS_ERROR:
      code = ErrorCode::kUnsupported;
      detail = "Invalid or unsupported options";
      break;
    case LZMA_DATA_ERROR:
      code = ErrorCode::kCorruptData;
      detail = "Corrupt input data";
      break;
    case LZMA_BUF_ERROR:
      code = ErrorCode::kTruncated;
      detail = "Insufficient buffer space";
      break;
    case LZMA_PROG_ERROR:
      code = ErrorCode::kInternal;
      detail = "Internal error";
      break;
    default:
      break;
  }
  return Error(code, std::string(operation), detail, offset);
}

void ThrowIfLzmaError(lzma_ret ret, std::string_view operation,
                      std::optional<uint64_t> offset) {
  if (!IsLzmaSuccess(ret)) throw LzmaError(ret, operation, offset);
}

}  // namespace parxz
