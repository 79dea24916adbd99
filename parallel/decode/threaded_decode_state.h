// Private to parallel/decode: the state behind ThreadedDecompressor
// (threaded_decompressor.h) and the helper types it holds: Out (where one
// call's output goes), BlockJob (a Block decoded on a worker, a slot of the
// in-order window) and Item (what the caller receives, in stream order). The
// State's .xz parser loop, inline Blocks and the public calls are defined in
// threaded_decompressor.cc.

#ifndef PARXZ_PARALLEL_DECODE_THREADED_DECODE_STATE_H_
#define PARXZ_PARALLEL_DECODE_THREADED_DECODE_STATE_H_

#include <lzma.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <deque>
#include <memory>
#include <new>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>

#include "core/chunked_output.h"
#include "core/decompressor.h"
#include "core/error.h"
#include "core/options.h"
#include "parallel/common/in_order_window.h"
#include "parallel/common/threads.h"
#include "parallel/decode/block_check.h"
#include "parallel/decode/block_decoder.h"
#include "parallel/decode/check_thread.h"
#include "parallel/decode/run_planner.h"
#include "parallel/decode/stream_writer.h"
#include "parallel/decode/threaded_decompressor.h"
#include "parallel/decode/xz_parser.h"

namespace parxz {
namespace threaded_internal {

inline constexpr char kOp[] = "decompress";

// What a Block costs while in flight (threaded_decompressor.h): its decoder
// plus run_planner.h's Block buffers, output kept and compressed bytes held.
inline uint64_t PlannedMemory(const BlockHead& h) {
  return h.memusage +
         BlockMemory({.in = h.total_size(), .out = h.block.uncompressed_size},
                     {.keeps_output = true, .in_memory = false});
}
// An inline Block's check goes to the CheckThread in a call with room for
// at least kCheckApartFrom bytes of output, once it has decoded that much
// (smaller output never starts the thread), decoded kCheckPiece bytes at a
// time so that one piece is checked while the next decodes (pieces of
// StreamWriter's size: they stay in the caches between the two threads).
inline constexpr size_t kCheckApartFrom = size_t{1} << 20;
inline constexpr size_t kCheckPiece = StreamWriter::kPieceSize;

// Where one call's output goes: chunks appended up to `limit` bytes
// (core/chunked_output.h: never moved, so a CheckThread may read what was
// written while more is decoded), or a caller's fixed buffer.
struct Out {
  ChunkedOutput* chunks = nullptr;
  uint8_t* fixed = nullptr;
  size_t limit = 0;  // SIZE_MAX: unlimited
  size_t size = 0;   // bytes written

