// RAII owner of one lzma_stream, whose big tables get huge pages
// (core/large_pages.h). Internal to parxz (core/ and parallel/).
#ifndef PARXZ_CORE_LZMA_STREAM_H_
#define PARXZ_CORE_LZMA_STREAM_H_

#include <lzma.h>

#include "core/large_pages.h"

namespace parxz {

class LzmaStream {
 public:
  LzmaStream() { strm_.allocator = LargePageLzmaAllocator(); }
  ~LzmaStream() { lzma_end(&strm_); }
  LzmaStream(const LzmaStream&) = delete;
  LzmaStream& operator=(const LzmaStream&) = delete;

  lzma_stream* get() { return &strm_; }
  lzma_stream* operator->() { return &strm_; }
  const lzma_stream* operator->() const { return &strm_; }

 private:
  lzma_stream strm_ = LZMA_STREAM_INIT;
};

}  // namespace parxz

#endif  // PARXZ_CORE_LZMA_STREAM_H_
