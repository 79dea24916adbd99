// Incremental decompression with the semantics of core's Decompressor
// (Python's lzma.LZMADecompressor), decoding the Blocks of a multi-Block .xz
// stream ahead on worker threads.
//
//   parxz::ThreadedDecompressor d({.threads = 0});   // all cores
//   std::string out;
//   while (!d.eof()) {
//     std::string in = d.needs_input() ? read_some() : std::string();
//     if (in.empty() && d.needs_input()) {           // the input ended:
//       d.end_input();                               // decode what is there,
//       out += d.decompress("", -1);                 // every byte of it,
//       if (d.needs_input()) break;                  // then truncated (or
//     } else {                                       // the next call raises)
//       out += d.decompress(in, 64 << 10);
//     }
//   }
//
// Every call returns what the sequential Decompressor would return on the
// same schedule of (data, max_length), or a prefix of it: the output so far
// is always a prefix of the sequential output, each call returns at most
// max_length bytes, and once all input has been given and the caller keeps
// calling while !needs_input() && !eof(), the final output, eof(),
// unused_data(), check() and any error's ErrorCode are the sequential ones.
//
// Every byte before an error, errors in stream order: a Block's error is
// raised only after every byte of the Blocks before it was returned, and a
// bad Block's own bytes decoded before liblzma found the error come first
// (the sequential decoder emits them too). A call that has output when it
// meets an error returns that output, and the next call raises the error
// (needs_input() is false meanwhile), so a caller gets at least what the
// sequential decoder returns before its failing call. Input that ends inside
// a Block: the Block waits for its last bytes, since a worker needs all of
// them; end_input() says none will come, and its decodable prefix is then
// returned in order before the truncation shows (needs_input() true with no
// more input) or its error.
//
// What runs where:
//   - A Block whose Block Header records its Compressed Size is handed to a
//     worker (its own lzma Block decoder, parallel/decode/block_decoder.h) as
//     soon as all its compressed bytes have arrived. Decoded Blocks are
//     returned in order, at most max_length bytes per call; the rest is kept.
//   - A Block whose header lacks its sizes (single-threaded xz
//     --block-size) is decoded inline, on the calling thread, as the
//     sequential decoder decodes it (part of it per call, as max_length
//     allows), once every Block before it has been returned; later Blocks
//     with sizes go to workers again.
//   - .lzma, .lz, raw input and threads == 1 are core's Decompressor itself:
//     identical results by construction.
//   - Small calls stay sequential: a Block that arrives while nothing else
//     is in flight is decoded on the calling thread, in the call that
//     completed its input, when that call was going to wait for it anyway
//     (no output yet and allowed to wait, or max_length < 0; later Blocks
//     go to workers meanwhile) or when it is the stream's last Block (the
//     Index follows it: nothing could overlap with it; it is then decoded
//     inline, part per call as max_length allows). The object asks the
//     system for CPUs and memory and makes its window only when a Block
//     could go to a worker, so a single-Block .xz costs what the sequential
//     decoder costs.
//   - The Blocks decoded on the calling thread take their CRC32/CRC64 off
//     it in calls with room for 1 MiB or more (max_length < 0 or large,
//     and 2 or more threads): past the first MiB of output the call decodes
//     256 KiB pieces while a thread of the object's own (started then;
//     parallel/decode/check_thread.h) checks the piece before, and the
//     Block's verdict waits for it. Smaller output is checked on the
//     caller, as liblzma would. Either way the error for
//     a Check that differs is liblzma's, where liblzma reports it.
//
// Decode-ahead is bounded. A Block is "in flight" from the moment it is
// handed to a worker until its last byte has been returned by decompress().
// At most 2 × threads Blocks are in flight, and their planned memory
//   sum over the Blocks in flight of
//     decoder_memory + uncompressed_size + compressed_size
// (decoder_memory: lzma_raw_decoder_memusage() of the Block's filters; the
// sizes are those the Block Header records, run_planner.h's per-Block
// formula with the compressed bytes held, BufferUse{.in_memory = false})
// stays within memlimit_soft. A Block whose planned memory alone is over the
// soft limit is decoded inline instead, streaming to the caller (never an
// error, as liblzma's threaded decoder falls back to one thread). A Block
// whose filters need more than the hard limit (base.memlimit) fails with
// kMemLimit where the sequential decoder fails: when its header is parsed.
// Peak memory of one object is therefore about
//   memlimit_soft (the Blocks in flight; each slot's copy of a Block's
//     compressed bytes is reserved in whole 2 MiB, for huge pages)
//   + the input handed in and not yet part of a complete Block (at most one
//     Block's compressed bytes plus one call's data)
//   + (threads + 1) × decoder_memory for the idle decoders kept between
//     Blocks (their dictionaries)
//   + up to 2 × threads output buffers of returned Blocks kept for reuse
//     (each window slot keeps its common/byte_buffer.h ByteBuffer; in a steady
//     stream they are the Blocks in flight's own output buffers, so they add
//     nothing; only when later Blocks are smaller do they hold up to
//     2 × threads × the largest Block's uncompressed size).
// Output is allocated as it is decoded, so a header that lies about its
// sizes costs only what its data really decodes to.
//
// needs_input() (the decode-ahead rule) is false
//   - when decoded output is ready to return (the front Block has finished
//     decoding and has bytes not yet returned, or the sequential path holds
//     output), or
//   - when the window is full (2 × threads Blocks or the soft limit), or
//   - once the Stream Footer has been received while any output remains to
//     be returned (a reader at the end of its file never sees needs_input()
//     == true with output still to come), or
//   - at eof().
// Otherwise it is true: the window has room for more input, even while
// Blocks decode on workers. decompress() never waits for a worker when
// needs_input() was true before the call and the call brought no complete
// Block's input; when needs_input() was false it waits for the front Block.
// max_length < 0 returns everything available without new input: it waits
// for every Block whose input is complete.
//
// Errors stick, as in Decompressor.
//
// One thread at a time per object. Workers run in the object's own
// ThreadArena of PlanThreads(threads) slots (parallel/common/threads.h), one
// kept for the caller: a call that waits for a Block decodes pending Blocks
// meanwhile (parallel/common/in_order_window.h), so `threads` Blocks decode at
// once while the caller waits, threads - 1 while it is away. The destructor
// (and move-assignment over a live object) cancels pending Blocks and waits for
// the workers, so no thread outlives the object.
#ifndef PARXZ_PARALLEL_DECODE_THREADED_DECOMPRESSOR_H_
#define PARXZ_PARALLEL_DECODE_THREADED_DECOMPRESSOR_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "core/decompressor.h"
#include "core/error.h"
#include "core/options.h"
#include "parallel/common/live_progress.h"

