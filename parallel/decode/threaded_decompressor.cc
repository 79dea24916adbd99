#include "parallel/decode/threaded_decompressor.h"

#include <lzma.h>

#include <algorithm>
#include <cstring>
#include <deque>
#include <utility>

#include "parallel/common/in_order_window.h"
#include "parallel/common/threads.h"
#include "parallel/decode/block_decoder.h"
#include "parallel/decode/run_planner.h"
#include "parallel/decode/xz_parser.h"

namespace parxz {

namespace {

constexpr char kOp[] = "decompress";

// What a Block costs while in flight (threaded_decompressor.h): its decoder
// plus run_planner.h's Block buffers, output kept and compressed bytes held.
uint64_t PlannedMemory(const BlockHead& h) {
  return h.memusage +
         BlockMemory({.in = h.total_size(), .out = h.block.uncompressed_size},
                     {.keeps_output = true, .in_memory = false});
}
constexpr size_t kFirstChunk = 32 << 10;

// Where one call's output goes: a string grown up to `limit` bytes, or a
// caller's fixed buffer.
struct Out {
  std::string* str = nullptr;
  uint8_t* fixed = nullptr;
  size_t limit = 0;  // SIZE_MAX: unlimited
  size_t size = 0;   // bytes written

  size_t room() const { return limit - size; }
  uint8_t* base() {
    return str != nullptr ? reinterpret_cast<uint8_t*>(str->data()) : fixed;
  }
  void Append(const char* p, size_t n) {
    if (str != nullptr) {
      if (str->size() < size + n) str->resize(size + n);
    }
    std::memcpy(base() + size, p, n);
    size += n;
  }
  // Writable space for a decoder, at least some bytes unless full.
  std::span<uint8_t> Space() {
    if (str != nullptr && str->size() == size && room() > 0) {
      str->resize(size + std::min(room(), std::max(kFirstChunk, size)));
    }
    const size_t end = str != nullptr ? str->size() : limit;
    return {base() + size, end - size};
  }
};

// One Block decoded on a worker (a slot of the window, reused with its
// buffers). The owner fills the inputs before Submit(); the thread that
// decodes it sets ret and out; the owner reads them once it is done.
struct BlockJob {
  BlockHead head;           // parsed, ignore_check set
  std::string in;           // after the header, to the end of the Check
  uint64_t memory = 0;      // planned bytes (threaded_decompressor.h)
  uint64_t end_offset = 0;  // input offset after the Block
  // BlockVerdict's: LZMA_STREAM_END with all of out, or the error with out
  // holding the bytes decoded before it.
  lzma_ret ret = LZMA_OK;
  OutBuffer out;
  size_t returned = 0;  // bytes of out the owner has handed on
};
using Window = InOrderWindow<BlockJob>;

// What the caller receives, in stream order.
struct Item {
  enum Kind { kJob, kInline, kError, kEnd } kind;
  explicit Item(Kind k) : kind(k) {}
  Window::Slot* slot = nullptr;           // kJob
  BlockHead head;                         // kInline
  std::unique_ptr<BlockDecoder> decoder;  // kInline, once started
  std::optional<Error> error;             // kError
  uint64_t end_offset = 0;                // kEnd: after the Stream Footer
};

}  // namespace

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
    threads = PlanThreads(o.threads).threads;
    max_jobs = 2 * threads;
    limits = ResolveMemoryLimits(o.memlimit_soft, o.base.memlimit);
    hard = LzmaMemLimit(o.base.memlimit);
    if (threads <= 1) {
      StartCore();
    } else if (o.base.format == Format::kXz) {
      StartXz();
    }
  }
  ~State() {
    // Workers reference the jobs in items: stop them first.
    if (window) window->Cancel();
  }

  void StartCore() {
    mode = Mode::kCore;
    core.emplace(options.base);
  }
  void StartXz() {
    mode = Mode::kXz;
    window = std::make_unique<Window>(
        threads, max_jobs, [this](BlockJob& job) { DecodeJob(job); });
    parser = std::make_unique<XzStreamParser>(hard, /*stream=*/1);
  }

  // On a worker or the waiting owner: the one Block routine, output grown
  // in the slot's buffer (kept from its last Block).
  void DecodeJob(BlockJob& job) {
    std::unique_ptr<BlockDecoder> decoder = decoders.Acquire();
    try {
      const BlockResult r = decoder->Decode(
          &job.head, {.in = {reinterpret_cast<const uint8_t*>(job.in.data()),
                             job.in.size()},
                      .promise = BlockPromise::FromHeader(job.head),
                      .out = BlockOutput::Grow(&job.out),
                      .halt = window->cancel_flag(),
                      .live = options.live});
      job.ret = r.ret;
    } catch (const std::bad_alloc&) {
      job.ret = LZMA_MEM_ERROR;
      job.out.resize(0);
    }
    std::string().swap(job.in);  // the input is not needed any more
    decoders.Release(std::move(decoder));
  }

  ThreadedDecompressOptions options;
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
  std::unique_ptr<XzStreamParser> parser;
  Parse parse = Parse::kParsing;
  std::string input;  // unparsed input is input[pos..]
  size_t pos = 0;
  uint64_t offset = 0;              // stream offset of input[pos]
  BlockHead pending;  // kBlockData: the Block Header parsed (consumed)
  bool header_seen = false;
  std::deque<std::unique_ptr<Item>> items;
  size_t jobs = 0;           // kJob items
  uint64_t job_memory = 0;   // their planned memory
  bool window_full = false;  // the parser waits for room
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
    item->error = LzmaError(ret, kOp, offset);
    items.push_back(std::move(item));
    parse = Parse::kFailed;
    std::string().swap(input);
    pos = 0;
  }

  void RunParser();
  void StartInline();
  void SubmitBlock();
  size_t Decode(std::string_view data, int64_t max_length, Out& out);
  size_t DecodeXz(bool may_wait, bool wait_all, Out& out);
  bool StepInline(Item& item, Out& out);
  bool NeedsInput() const;
};

