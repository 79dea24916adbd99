// Where the parallel decoder's output goes besides core's sinks
// (core/sink.h: a std::string, a function): a descriptor, or nowhere
// (verification only).
//
//   FdSink sink(out_fd);
//   sink.Write(bytes, n);
//
// Internal to parallel/. Written by one thread at a time (the pipeline's
// serial writer stage or the driver).
#ifndef PARXZ_PARALLEL_DECODE_DECODE_SINK_H_
#define PARXZ_PARALLEL_DECODE_DECODE_SINK_H_

#include <cstddef>
#include <cstdint>

#include "core/sink.h"

namespace parxz {

// Writes to a descriptor (not owned) with WriteFully; throws Error(kIo).
// What was written stays written (Rollback only stops counting it).
class FdSink : public Sink {
 public:
  explicit FdSink(int fd) : fd_(fd) {}

 protected:
  void Put(const uint8_t* p, size_t n) override;

 private:
  int fd_;
};

// Counts.
class NullSink : public Sink {
 public:
  bool keeps_output() const override { return false; }

 protected:
  void Put(const uint8_t*, size_t) override {}
};

}  // namespace parxz

#endif  // PARXZ_PARALLEL_DECODE_DECODE_SINK_H_