  size_t room() const { return limit - size; }
  // Writable space for a decoder, at least some bytes unless full.
  std::span<uint8_t> Space() {
    if (chunks != nullptr) return chunks->Space(room());
    return {fixed + size, limit - size};
  }
  // The first `n` bytes of Space() were written.
  void Commit(size_t n) {
    if (chunks != nullptr) chunks->Commit(n);
    size += n;
  }
  void Append(const char* p, size_t n) {
    while (n > 0) {
      const std::span<uint8_t> space = Space();
      const size_t m = std::min(n, space.size());
      std::memcpy(space.data(), p, m);
      Commit(m);
      p += m;
      n -= m;
    }
  }
};

// One Block decoded on a worker (a slot of the window, reused with its
// buffers). The owner fills the inputs before Submit(); the thread that
// decodes it sets ret and out; the owner reads them once it is done.
struct BlockJob {
  BlockHead head;           // parsed, ignore_check set
  ByteBuffer in;            // after the header, to the end of the Check
  uint64_t memory = 0;      // planned bytes (threaded_decompressor.h)
  uint64_t end_offset = 0;  // input offset after the Block
  // BlockVerdict's: LZMA_STREAM_END with all of out, or the error with out
  // holding the bytes decoded before it.
  lzma_ret ret = LZMA_OK;
  ByteBuffer out;
  size_t returned = 0;  // bytes of out the owner has handed on
};
using Window = InOrderWindow<BlockJob>;

// What the caller receives, in stream order.
struct Item {
  enum Kind { kJob, kInline, kError, kEnd } kind;
  explicit Item(Kind k) : kind(k) {}
  Window::Slot* slot = nullptr;           // kJob
  bool owner_runs = false;                // kJob: no task; the call waits
  BlockHead head;                         // kInline
  std::unique_ptr<BlockDecoder> decoder;  // kInline, once started
  // kInline: its CRC32/CRC64 computed by StepInline (the decoder ignores
  // it), on the CheckThread in calls that ask for a large output.
  bool own_check = false;
  BlockCheck check;
  bool checked_apart = false;  // counted in stats.blocks_checked_apart
  std::optional<Error> error;  // kError
  uint64_t end_offset = 0;     // kEnd: after the Stream Footer
};

}  // namespace threaded_internal

struct ThreadedDecompressor::State {
  enum class Mode { kUndecided, kCore, kXz };
  // Where the driver is in the .xz stream.
  enum class Parse {
    kParsing,    // the parser's: headers, the Index, the Footer
    kBlockData,  // `pending` parsed; collecting its bytes for a worker
    kInline,     // an inline Block is being decoded: wait for it
    kDone,       // Stream Footer verified: the rest is trailing data
    kFailed,
  };

  using BlockJob = threaded_internal::BlockJob;
  using Item = threaded_internal::Item;
  using Out = threaded_internal::Out;
  using Window = threaded_internal::Window;

  explicit State(const ThreadedDecompressOptions& o) : options(o) {
    ValidateDecompressOptions(o.base);
    // threads 1 and the formats workers never see: core's decoder at once,
    // without asking the system for CPUs and memory (a sequential object
    // costs what core's does: Python and the C API make one per stream).
    if (o.threads == 1 || o.base.format == Format::kAlone ||
        o.base.format == Format::kRaw) {
      StartCore();
      return;
    }
    hard = LzmaMemLimit(o.base.memlimit);
    if (o.base.format == Format::kXz) StartXz();
  }
  ~State() {
    // Workers reference the jobs in items: stop them first.
    if (window) window->Cancel();
  }

  void StartCore() {
    mode = Mode::kCore;
    core.emplace(options.base);
  }
  // The parser only: the system is asked for CPUs and memory, and the
  // window made, when a Block could go to a worker (Plan(), SubmitBlock()).
  // A stream whose one Block arrives whole is decoded inline and never
  // pays for them.
  void StartXz() {
    mode = Mode::kXz;
    parser = std::make_unique<XzStreamParser>(hard, /*stream=*/1);
  }
  void Plan() {
    if (planned) return;
    planned = true;
    threads = PlanThreads(options.threads).threads;
    max_jobs = 2 * threads;
    limits = ResolveMemoryLimits(options.memlimit_soft, options.base.memlimit);
  }

  // On a worker or the waiting owner: the one Block routine, output grown
  // in the slot's buffer (kept from its last Block).
  void DecodeJob(BlockJob& job) {
    std::unique_ptr<BlockDecoder> decoder = decoders.Acquire();
    try {
      const BlockResult r = decoder->Decode(
          &job.head, {.in = {job.in.data(), job.in.size()},
                      .promise = BlockPromise::FromHeader(job.head),
                      .out = BlockOutput::Grow(&job.out),
                      .halt = window->cancel_flag(),
                      .live = options.live});
      job.ret = r.ret;
    } catch (const std::bad_alloc&) {
      job.ret = LZMA_MEM_ERROR;
      job.out.resize(0);
    }
    job.in.resize(0);  // capacity kept for the slot's next Block
    decoders.Release(std::move(decoder));
  }