void ThreadedDecompressor::State::RunParser() {
  window_full = false;
  for (;;) {
    switch (parse) {
      case Parse::kParsing: {
        const XzStreamParser::Step st = parser->Next({at(), avail()}, offset,
                                                     &pending);
        Consume(st.consumed);
        if (!header_seen && parser->header_parsed()) {
          header_seen = true;
          check = static_cast<Check>(parser->check());
          if (items.empty()) total_in = offset;
        }
        switch (st.event) {
          case XzStreamParser::Event::kMore:
            return;
          case XzStreamParser::Event::kError:
            return Fail(st.error);
          case XzStreamParser::Event::kIndex:
            // Every Block is in the Index hash: workers' when submitted,
            // inline ones when they ended.
            break;
          case XzStreamParser::Event::kEnd: {
            auto item = std::make_unique<Item>(Item::kEnd);
            item->end_offset = offset;
            items.push_back(std::move(item));
            parse = Parse::kDone;
            trailing.assign(input, pos);
            std::string().swap(input);
            pos = 0;
            return;
          }
          case XzStreamParser::Event::kBlock: {
            pending.block.ignore_check = options.base.ignore_check;
            const bool sized = pending.total_size() > 0 &&
                               pending.block.uncompressed_size !=
                                   LZMA_VLI_UNKNOWN;
            // A Block whose planned memory alone is over the soft limit is
            // decoded inline too: it streams to the caller and needs no
            // buffers.
            if (sized && PlannedMemory(pending) <= limits.soft) {
              parse = Parse::kBlockData;
            } else {
              StartInline();
            }
            break;
          }
        }
        break;
      }
      case Parse::kBlockData: {
        const uint64_t size =
            pending.total_size() - pending.block.header_size;  // its data
        const uint64_t memory = PlannedMemory(pending);
        if (input_ended && avail() < size) {
          // Its last bytes will never come: decode what there is in order,
          // as the sequential decoder does, for the output before the
          // truncation.
          StartInline();
          return;
        }
        // Room in the window: Blocks and planned memory (the header says).
        if (jobs >= max_jobs ||
            (jobs > 0 && job_memory + memory > limits.soft)) {
          window_full = true;
          return;
        }
        if (avail() < size) return;
        SubmitBlock();
        break;
      }
      case Parse::kInline:
      case Parse::kDone:
      case Parse::kFailed:
        return;
    }
  }
}

// The Block in `pending` (its header consumed) is decoded inline, on the
// calling thread in stream order.
void ThreadedDecompressor::State::StartInline() {
  stats.sequential = true;
  auto item = std::make_unique<Item>(Item::kInline);
  item->head = std::move(pending);
  items.push_back(std::move(item));
  parse = Parse::kInline;
  inline_wants_input = true;
}

