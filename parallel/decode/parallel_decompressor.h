// Multi-threaded decompression of .xz: Blocks are decoded on worker threads
// and written in order, with the same output and the same verdicts (success,
// or the error code) as parxz's sequential decoder.
//
//   std::string plain = parxz::ParallelDecompress(xz, {.threads = 4});
//   parxz::DecompressFd(in_fd, out_fd, {.mode = parxz::DecodeMode::kXz});
//   parxz::DecompressFd(in_fd, -1, opts);                  // like `xz -t`
//
// How: a serial reader parses Stream and Block Headers; every Block whose
// header records both its Compressed and Uncompressed Size (what `xz -T`,
// pixz and parxz write) goes to a oneTBB pipeline that decodes it on a worker
// (its own lzma_stream, reused) and a serial writer emits the Blocks in order.
// For seekable inputs (buffers in memory, regular files) the Index at
// the end of the file also gives the sizes of Blocks whose headers lack them
// (what single-threaded `xz --block-size` writes); such a Block is decoded
// speculatively and, if it does not end exactly where the Index says, decoded
// again sequentially from its start. Everything else (single-Block files
// without sizes read from pipes, .lzma and .lz files, Stream Padding, the
// Index and Stream Footer) is decoded sequentially in stream order. Every step
// is the one liblzma's lzma_stream_decoder takes (same Block Header parsing,
// memory check, Block decoder, Index hash, Footer checks), so every input
// gets the sequential decoder's verdict and error code, and errors outside
// Block data are reported at the same compressed byte. Inside a Block's LZMA2
// data liblzma may notice a corruption a few KiB earlier or later depending on
// the output space it is given per call (the sequential decoder grows its
// buffer, workers decode a Block at once); the offset is then still inside
// the same Block. Errors inside a Block name it: "Corrupt input data in
// Block 3 of Stream 1 (Block Header at compressed byte 2399048) (at
// compressed byte 2400012)".
//
// Blocks are numbered from 1 within their Stream, as `xz -lv` numbers them.
//
// Why not liblzma's own lzma_stream_decoder_mt: it decodes in parallel only
// Blocks whose headers record their sizes (it never reads the Index, so
// files from single-threaded `xz --block-size` stay sequential), it has no
// Python rules for what follows a stream (kPython), and its errors do not
// name the Block. Its memory limits are ours (run_planner.h).
//
// Memory, as xz 5.4's threaded decoder (run_planner.h has the formula and
// cites lzma_mt): a parallel run plans
//   threads × decoder_memory(filters) + blocks_in_flight × block_buffers
// below `memlimit_soft`, where blocks_in_flight is 2 × threads at most and
// block_buffers is the Block's uncompressed size (its output) plus its
// compressed size when the input is not in memory (nothing when only
// verifying a memory input; each decoder also keeps 1 MiB of scratch). It
// lowers the Blocks in flight, then the threads, to fit, and decodes a Block
// streaming when even two threads with one Block each would not fit.
//
// Streaming (a Block too big for the plan, Blocks without sizes and no
// Index, a run that would hold one Block such as a one-Block file's, and
// .lzma/.lz): input read and output written in bounded, reused pieces
// whatever the size, so memory stays the decoder's dictionary plus a few
// MiB. With threads >= 2 the Block's CRC32/CRC64 and the writes run on a
// writer thread (stream_writer.h) while the calling thread decodes; the
// verdict, the error and the output before it are a sequential decoder's.
// `memlimit_hard` is what the sequential decoder
// may use at most: a Block whose filters need more fails with
// ErrorCode::kMemLimit, as parxz::decompress with DecompressOptions::memlimit.
//
// The parts (internal to parallel/): core/stream_rules.h decides what follows
// a stream and detects the container; decode_input.h reads the input;
// xz_parser.h checks Stream and Block Headers, the Index and the Footer;
// file_index.h reads the Index of a seekable input; run_planner.h turns the
// limits into threads and Blocks in flight; block_decoder.h is the one
// lzma_code() loop and the decoder pool; block_pipeline.h runs Blocks on
// workers; decode_sink.h writes the output. This file is the driver.
//
// Threads: every parallel run makes its own ThreadArena of at most
// PlanThreads(threads) slots (parallel/common/threads.h); the calling thread
// takes part. Calls are independent and may run concurrently.
#ifndef PARXZ_PARALLEL_DECODE_PARALLEL_DECOMPRESSOR_H_
#define PARXZ_PARALLEL_DECODE_PARALLEL_DECOMPRESSOR_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "core/error.h"
#include "core/options.h"
#include "core/stream_rules.h"  // DecodeMode
#include "parallel/common/live_progress.h"