  ThreadedDecompressOptions options;
  bool planned = false;  // Plan() ran: threads, max_jobs and limits hold
  unsigned threads = 1;
  size_t max_jobs = 2;  // Blocks in flight at most (threaded_decompressor.h)
  MemoryLimits limits{};
  uint64_t hard = UINT64_MAX;
  Mode mode = Mode::kUndecided;
  std::optional<Decompressor> core;
  std::string undecided;  // kAuto input before its first byte decides

  // The .xz path. The decoders are the workers' (any thread); the window
  // goes before everything its jobs touch is destroyed (~State cancels it).
  BlockDecoderPool decoders;
  std::unique_ptr<Window> window;
  // Inline Blocks' checks in large calls (threaded_internal::
  // kCheckApartFrom): made the first time one is needed when 2 or more
  // threads may run (checks_apart, asked of the system once).
  std::unique_ptr<CheckThread> check_thread;
  std::optional<bool> checks_apart;
  std::unique_ptr<XzStreamParser> parser;
  Parse parse = Parse::kParsing;
  std::string input;  // unparsed input is input[pos..]
  size_t pos = 0;
  uint64_t offset = 0;  // stream offset of input[pos]
  BlockHead pending;    // kBlockData: the Block Header parsed (consumed)
  bool header_seen = false;
  std::deque<std::unique_ptr<Item>> items;
  size_t jobs = 0;           // kJob items
  uint64_t job_memory = 0;   // their planned memory
  bool window_full = false;  // the parser waits for room
  // Set before each RunParser(): the call goes on to wait for the front
  // Block. A Block submitted with nothing before it in flight is then left
  // to the caller (InOrderWindow::Submit's owner_runs), which decodes it in
  // this call without waking a worker, while later Blocks go to workers. A
  // stream's last Block with nothing before it in flight is decoded inline
  // (no window at all): a one-Block stream costs what the sequential
  // decoder costs.
  bool owner_waits = false;
  bool inline_wants_input = true;
  bool input_ended = false;  // end_input(): no more input will come
  std::string trailing;

  bool eof = false;
  std::optional<Error> error;
  std::string unused_data;
  Check check = Check::kUnknown;
  uint64_t total_in = 0;
  uint64_t total_out = 0;
  ThreadedDecodeStats stats;

  size_t avail() const { return input.size() - pos; }
  const uint8_t* at() const {
    return reinterpret_cast<const uint8_t*>(input.data()) + pos;
  }
  void Consume(size_t n) {
    pos += n;
    offset += n;
  }
  void AddInput(std::string_view data) {
    if (parse == Parse::kDone) {
      trailing.append(data);
      return;
    }
    if (parse == Parse::kFailed) return;
    if (pos > 0 && pos >= input.size() / 2) {
      input.erase(0, pos);
      pos = 0;
    }
    input.append(data);
  }
  // The parser stops here; the error reaches the caller after the output
  // before it, as in the sequential decoder.
  void Fail(lzma_ret ret) {
    auto item = std::make_unique<Item>(Item::kError);
    item->error = LzmaError(ret, threaded_internal::kOp, offset);
    items.push_back(std::move(item));
    parse = Parse::kFailed;
    std::string().swap(input);
    pos = 0;
  }

  void RunParser(bool waits = false) {
    owner_waits = waits;
    RunParserSteps();
  }
  void RunParserSteps();
  // `sized`: a Block a worker could have taken, decoded inline because it
  // is the stream's last and alone (counted as blocks_on_caller); otherwise
  // one that needs the sequential path (no sizes, too large, truncated).
  void StartInline(bool sized = false);
  void SubmitBlock();
  size_t Decode(std::string_view data, int64_t max_length, Out& out);
  size_t DecodeXz(bool may_wait, bool wait_all, Out& out);
  bool StepInline(Item& item, Out& out);
  // The CheckThread, or null when one thread may run (asked once).
  CheckThread* AskCheckThread();
  bool NeedsInput() const;
};

}  // namespace parxz

#endif  // PARXZ_PARALLEL_DECODE_THREADED_DECODE_STATE_H_
