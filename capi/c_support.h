// Internal to capi/: what every C entry point shares. Each runs its body
// inside Guard(), which turns any exception into an error code plus message,
// so that nothing C++ crosses the boundary. Messages live in fixed-size
// buffers (per handle, and one thread-local buffer), so that recording an
// error never allocates and cannot itself fail.
#ifndef PARXZ_CAPI_C_SUPPORT_H_
#define PARXZ_CAPI_C_SUPPORT_H_

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <new>
#include <span>
#include <string>
#include <string_view>

#include "core/error.h"
#include "core/options.h"
#include "parxz.h"

namespace parxz::capi {

constexpr size_t kMessageSize = 512;

// A message buffer that never allocates.
struct Message {
  char text[kMessageSize] = {0};
  void Set(const char* s) noexcept {
    std::snprintf(text, sizeof text, "%s", s);
  }
};

// The last error of this thread (parxz_last_error_message()). A function,
// not an extern thread_local: that would be exported from libparxz.so.
Message& LastError() noexcept;

// An argument error: rejected before any handle state is touched, so it is
// not recorded in the handle (only in the thread-local last error).
struct ArgumentError {
  const char* what;
};

// A handle's earlier error, raised again: its message is already recorded.
struct StickyError {
  int code;
};

inline int CodeOf(ErrorCode code) { return static_cast<int>(code); }

// Runs `body` (which returns nothing or throws); returns PARXZ_OK or the code
// of what it threw, recording the message in `handle_message` (if any) and in
// the thread-local last error. `sticky_code` (if any) receives the code.
template <typename Body>
int Guard(const char* op, Message* handle_message, int* sticky_code,
          Body&& body) noexcept {
  // Records inside each handler: e.what() dies with the exception object.
  auto record = [&](int code, const char* text) noexcept {
    LastError().Set(text);
    if (handle_message != nullptr) handle_message->Set(text);
    if (sticky_code != nullptr) *sticky_code = code;
    return code;
  };
  char buf[kMessageSize];
  try {
    body();
    return PARXZ_OK;
  } catch (const ArgumentError& e) {
    std::snprintf(buf, sizeof buf, "%s failed: %s", op, e.what);
    LastError().Set(buf);
    return PARXZ_E_BAD_OPTIONS;
  } catch (const StickyError& e) {
    return e.code;
  } catch (const Error& e) {
    return record(CodeOf(e.code()), e.what());
  } catch (const std::bad_alloc&) {
    std::snprintf(buf, sizeof buf, "%s failed: out of memory", op);
    return record(PARXZ_E_OUT_OF_MEMORY, buf);
  } catch (const std::exception& e) {
    std::snprintf(buf, sizeof buf, "%s failed: internal error: %s", op,
                  e.what());
    return record(PARXZ_E_INTERNAL, buf);
  } catch (...) {
    std::snprintf(buf, sizeof buf, "%s failed: unknown internal error", op);
    return record(PARXZ_E_INTERNAL, buf);
  }
}

inline void Require(bool ok, const char* what) {
  if (!ok) throw ArgumentError{what};
}

inline std::string_view Bytes(const void* p, size_t n) {
  return n == 0 ? std::string_view()
                : std::string_view(static_cast<const char*>(p), n);
}

inline std::span<uint8_t> Span(void* p, size_t n) {
  return n == 0 ? std::span<uint8_t>()
                : std::span<uint8_t>(static_cast<uint8_t*>(p), n);
}

[[noreturn]] inline void BadOptions(const std::string& op,
                                    const std::string& why) {
  throw Error(ErrorCode::kBadOptions, op, why);
}

// A C filter array as a FilterChain (filters == NULL: none). Throws
// kBadOptions for what only the C struct can get wrong (NULL, count, bits).
parxz::FilterChain ToChain(const parxz_filter* filters, size_t n,
                           const char* op);

// A C format number for decoding, checked for range.
parxz::Format ToDecodeFormat(int format, const char* op);

// Errors stick: a handle that failed answers every later call with the same
// code and keeps its original message.
template <typename Handle>
bool Failed(const Handle* h) {
  if (h->error == PARXZ_OK) return false;
  LastError().Set(h->message.text);
  return true;
}

}  // namespace parxz::capi

#endif  // PARXZ_CAPI_C_SUPPORT_H_
