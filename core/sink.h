// Where decoded bytes go, in order: the one sink type of every decoder
// (core's StreamDecoder, parallel/'s file decoder and its pipeline). The
// common sinks are here; parallel/decode/decode_sink.h adds a descriptor
// and a counting sink.
//
//   std::string out;
//   StringSink sink(&out);
//   sink.Write(bytes, n);               // or sink.Write(std::string_view)
//   sink.Rollback(mark);                // kPython: drop what followed `mark`
//
// Written by one thread at a time (the decoder's caller, or the pipeline's
// serial writer stage).
#ifndef PARXZ_CORE_SINK_H_
#define PARXZ_CORE_SINK_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>

namespace parxz {

class Sink {
 public:
  virtual ~Sink() = default;
  // `p` may be null when !keeps_output(): only the count matters.
  void Write(const uint8_t* p, size_t n) {
    Put(p, n);
    written_ += n;
  }
  void Write(std::string_view bytes) {
    Write(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
  }
  // kPython: what was written after `mark` belongs to a later stream that
  // turned out invalid, which Python's rules drop. Sinks that cannot take
  // bytes back (a descriptor) keep them; written() counts them no more.
  void Rollback(uint64_t mark) {
    if (mark >= written_) return;
    TakeBack(written_ - mark);
    written_ = mark;
  }
  // False when nothing is kept (verification only): the parallel decoder's
  // workers then decode into scratch memory instead of per-Block buffers.
  virtual bool keeps_output() const { return true; }
  // A hint: about `n` bytes will be written.
  virtual void Reserve(uint64_t) {}
  uint64_t written() const { return written_; }

 protected:
  virtual void Put(const uint8_t* p, size_t n) = 0;
  // Removes the last `n` bytes put, where the sink can.
  virtual void TakeBack(uint64_t) {}

 private:
  uint64_t written_ = 0;
};

// Appends to a string (not owned).
class StringSink : public Sink {
 public:
  explicit StringSink(std::string* out) : out_(out) {}
  // Only a plausible size (an Index may lie), and no failure if it is not.
  void Reserve(uint64_t n) override;

 protected:
  void Put(const uint8_t* p, size_t n) override {
    out_->append(reinterpret_cast<const char*>(p), n);
  }
  void TakeBack(uint64_t n) override { out_->resize(out_->size() - n); }

 private:
  std::string* out_;
};

// Hands every piece to a function and keeps nothing.
class FunctionSink : public Sink {
 public:
  explicit FunctionSink(std::function<void(std::string_view)> f)
      : f_(std::move(f)) {}

 protected:
  void Put(const uint8_t* p, size_t n) override {
    f_(std::string_view(reinterpret_cast<const char*>(p), n));
  }

 private:
  std::function<void(std::string_view)> f_;
};

}  // namespace parxz

#endif  // PARXZ_CORE_SINK_H_
