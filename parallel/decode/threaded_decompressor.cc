#include "parallel/decode/threaded_decompressor.h"

#include <lzma.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>

#include "core/large_pages.h"
#include "parallel/decode/block_decoder.h"
#include "parallel/decode/threaded_decode_state.h"
#include "parallel/decode/xz_parser.h"

namespace parxz {

using threaded_internal::BlockJob;
using threaded_internal::Item;
using threaded_internal::kOp;
using threaded_internal::Out;
using threaded_internal::PlannedMemory;
using threaded_internal::Window;

void ThreadedDecompressor::State::RunParserSteps() {
  window_full = false;
  for (;;) {
    switch (parse) {
      case Parse::kParsing: {
        const XzStreamParser::Step st =
            parser->Next({at(), avail()}, offset, &pending);
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
            const bool sized =
                pending.total_size() > 0 &&
                pending.block.uncompressed_size != LZMA_VLI_UNKNOWN;
            if (sized) {
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
        // The stream's last Block (the Index Indicator follows its data)
        // with nothing before it in flight: no later Block could overlap
        // with it, so a worker would gain nothing. It is decoded inline, in
        // this call, and a one-Block stream costs what the sequential
        // decoder costs (no CPUs or memory asked of the system, no window).
        if (jobs == 0 && items.empty() && avail() > size &&
            at()[size] == 0x00) {
          StartInline(/*sized=*/true);
          break;
        }
        Plan();
        // Alone over the soft limit, or no second thread: inline too (it
        // streams to the caller and needs no buffers).
        if (threads < 2 || memory > limits.soft) {
          StartInline();
          break;
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
void ThreadedDecompressor::State::StartInline(bool sized) {
  if (sized) {
    ++stats.blocks_on_caller;  // as a worker's Block that the caller ran
  } else {
    stats.sequential = true;
  }
  auto item = std::make_unique<Item>(Item::kInline);
  item->head = std::move(pending);
  items.push_back(std::move(item));
  parse = Parse::kInline;
  inline_wants_input = true;
}

void ThreadedDecompressor::State::SubmitBlock() {
  if (!window) {
    window = std::make_unique<Window>(
        threads, max_jobs, [this](BlockJob& job) { DecodeJob(job); });
  }
  Window::Slot* slot = window->TryAcquire();  // room: RunParser checked
  BlockJob& job = slot->job;
  job.head = std::move(pending);
  const uint64_t size = job.head.total_size() - job.head.block.header_size;
  // Nothing before it in flight and the call waits for it anyway: the
  // caller runs it (InOrderWindow::Submit's owner_runs), while the Blocks
  // after it go to workers.
  const bool owner_runs = jobs == 0 && items.empty() && owner_waits;
  // Whole huge pages, so that a slot holding a smaller Block's bytes does
  // not take fresh memory (page faults) for every larger one after it, and
  // the buffer is huge pages from its first byte (AllocateFilledBytes).
  constexpr size_t kUnit = kHugePageBytes;
  job.in.reserve((static_cast<size_t>(size) + kUnit - 1) / kUnit * kUnit);
  job.in.resize(static_cast<size_t>(size));
  std::memcpy(job.in.data(), at(), job.in.size());
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
  window->Submit(slot, owner_runs);
  auto item = std::make_unique<Item>(Item::kJob);
  item->slot = slot;
  item->owner_runs = owner_runs;
  items.push_back(std::move(item));
  parse = Parse::kParsing;
  if (ret != LZMA_OK) Fail(ret);
}

CheckThread* ThreadedDecompressor::State::AskCheckThread() {
  if (!checks_apart) {
    checks_apart = PlanThreads(options.threads).threads >= 2;
    if (*checks_apart) check_thread = std::make_unique<CheckThread>();
  }
  return check_thread.get();
}

// Decodes the inline Block at the front into `out` from the input; true
// when it ended (and was removed).
bool ThreadedDecompressor::State::StepInline(Item& item, Out& out) {
  if (!item.decoder) {
    // Its CRC32/CRC64 computed here rather than in liblzma's decoder, so
    // that a large call can take it off this thread.
    if (!item.head.block.ignore_check &&
        BlockCheck::Computable(item.head.block.check)) {
      item.own_check = true;
      item.check = BlockCheck(item.head.block.check);
      item.head.block.ignore_check = true;
    }
    item.decoder = std::make_unique<BlockDecoder>();
    const lzma_ret ret = item.decoder->Start(&item.head);
    if (ret != LZMA_OK) throw BlockError(ret, item.head, offset, kOp);
  }
  // A call with room for kCheckApartFrom bytes decodes in kCheckPiece
  // pieces, checks the first kCheckApartFrom bytes itself and hands the
  // check of the rest to the check thread: output that small never starts
  // it. The thread reads what `out` holds and item.check until Wait(): it is
  // done before this returns or throws.
  const bool large =
      item.own_check && out.room() >= threaded_internal::kCheckApartFrom;
  size_t decoded = 0;  // in this call
  struct Idle {
    CheckThread* t = nullptr;
    ~Idle() {
      if (t != nullptr) t->Wait();
    }
  } idle;
  CheckThread*& apart = idle.t;
  for (;;) {
    if (large && apart == nullptr &&
        decoded >= threaded_internal::kCheckApartFrom &&
        (apart = AskCheckThread()) != nullptr && !item.checked_apart) {
      item.checked_apart = true;
      ++stats.blocks_checked_apart;
    }
    std::span<uint8_t> space = out.Space();
    if (large) {
      space =
          space.first(std::min(space.size(), threaded_internal::kCheckPiece));
    }
    const BlockResult r = item.decoder->Code({at(), avail()}, space);
    decoded += static_cast<size_t>(r.produced);
    Consume(r.consumed);
    out.Commit(static_cast<size_t>(r.produced));
    total_in = offset;
    if (item.own_check) {
      if (apart != nullptr) {
        apart->Add(&item.check, space.data(), static_cast<size_t>(r.produced));
      } else {
        item.check.Update(space.data(), static_cast<size_t>(r.produced));
      }
    }
    if (r.ret == LZMA_STREAM_END) {
      if (apart != nullptr) apart->Wait();
      // Where liblzma's decoder would have failed: after the Check field.
      if (!item.check.Matches(item.head.block.raw_check)) {
        throw BlockError(LZMA_DATA_ERROR, item.head, offset, kOp);
      }
      const lzma_ret ret = parser->BlockEnded(item.head.block);
      if (ret != LZMA_OK) throw LzmaError(ret, kOp, offset);
      items.pop_front();
      parse = Parse::kParsing;
      return true;
    }
    if (r.ret != LZMA_OK) throw BlockError(r.ret, item.head, offset, kOp);
    if (r.consumed == 0 && r.produced == 0) {
      inline_wants_input = out.room() > 0;
      return false;
    }
  }
}

size_t ThreadedDecompressor::State::DecodeXz(bool may_wait, bool wait_all,
                                             Out& out) {
  // Whether the loop below waits for a front Block that is not done.
  auto waits = [&] {
    return wait_all || (may_wait && out.size == 0 && out.room() > 0);
  };
  RunParser(waits());
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
      if (window) {
        stats.blocks_on_workers += window->on_workers();
        stats.blocks_on_caller += window->on_caller();
        window.reset();
      }
      break;
    }
    if (front.kind == Item::kInline) {
      if (!StepInline(front, out)) break;
      RunParser(waits());
      continue;
    }
    BlockJob& job = front.slot->job;
    if (!Window::Done(*front.slot)) {
      if (!waits() && !front.owner_runs) break;
      window->WaitFront();
    }
    // A bad Block's bytes before its error come out first, as from the
    // sequential decoder.
    const size_t n = std::min(out.room(), job.out.size() - job.returned);
    out.Append(reinterpret_cast<const char*>(job.out.data()) + job.returned, n);
    job.returned += n;
    if (job.returned < job.out.size()) break;  // output full
    // Named as every decoder names a Block (Python's binding raises
    // liblzma's text alone, as the standard module does).
    if (job.ret != LZMA_STREAM_END)
      throw BlockError(job.ret, job.head, job.end_offset, kOp);
    total_in = job.end_offset;
    --jobs;
    job_memory -= job.memory;
    window->PopFront();  // the slot and its output buffer serve a later Block
    items.pop_front();
    RunParser(waits());
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
    if (out.chunks != nullptr) {
      n = core->decompress_to(data, max_length, *out.chunks);
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
  ChunkedOutput out;
  decompress_to(data, max_length, out);
  return out.ToString();
}

size_t ThreadedDecompressor::decompress_to(std::string_view data,
                                           int64_t max_length,
                                           ChunkedOutput& out) {
  Out o;
  o.chunks = &out;
  o.limit = max_length < 0 ? SIZE_MAX : static_cast<size_t>(max_length);
  return state_->Decode(data, max_length, o);
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
    s.blocks_on_workers += state_->window->on_workers();
    s.blocks_on_caller += state_->window->on_caller();
  }
  if (state_->planned) {
    s.block_limit = state_->max_jobs;
    s.memory_limit = state_->limits.soft;
  }
  if (state_->mode == State::Mode::kCore) s.sequential = true;
  return s;
}

}  // namespace parxz