namespace parxz {

struct ThreadedDecompressOptions {
  // Format, hard memlimit, filters (raw), ignore_check: as Decompressor.
  DecompressOptions base;
  // Worker threads: 0 = the CPUs this process may run on, N = N
  // (parallel/common/threads.h PlanThreads);
  // 1 = purely sequential (exactly core's Decompressor).
  unsigned threads = 0;
  // Bound on the planned memory of the Blocks in flight (see above);
  // nullopt = DefaultSoftLimit (system_memory.h: a quarter of the smallest
  // of RAM, cgroup limit, RLIMIT_AS/DATA). Never causes an error.
  std::optional<uint64_t> memlimit_soft;
  // Optional live counters (parallel/common/live_progress.h) the Block decoders
  // add to while they decode ahead: compressed Block bytes consumed and
  // bytes decoded, within one 1 MiB piece. Not owned; must outlive the
  // object. The sequential paths (Blocks without sizes, other formats) do
  // not count; total_in()/total_out() are the exact figures.
  LiveProgress* live = nullptr;
};

// Counters for tests and benchmarks: what went to workers, and the largest
// decode-ahead seen.
struct ThreadedDecodeStats {
  uint64_t blocks_on_workers = 0;  // Blocks decoded by the arena's tasks
  uint64_t blocks_on_caller = 0;   // Blocks decoded by a waiting caller
  // Blocks decoded on the calling thread (one-Block streams, Blocks without
  // sizes) whose CRC32/CRC64 was computed, at least in part, on the check
  // thread while the caller decoded (past the first MiB of a call's output,
  // in calls with room for more).
  uint64_t blocks_checked_apart = 0;
  uint64_t max_blocks_in_flight = 0;
  uint64_t max_memory_in_flight = 0;  // planned bytes, formula above
  // 2 × threads and the resolved soft limit, once the object asked the
  // system for CPUs and memory (a Block could go to a worker); 0 before,
  // and for the sequential object.
  uint64_t block_limit = 0;
  uint64_t memory_limit = 0;
  bool sequential = false;  // the stream (or its rest) went the core path
};

class ThreadedDecompressor {
 public:
  // Throws Error(kBadOptions) as Decompressor does.
  explicit ThreadedDecompressor(const ThreadedDecompressOptions& options = {});
  ~ThreadedDecompressor();
  ThreadedDecompressor(ThreadedDecompressor&&) noexcept;
  ThreadedDecompressor& operator=(ThreadedDecompressor&&) noexcept;

  // As Decompressor::decompress: appends `data` to the pending input and
  // returns up to `max_length` decompressed bytes (all available when
  // negative).
  std::string decompress(std::string_view data, int64_t max_length = -1);
  // As decompress(data, out.size()) into `out`; returns the bytes written.
  size_t decompress_into(std::string_view data, std::span<uint8_t> out);
  // As decompress(), appending the bytes to `out` (core/chunked_output.h)
  // rather than growing a string: a binding then copies them once to where
  // they go. Returns the bytes appended. When the call meets an error after
  // some output, it returns normally (the next call raises) as decompress()
  // does; when it throws, what it appended is not output.
  size_t decompress_to(std::string_view data, int64_t max_length,
                       ChunkedOutput& out);

  // Declares that no more input will come (a file's end; the C API's and
  // Python reader's "end of input"). A Block still waiting for the rest of
  // its bytes is then decoded in order as far as its bytes go, so the next
  // calls return its decodable prefix, as the sequential decoder would have
  // returned it, before needs_input() is true again (a truncated stream) or
  // its error is raised. Later decompress() data is still taken.
  void end_input();

  bool eof() const;
  bool needs_input() const;
  const std::string& unused_data() const;
  Check check() const;
  // Compressed bytes consumed so far: those of the Blocks returned (or being
  // returned) and the container parsed; may lag the sequential decoder's
  // count while Blocks are in flight, equal at eof().
  uint64_t total_in() const;
  // Decompressed bytes returned so far.
  uint64_t total_out() const;

  ThreadedDecodeStats stats() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace parxz

#endif  // PARXZ_PARALLEL_DECODE_THREADED_DECOMPRESSOR_H_
