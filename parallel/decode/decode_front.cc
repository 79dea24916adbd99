#include "parallel/decode/decode_front.h"

#include <lzma.h>

#include <cstdint>
#include <cstring>
#include <utility>

#include "core/error.h"

namespace parxz {
namespace {

thread_local DecodeEngine last_engine = DecodeEngine::kSequential;

DecodeEngine Record(DecodeEngine engine) {
  last_engine = engine;
  return engine;
}

}  // namespace

const char* DecodeEngineName(DecodeEngine engine) {
  switch (engine) {
    case DecodeEngine::kSequential:
      return "sequential";
    case DecodeEngine::kParallel:
      return "parallel";
    case DecodeEngine::kThreaded:
      return "threaded";
  }
  return "unknown";
}

DecompressOptions ToDecompressOptions(const DecodeRequest& r) {
  return {.format = r.format,
          .memlimit = r.memlimit,
          .filters = r.filters,
          .ignore_check = r.ignore_check};
}

ParallelDecodeOptions ToParallelDecodeOptions(const DecodeRequest& r) {
  return {.threads = r.threads,
          .memlimit_soft = r.memlimit_soft,
          .memlimit_hard = r.memlimit,
          .format = r.format,
          .mode = r.mode,
          .ignore_check = r.ignore_check,
          .live = r.live};
}

ThreadedDecompressOptions ToThreadedDecompressOptions(const DecodeRequest& r) {
  return {.base = ToDecompressOptions(r),
          .threads = r.threads,
          .memlimit_soft = r.memlimit_soft,
          .live = r.live};
}

bool AtMostOneBlock(std::string_view data) {
  return PeekWholeXzStream(data, /*max_records=*/1).has_value();
}

DecodeEngine ChooseDecodeEngine(const DecodeRequest& r, DecodeCall call,
                                std::string_view input,
                                const WholeXzStream* peeked) {
  ValidateDecompressOptions(ToDecompressOptions(r));
  // Only .xz has Blocks to spread; the parallel engines decode the rest
  // with core's decoder anyway.
  if (r.threads == 1 || r.format == Format::kRaw ||
      r.format == Format::kAlone) {
    return DecodeEngine::kSequential;
  }
  if (call == DecodeCall::kIncremental) return DecodeEngine::kThreaded;
  // One Block: no thread can help, so none is paid for (core's decoder has
  // the parallel engine's results under Python's rules).
  if (r.mode == DecodeMode::kPython && r.live == nullptr &&
      (peeked != nullptr ? peeked->blocks <= 1 : AtMostOneBlock(input))) {
    return DecodeEngine::kSequential;
  }
  return DecodeEngine::kParallel;
}

std::string Decode(std::string_view data, const DecodeRequest& r) {
  last_engine = DecodeEngine::kSequential;
  if (Record(ChooseDecodeEngine(r, DecodeCall::kOneShot, data)) ==
      DecodeEngine::kParallel) {
    return ParallelDecompress(data, ToParallelDecodeOptions(r));
  }
  return Decompress(data, ToDecompressOptions(r));
}

size_t DecodeInto(std::string_view data, std::span<uint8_t> out,
                  const DecodeRequest& r, const WholeXzStream* peeked) {
  static const char* const kOp = "decompress";
  last_engine = DecodeEngine::kSequential;
  if (Record(ChooseDecodeEngine(r, DecodeCall::kOneShot, data, peeked)) !=
      DecodeEngine::kParallel) {
    return DecompressInto(data, out, ToDecompressOptions(r), peeked);
  }
  // The parallel decoder returns a string: copied once.
  const std::string plain =
      ParallelDecompress(data, ToParallelDecodeOptions(r));
  if (plain.size() > out.size()) {
    throw Error(ErrorCode::kTruncated, kOp,
                "output buffer of " + std::to_string(out.size()) +
                    " bytes is too small");
  }
  if (!plain.empty()) std::memcpy(out.data(), plain.data(), plain.size());
  return plain.size();
}

std::unique_ptr<ThreadedDecompressor> NewDecoder(const DecodeRequest& r) {
  last_engine = DecodeEngine::kSequential;
  ThreadedDecompressOptions o = ToThreadedDecompressOptions(r);
  if (Record(ChooseDecodeEngine(r, DecodeCall::kIncremental)) ==
      DecodeEngine::kSequential) {
    o.threads = 1;  // core's Decompressor inside, nothing planned
  }
  return std::make_unique<ThreadedDecompressor>(o);
}

DecodeEngine LastDecodeEngine() { return last_engine; }

}  // namespace parxz