void ThreadedDecompressor::State::SubmitBlock() {
  Window::Slot* slot = window->TryAcquire();  // room: RunParser checked
  BlockJob& job = slot->job;
  job.head = std::move(pending);
  const uint64_t size = job.head.total_size() - job.head.block.header_size;
  job.in.assign(reinterpret_cast<const char*>(at()), static_cast<size_t>(size));
  job.memory = PlannedMemory(job.head);
  job.returned = 0;
  job.ret = LZMA_OK;
  Consume(static_cast<size_t>(size));
  job.end_offset = offset;
  ++jobs;
  job_memory += job.memory;
  stats.max_blocks_in_flight =
      std::max<uint64_t>(stats.max_blocks_in_flight, jobs);
  stats.max_memory_in_flight = std::max(stats.max_memory_in_flight, job_memory);
  // Into the Index hash before a worker owns job.head (its decoder writes
  // the sizes back into the lzma_block); an overflow is reported after the
  // Block, where the sequential decoder reports it.
  const lzma_ret ret = parser->BlockEnded(job.head.block);
  window->Submit(slot);
  auto item = std::make_unique<Item>(Item::kJob);
  item->slot = slot;
  items.push_back(std::move(item));
  parse = Parse::kParsing;
  if (ret != LZMA_OK) Fail(ret);
}

// Decodes the inline Block at the front into `out` from the input; true
// when it ended (and was removed).
bool ThreadedDecompressor::State::StepInline(Item& item, Out& out) {
  if (!item.decoder) {
    item.decoder = std::make_unique<BlockDecoder>();
    const lzma_ret ret = item.decoder->Start(&item.head);
    if (ret != LZMA_OK) throw LzmaError(ret, kOp, offset);
  }
  for (;;) {
    const std::span<uint8_t> space = out.Space();
    const BlockResult r = item.decoder->Code({at(), avail()}, space);
    Consume(r.consumed);
    out.size += static_cast<size_t>(r.produced);
    total_in = offset;
    if (r.ret == LZMA_STREAM_END) {
      const lzma_ret ret = parser->BlockEnded(item.head.block);
      if (ret != LZMA_OK) throw LzmaError(ret, kOp, offset);
      items.pop_front();
      parse = Parse::kParsing;
      return true;
    }
    if (r.ret != LZMA_OK) throw LzmaError(r.ret, kOp, offset);
    if (r.consumed == 0 && r.produced == 0) {
      inline_wants_input = out.room() > 0;
      return false;
    }
  }
}

size_t ThreadedDecompressor::State::DecodeXz(bool may_wait, bool wait_all,
                                             Out& out) {
  RunParser();
  while (!items.empty()) {
    Item& front = *items.front();
    if (front.kind == Item::kError) throw *front.error;
    if (front.kind == Item::kEnd) {
      eof = true;
      total_in = front.end_offset;
      unused_data = std::move(trailing);
      trailing.clear();
      items.clear();
      // Nothing in flight: free the decoders and the arena.
      stats.blocks_on_workers = window->on_workers();
      stats.blocks_on_caller = window->on_caller();
      window.reset();
      break;
    }
    if (front.kind == Item::kInline) {
      if (!StepInline(front, out)) break;
      RunParser();
      continue;
    }
    BlockJob& job = front.slot->job;
    if (!Window::Done(*front.slot)) {
      if (!(wait_all || (may_wait && out.size == 0 && out.room() > 0))) break;
      window->WaitFront();
    }
    // A bad Block's bytes before its error come out first, as from the
    // sequential decoder.
    const size_t n = std::min(out.room(), job.out.size() - job.returned);
    out.Append(job.out.data() + job.returned, n);
    job.returned += n;
    if (job.returned < job.out.size()) break;  // output full
    // The message is liblzma's alone, as the standard module's (Python
    // compares it); the offset says where.
    if (job.ret != LZMA_STREAM_END)
      throw LzmaError(job.ret, kOp, job.end_offset);
    total_in = job.end_offset;
    --jobs;
    job_memory -= job.memory;
    window->PopFront();  // the slot and its output buffer serve a later Block
    items.pop_front();
    RunParser();
  }
  return out.size;
}

