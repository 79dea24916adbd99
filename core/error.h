// parxz's one error type.
//
// Every failure in parxz is reported as a `parxz::Error` (thrown; it derives
// from std::exception). It carries a code that callers switch on, the
// operation that failed, a detail sentence, and where known the byte offset in
// the compressed input at which the problem was found:
//
//   try {
//     std::string plain = parxz::Decompress(blob);
//   } catch (const parxz::Error& e) {
//     if (e.code() == parxz::ErrorCode::kCorruptData) {
//       std::cerr << e.what() << "\n";  // "decompress failed: corrupt input
//     }                                  //  data (at compressed byte 1234)"
//   }
//
// Objects that hit an error keep it: every later call on them fails with the
// same Error ("errors stick").
#ifndef PARXZ_CORE_ERROR_H_
#define PARXZ_CORE_ERROR_H_

#include <lzma.h>

#include <cstdint>
#include <exception>
#include <optional>
#include <string>
#include <string_view>

namespace parxz {

// What kind of failure it was. Stable numbers: the C API exposes them.
enum class ErrorCode : int {
  kCorruptData = 1,  // the input is not valid compressed data / checksum bad
  kTruncated = 2,    // the input ended before the end of the stream
  kUnsupported = 3,  // a format, check or option this build cannot handle
  kMemLimit = 4,     // decoding would need more memory than the limit
  kOutOfMemory = 5,  // an allocation failed
  kBadOptions = 6,   // invalid argument: preset, filter spec, sizes...
  kMisuse = 7,       // the call is not allowed now (after flush/eof/close)
  kEndOfStream = 8,  // decompress() called after the end of the stream
  kIo = 9,           // reading or writing a file or descriptor failed
  kInternal = 10,    // a bug in parxz or liblzma
  kCancelled = 11,   // the caller asked to stop (progress callback, signal)
};

// Short lowercase name of a code, e.g. "corrupt data".
std::string_view ErrorCodeName(ErrorCode code);

class Error : public std::exception {
 public:
  Error(ErrorCode code, std::string operation, std::string detail,
        std::optional<uint64_t> offset = std::nullopt);

  ErrorCode code() const noexcept { return code_; }
  // The operation that failed, e.g. "decompress".
  const std::string& operation() const noexcept { return operation_; }
  // What went wrong, without the operation, e.g. "Corrupt input data".
  const std::string& detail() const noexcept { return detail_; }
  // Byte offset in the compressed input where the problem was detected.
  std::optional<uint64_t> offset() const noexcept { return offset_; }
  // "<operation> failed: <detail> (at compressed byte N)".
  const char* what() const noexcept override { return message_.c_str(); }

 private:
  ErrorCode code_;
  std::string operation_;
  std::string detail_;
  std::optional<uint64_t> offset_;
  std::string message_;
};

// The single place that turns a liblzma return code into an Error. The detail
// text for each code is the one Python's lzma module uses.
Error LzmaError(lzma_ret ret, std::string_view operation,
                std::optional<uint64_t> offset = std::nullopt);

// True for the lzma_ret values that are not failures (OK, STREAM_END,
// NO_CHECK, GET_CHECK, UNSUPPORTED_CHECK as a notice is an error here).
bool IsLzmaSuccess(lzma_ret ret);

// Throws LzmaError(ret, ...) unless IsLzmaSuccess(ret).
void ThrowIfLzmaError(lzma_ret ret, std::string_view operation,
                      std::optional<uint64_t> offset = std::nullopt);

}  // namespace parxz

#endif  // PARXZ_CORE_ERROR_H_
