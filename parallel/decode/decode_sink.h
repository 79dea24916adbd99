// Where the parallel decoder's output goes: a std::string, a descriptor, or
// nowhere (verification only).
//
//   std::string out;
//   StringSink sink(&out);
//   sink.Write(bytes, n);
//
// Internal to parallel/. Written by one thread at a time (the pipeline's
// serial writer stage or the driver).
#ifndef PARXZ_PARALLEL_DECODE_DECODE_SINK_H_
#define PARXZ_PARALLEL_DECODE_DECODE_SINK_H_

#include <cstddef>
#include <cstdint>
#include <string>

namespace parxz {

class Sink {
 public:
  virtual ~Sink() = default;
  // `p` may be null when !keeps_output(): only the count matters.
  virtual void Write(const uint8_t* p, size_t n) = 0;
  // False when nothing is kept (verification only): workers then decode into
  // scratch memory instead of per-Block buffers.
  virtual bool keeps_output() const { return true; }
  // A hint: about `n` bytes will be written.
  virtual void Reserve(uint64_t) {}
  // Drops what was written after `mark` where possible (kPython mode).
  virtual void Rollback(uint64_t mark);
  uint64_t written() const { return written_; }

 protected:
  uint64_t written_ = 0;
};

// Appends to a string (not owned).
class StringSink : public Sink {
 public:
  explicit StringSink(std::string* out) : out_(out) {}
  void Write(const uint8_t* p, size_t n) override;
  // Only a plausible size (the Index may lie), and no failure if it is not.
  void Reserve(uint64_t n) override;
  void Rollback(uint64_t mark) override;

 private:
  std::string* out_;
};

// Writes to a descriptor (not owned) with WriteFully; throws Error(kIo).
class FdSink : public Sink {
 public:
  explicit FdSink(int fd) : fd_(fd) {}
  void Write(const uint8_t* p, size_t n) override;

 private:
  int fd_;
};

// Counts.
class NullSink : public Sink {
 public:
  void Write(const uint8_t*, size_t n) override { written_ += n; }
  bool keeps_output() const override { return false; }
};

}  // namespace parxz

#endif  // PARXZ_PARALLEL_DECODE_DECODE_SINK_H_