size_t ThreadedDecompressor::State::Decode(std::string_view data,
                                           int64_t max_length, Out& out) {
  if (error) throw *error;
  if (eof)
    throw Error(ErrorCode::kEndOfStream, kOp, "Already at end of stream");
  if (mode == Mode::kUndecided) {
    undecided.append(data);
    if (undecided.empty()) return 0;
    // As lzma_auto_decoder: 0xFD starts .xz, anything else is another format.
    if (static_cast<uint8_t>(undecided[0]) == 0xFD) {
      StartXz();
    } else {
      StartCore();
    }
    std::string first = std::move(undecided);
    undecided.clear();
    return Decode(first, max_length, out);
  }
  size_t n = 0;
  if (mode == Mode::kCore) {
    if (out.str != nullptr) {
      *out.str = core->decompress(data, max_length);
      n = out.str->size();
    } else {
      n = core->decompress_into(data, {out.fixed, out.limit});
    }
    out.size = n;
    return n;
  }
  const bool waiting_ok = !NeedsInput();
  AddInput(data);
  try {
    n = DecodeXz(waiting_ok, max_length < 0, out);
  } catch (const Error& e) {
    error = e;
    if (window) window->Cancel();
    // Every byte before an error is returned: a call that has output hands
    // it over, and the next call raises (errors stick).
    if (out.size == 0) throw;
    n = out.size;
  }
  total_out += n;
  return n;
}

bool ThreadedDecompressor::State::NeedsInput() const {
  if (mode == Mode::kCore) return core->needs_input();
  if (mode == Mode::kUndecided) return true;
  if (eof || error) return false;
  if (items.empty()) return true;
  const Item& front = *items.front();
  switch (front.kind) {
    case Item::kError:
    case Item::kEnd:
      return false;
    case Item::kInline:
      return inline_wants_input;
    case Item::kJob:
      if (Window::Done(*front.slot)) return false;
      break;
  }
  return !(window_full || parse == Parse::kInline || parse == Parse::kDone ||
           parse == Parse::kFailed);
}

ThreadedDecompressor::ThreadedDecompressor(const ThreadedDecompressOptions& o)
    : state_(std::make_unique<State>(o)) {}
ThreadedDecompressor::~ThreadedDecompressor() = default;
ThreadedDecompressor::ThreadedDecompressor(ThreadedDecompressor&&) noexcept =
    default;
ThreadedDecompressor& ThreadedDecompressor::operator=(
    ThreadedDecompressor&&) noexcept = default;

std::string ThreadedDecompressor::decompress(std::string_view data,
                                             int64_t max_length) {
  std::string result;
  Out out;
  out.str = &result;
  out.limit = max_length < 0 ? SIZE_MAX : static_cast<size_t>(max_length);
  result.resize(state_->Decode(data, max_length, out));
  return result;
}

size_t ThreadedDecompressor::decompress_into(std::string_view data,
                                             std::span<uint8_t> out) {
  Out o;
  o.fixed = out.data();
  o.limit = out.size();
  return state_->Decode(data, static_cast<int64_t>(out.size()), o);
}

void ThreadedDecompressor::end_input() {
  State& st = *state_;
  if (st.mode == State::Mode::kXz && !st.input_ended) {
    st.input_ended = true;
    if (!st.error && !st.eof) st.RunParser();
  }
}

bool ThreadedDecompressor::eof() const {
  return state_->mode == State::Mode::kCore ? state_->core->eof() : state_->eof;
}
bool ThreadedDecompressor::needs_input() const { return state_->NeedsInput(); }
const std::string& ThreadedDecompressor::unused_data() const {
  return state_->mode == State::Mode::kCore ? state_->core->unused_data()
                                            : state_->unused_data;
}
Check ThreadedDecompressor::check() const {
  return state_->mode == State::Mode::kCore ? state_->core->check()
                                            : state_->check;
}
uint64_t ThreadedDecompressor::total_in() const {
  return state_->mode == State::Mode::kCore ? state_->core->total_in()
                                            : state_->total_in;
}
uint64_t ThreadedDecompressor::total_out() const {
  return state_->mode == State::Mode::kCore ? state_->core->total_out()
                                            : state_->total_out;
}

ThreadedDecodeStats ThreadedDecompressor::stats() const {
  ThreadedDecodeStats s = state_->stats;
  if (state_->window) {
    s.blocks_on_workers = state_->window->on_workers();
    s.blocks_on_caller = state_->window->on_caller();
  }
  s.block_limit = state_->mode == State::Mode::kCore ? 0 : state_->max_jobs;
  s.memory_limit = state_->limits.soft;
  if (state_->mode == State::Mode::kCore) s.sequential = true;
  return s;
}

}  // namespace parxz
