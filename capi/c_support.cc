#include "capi/c_support.h"

#include <lzma.h>

#include <optional>

#include "core/version.h"
#include "parallel/common/threads.h"

namespace parxz::capi {

Message& LastError() noexcept {
  thread_local Message last_error;
  return last_error;
}

parxz::FilterChain ToChain(const parxz_filter* filters, size_t n,
                           const char* op) {
  if (filters == nullptr) {
    if (n != 0) BadOptions(op, "filters is NULL but num_filters is not 0");
    return {};
  }
  if (n < 1 || n > LZMA_FILTERS_MAX) {
    BadOptions(op,
               "a filter chain has 1 to 4 filters, not " + std::to_string(n));
  }
  constexpr uint32_t kAllBits = (1u << 11) - 1;
  parxz::FilterChain chain;
  for (size_t i = 0; i < n; ++i) {
    const parxz_filter& f = filters[i];
    if ((f.set & ~kAllBits) != 0) {
      BadOptions(op, "filter " + std::to_string(i) + ": unknown bits in `set`");
    }
    parxz::FilterSpec s;
    s.id = static_cast<parxz::FilterId>(f.id);
    auto take = [&](uint32_t bit, uint32_t value,
                    std::optional<uint32_t>& field) {
      if (f.set & bit) field = value;
    };
    take(PARXZ_SET_PRESET, f.preset, s.preset);
    take(PARXZ_SET_DICT_SIZE, f.dict_size, s.dict_size);
    take(PARXZ_SET_LC, f.lc, s.lc);
    take(PARXZ_SET_LP, f.lp, s.lp);
    take(PARXZ_SET_PB, f.pb, s.pb);
    if (f.set & PARXZ_SET_MODE) s.mode = static_cast<parxz::Mode>(f.mode);
    take(PARXZ_SET_NICE_LEN, f.nice_len, s.nice_len);
    if (f.set & PARXZ_SET_MF) s.mf = static_cast<parxz::MatchFinder>(f.mf);
    take(PARXZ_SET_DEPTH, f.depth, s.depth);
    take(PARXZ_SET_DIST, f.dist, s.dist);
    take(PARXZ_SET_START_OFFSET, f.start_offset, s.start_offset);
    chain.push_back(s);
  }
  return chain;
}

parxz::Format ToDecodeFormat(int format, const char* op) {
  if (format < PARXZ_FORMAT_AUTO || format > PARXZ_FORMAT_RAW) {
    BadOptions(op, "Invalid container format: " + std::to_string(format));
  }
  return static_cast<parxz::Format>(format);
}

}  // namespace parxz::capi

extern "C" {

const char* parxz_error_name(int code) {
  if (code == PARXZ_OK) return "ok";
  if (code < PARXZ_E_CORRUPT_DATA || code > PARXZ_E_CANCELLED) {
    return "unknown error";
  }
  return parxz::ErrorCodeName(static_cast<parxz::ErrorCode>(code)).data();
}

const char* parxz_last_error_message(void) {
  return parxz::capi::LastError().text;
}

const char* parxz_version(void) { return PARXZ_VERSION_STRING; }

uint32_t parxz_resolve_threads(uint32_t threads, uint32_t* cpus) {
  const parxz::ThreadPlan plan = parxz::PlanThreads(threads);  // noexcept
  if (cpus != nullptr) *cpus = plan.cpus.cpus;
  return plan.threads;
}

}  // extern "C"