namespace parxz {

struct ParallelDecodeOptions {
  // Worker threads; 0 = all hardware threads, more are clamped to that
  // (parallel/common/threads.h). 1 decodes sequentially.
  unsigned threads = 0;
  // The soft limit (xz's --memlimit-mt-decompress, lzma_mt's
  // memlimit_threading): parallel decoding stays below it, else uses fewer
  // threads, else goes sequential. nullopt = a quarter of the physical
  // memory (xz's default). Never above memlimit_hard; 0 counts as 1.
  std::optional<uint64_t> memlimit_soft;
  // The hard limit (xz's --memlimit-decompress, lzma_mt's memlimit_stop): a
  // Block whose filters need more fails with kMemLimit. nullopt = none, as
  // parxz::Decompress(); 0 counts as 1.
  std::optional<uint64_t> memlimit_hard;
  // kAuto (.xz, .lzma, .lz), kXz or kAlone; kRaw is refused (kBadOptions).
  // Only .xz is decoded in parallel.
  Format format = Format::kAuto;
  // What follows a stream, as core/stream_rules.h decides it:
  //   kPython (parxz::Decompress(), Python's lzma.decompress()): concatenated
  //     streams are decoded; once one stream decoded, data that is not a
  //     valid stream ends the output quietly (its partial output is
  //     dropped); Stream Padding after a stream is "truncated input".
  //   kXz (`xz -d` / `xz -t`): .xz Streams separated by Stream Padding;
  //     anything else after the last one is corrupt data (kCorruptData).
  //     .lzma files must end with their stream; .lz files may carry trailing
  //     data. An unsupported check type is not an error but sets
  //     DecompressStats::unsupported_check (xz's warning, exit status 2).
  //     The container is detected as xz detects it (DetectContainer):
  //     kXz and kAlone still need the magic or a plausible header.
  //   kSingleStream (`xz --single-stream`): as kXz, but only the first
  //     stream is decoded and whatever follows it is ignored (and not
  //     counted in DecompressStats::in_bytes).
  DecodeMode mode = DecodeMode::kPython;
  // Seekable inputs: read the Index from the end of the file first, to
  // decode Blocks without sizes in their headers in parallel too.
  bool use_index = true;
  // Don't verify the integrity checks (xz's --ignore-check): Block decoders
  // get lzma_block::ignore_check, the sequential decoders LZMA_IGNORE_CHECK
  // (.lz members too). The Index and the Headers are still checked.
  bool ignore_check = false;
  // Optional live counters (parallel/common/live_progress.h) the Block decoders
  // add to while they work; not owned, must outlive the call.
  LiveProgress* live = nullptr;
  // Optional cancel request: set it (from any thread) and the call throws
  // ErrorCode::kCancelled, the Blocks on workers stopping part-way (within
  // one 1 MiB piece of input or of output each, block_decoder.h)
  // rather than at their end. Not owned; must outlive the call.
  const std::atomic<bool>* cancel = nullptr;
};

// What a decoding call did.
struct DecompressStats {
  uint64_t in_bytes = 0;           // compressed bytes consumed
  uint64_t out_bytes = 0;          // decompressed bytes produced
  uint64_t streams = 0;            // streams decoded to their end
  uint64_t blocks = 0;             // .xz Blocks decoded
  uint64_t parallel_blocks = 0;    // ... of which on worker threads
  unsigned threads = 1;            // most Blocks decoded at once
  uint64_t memory_planned = 0;     // peak memory the parallel plan allowed
  bool unsupported_check = false;  // kXz: some check could not be verified
};

// The decoders call their ProgressFn (parallel/common/live_progress.h) in
// order, after each Block (or 1 MiB piece of sequential output), with the
// compressed bytes consumed and the bytes written so far, from the calling
// thread or a TBB worker.

// Decodes all of `xz`. With the default options (kPython) the result and any
// Error code equal parxz::Decompress(xz, {.memlimit = memlimit_hard}).
// Throws Error.
std::string ParallelDecompress(std::string_view xz,
                               const ParallelDecodeOptions& options = {});

// Decodes and verifies all of `xz` without keeping the output (`xz -t`).
// Throws Error exactly where ParallelDecompress would.
DecompressStats ParallelTest(std::string_view xz,
                             const ParallelDecodeOptions& options = {});

// Decodes everything readable from `in_fd` (a regular file is read with
// pread() from its current position, a pipe with read()) and writes it to
// `out_fd`, or only verifies it when `out_fd` is -1. Throws Error: kIo for
// read/write failures, kCancelled, or the data's error, after writing all
// output before the failing point (discard it). In kPython mode a later stream
// that turns out invalid ends the output as in ParallelDecompress, but its
// output written so far stays written.
DecompressStats DecompressFd(int in_fd, int out_fd,
                             const ParallelDecodeOptions& options = {},
                             const ProgressFn& progress = nullptr);

// The same, handing the decoded bytes to `write` in order (from the calling
// thread, the pipeline's writer stage or the streamed output's writer
// thread, stream_writer.h: one call at a time) instead of a
// descriptor: for outputs that are not a plain write(), such as sparse files.
// An exception thrown by `write` stops decoding and is rethrown.
using OutputFn = std::function<void(const uint8_t* bytes, size_t n)>;
DecompressStats DecompressFd(int in_fd, const OutputFn& write,
                             const ParallelDecodeOptions& options = {},
                             const ProgressFn& progress = nullptr);

}  // namespace parxz

#endif  // PARXZ_PARALLEL_DECODE_PARALLEL_DECOMPRESSOR_H_
