// The one decode front: every binding (capi/, python/, tools/, mpi/) states
// what it wants as a DecodeRequest and this file picks the engine, so that
// the same request chooses the same engine, and gets the same bytes or the
// same error code, in every binding (zstd's one context whose nbWorkers
// switches to threads inside).
//
//   parxz::DecodeRequest r{.threads = 4, .memlimit = 256 << 20};
//   std::string plain = parxz::Decode(xz, r);          // one-shot
//   auto d = parxz::NewDecoder(r);                     // incremental
//   out += d->decompress(chunk, 64 << 10);
//
// The rule (ChooseDecodeEngine), checked after the options are validated:
//
//   format            threads   one-shot      incremental
//   kRaw, kAlone      any       kSequential   kSequential
//   kAuto, kXz        1         kSequential   kSequential
//   kAuto, kXz        0 or N>1  kParallel,    kThreaded
//                               kSequential
//                               below 2 Blocks
//
// Small calls stay sequential: threads share the work by Blocks, so an input
// below two Blocks cannot use them. A one-shot input that is one .xz Stream
// (nothing before or after it) whose Index lists at most one Block (what
// lzma.compress, `xz -T1` and parxz write for data up to one Block: 24 MiB at
// -6) goes to kSequential when mode is kPython and no `live` counters are
// asked for; the check reads the Stream Footer and the Index's Number of
// Records (a few bytes; the whole Index only when it lists one Block). The
// incremental engine decides Block by Block instead: a Block it is about to
// wait for with nothing else in flight is decoded on the calling thread
// (threaded_decompressor.h), so a one-Block stream never wakes a worker.
//
// kSequential is core's decompress()/Decompressor; kParallel is
// ParallelDecompress(); kThreaded is ThreadedDecompressor with workers. The
// incremental object is always a ThreadedDecompressor: with threads 1 (or a
// format the workers do not take) it is core's Decompressor inside, exactly.
// Limits never pick the engine: `memlimit` (hard) fails a Block whose filters
// need more, with kMemLimit, in every engine; `memlimit_soft` only bounds how
// far the parallel engines plan ahead. Every engine gives the same output
// and the same ErrorCode for the same input (their headers say how).
//
// Thread safety: the functions are independent and may run concurrently.
#ifndef PARXZ_PARALLEL_DECODE_DECODE_FRONT_H_
#define PARXZ_PARALLEL_DECODE_DECODE_FRONT_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "core/decompressor.h"
#include "core/options.h"
#include "core/stream_rules.h"  // DecodeMode
#include "parallel/common/live_progress.h"
#include "parallel/decode/parallel_decompressor.h"
#include "parallel/decode/threaded_decompressor.h"

namespace parxz {

// The one options vocabulary of decoding.
struct DecodeRequest {
  // kAuto (.xz, .lzma, .lz), kXz, kAlone or kRaw.
  Format format = Format::kAuto;
  // Required for kRaw, refused for the other formats.
  std::optional<FilterChain> filters;
  // 1 = sequential; 0 = the CPUs this process may run on; N = N
  // (parallel/common/threads.h PlanThreads).
  unsigned threads = 1;
  // The hard limit: a Block (or stream) whose filters need more fails with
  // kMemLimit. nullopt = none; 0 counts as 1 (LzmaMemLimit). Not with kRaw.
  std::optional<uint64_t> memlimit;
  // The soft limit of the parallel engines (how much they decode ahead);
  // nullopt = a quarter of the memory (system_memory.h). Never an error.
  std::optional<uint64_t> memlimit_soft;
  // Don't verify integrity checks (xz's --ignore-check).
  bool ignore_check = false;
  // What follows a stream (core/stream_rules.h), for the one-shot and file
  // calls; the incremental decoder decodes one stream (Python's rule).
  DecodeMode mode = DecodeMode::kPython;
  // Optional live counters; not owned.
  LiveProgress* live = nullptr;
};

enum class DecodeEngine : int {
  kSequential = 0,  // core's decompress() / Decompressor
  kParallel = 1,    // ParallelDecompress (one-shot, Blocks on threads)
  kThreaded = 2,    // ThreadedDecompressor with workers (incremental)
};

enum class DecodeCall { kOneShot, kIncremental };

// "sequential", "parallel", "threaded".
const char* DecodeEngineName(DecodeEngine engine);

// The rule above; `input` is the one-shot call's input (empty: not known,
// as for the incremental call). Throws Error(kBadOptions) for invalid options
// (ValidateDecompressOptions), so a request that fails, fails in every
// binding alike and before any engine starts.
// `peeked`: PeekWholeXzStream(input)'s answer when the caller has it (the
// Index is then not parsed again); null: not asked yet.
DecodeEngine ChooseDecodeEngine(const DecodeRequest& request, DecodeCall call,
                                std::string_view input = {},
                                const WholeXzStream* peeked = nullptr);

// Whether `data` is one whole .xz Stream whose Index lists at most one Block
// (the rule's "below 2 Blocks"). Never throws; false for anything else.
bool AtMostOneBlock(std::string_view data);

// The request in each engine's own options.
DecompressOptions ToDecompressOptions(const DecodeRequest& request);
ParallelDecodeOptions ToParallelDecodeOptions(const DecodeRequest& request);
ThreadedDecompressOptions ToThreadedDecompressOptions(
    const DecodeRequest& request);

// One-shot: all of `data`, by the chosen engine. Throws Error.
std::string Decode(std::string_view data, const DecodeRequest& request);
// The same into a caller's buffer; returns the bytes written. kTruncated
// when `out` is too small. `peeked` as ChooseDecodeEngine's.
size_t DecodeInto(std::string_view data, std::span<uint8_t> out,
                  const DecodeRequest& request,
                  const WholeXzStream* peeked = nullptr);

// The incremental decoder for one stream (Python's LZMADecompressor rules).
std::unique_ptr<ThreadedDecompressor> NewDecoder(const DecodeRequest& request);

// The engine the last Decode(), DecodeInto() or NewDecoder() call of this
// thread chose (also when it then failed): how the bindings' tests see the
// choice without a public switch.
DecodeEngine LastDecodeEngine();

}  // namespace parxz

#endif  // PARXZ_PARALLEL_DECODE_DECODE_FRONT_H_
