#include "parallel/decode/block_pipeline.h"

#include <oneapi/tbb/parallel_pipeline.h>

#include <atomic>
#include <optional>
#include <utility>

#include "core/error.h"
#include "parallel/common/threads.h"

namespace parxz {

BlockItem& BlockPipeline::first() {
  EnsureItems(1);
  return *items_[0];
}

void BlockPipeline::EnsureItems(size_t n) {
  while (items_.size() < n) items_.push_back(std::make_unique<BlockItem>());
}

void BlockPipeline::Write(BlockItem& item, Host& host,
                          std::optional<End>& writer_end, bool& cancelled) {
  const BlockResult& r = item.result;
  if (r.cancelled) {  // the caller's cancel (halt never reaches here)
    cancelled = true;
    return;
  }
  if (item.speculative && r.ret != LZMA_STREAM_END) {
    // Not where the Index said (BlockVerdict): decode it again in order.
    writer_end = End::kRedo;
    redo_offset_ = item.head.offset;
    redo_number_ = item.head.number - 1;
    return;
  }
  if (r.produced > 0)
    sink_.Write(sink_.keeps_output() ? item.out.get() : nullptr, r.produced);
  const uint64_t end =
      item.head.offset + item.head.block.header_size + r.consumed;
  if (r.ret == LZMA_STREAM_END) {
    host.BlockDone(item.head, end);
    return;
  }
  if (r.ret == LZMA_OK) {  // the input ended inside this Block
    writer_end = End::kInputEnd;
    return;
  }
  throw BlockError(r.ret, item.head, end);
}

BlockPipeline::End BlockPipeline::Run(const RunPlan& plan, Host& host) {
  EnsureItems(plan.tokens);
  // Idle decoders beyond this run's threads would hold memory the plan
  // does not count.
  decoders_.Trim(plan.threads);
  pending_error_ = nullptr;
  const bool keep = sink_.keeps_output();

  // Reader stage only.
  uint64_t next = 0;
  End reader_end = End::kIndex;
  size_t pending_slot = 0;
  bool reader_cancelled = false;
  // Writer stage only.
  std::optional<End> writer_end;
  bool writer_cancelled = false;
  // Set by the writer to stop the run: the reader stops, the decoders and
  // the writer skip what is still in flight.
  std::atomic<bool> halt{false};

  auto read = [&](tbb::flow_control& fc) -> BlockItem* {
    if (halt.load(std::memory_order_relaxed)) {
      fc.stop();
      return nullptr;
    }
    if (cancel_ != nullptr && cancel_->load(std::memory_order_relaxed)) {
      halt.store(true, std::memory_order_relaxed);
      reader_cancelled = true;
      fc.stop();
      return nullptr;
    }
    // Item `next` reuses the slot of Item next - tokens, which has left
    // the pipeline: at most `tokens` Items are in flight, and they leave
    // in order through the serial writer.
    BlockItem& item = *items_[next % plan.tokens];
    if (next > 0) {
      Host::Next n;
      try {
        n = host.ReadNext(item, plan);
      } catch (...) {
        // Reported only if every Block before it decodes fine.
        pending_error_ = std::current_exception();
        reader_end = End::kError;
        fc.stop();
        return nullptr;
      }
      if (n != Host::Next::kBlock) {
        reader_end = n == Host::Next::kIndex      ? End::kIndex
                     : n == Host::Next::kInputEnd ? End::kInputEnd
                                                  : End::kOutgrown;
        if (n == Host::Next::kOutgrown) pending_slot = next % plan.tokens;
        fc.stop();
        return nullptr;
      }
    }
    ++next;
    host.TakeInput(item);
    if (keep && item.out_capacity < item.expect.out) {
      item.out.reset();  // free the old one first
      item.out = AllocateFilledBytes(item.expect.out);
      item.out_capacity = item.expect.out;
    }
    return &item;
  };

  auto decode = [&](BlockItem* item) -> BlockItem* {
    if (halt.load(std::memory_order_relaxed)) return item;
    std::unique_ptr<BlockDecoder> decoder = decoders_.Acquire();
    item->result = decoder->Decode(
        &item->head, {.in = item->in,
                      .promise = {item->expect.in, item->expect.out},
                      .out = keep ? BlockOutput::Into(
                                        {item->out.get(),
                                         static_cast<size_t>(item->expect.out)})
                                  : BlockOutput::Discard(),
                      .cancel = cancel_,
                      .halt = &halt,
                      .live = live_});
    decoders_.Release(std::move(decoder));
    return item;
  };

  auto write = [&](BlockItem* item) {
    if (halt.load(std::memory_order_relaxed)) return;
    try {
      Write(*item, host, writer_end, writer_cancelled);
    } catch (...) {
      // Blocks still decoding stop within a piece instead of running to
      // their end for nothing.
      halt.store(true, std::memory_order_relaxed);
      throw;
    }
    if (writer_end || writer_cancelled)
      halt.store(true, std::memory_order_relaxed);
  };

  ThreadArena arena(plan.threads);
  arena.execute([&] {
    tbb::parallel_pipeline(plan.tokens,
                           tbb::make_filter<void, BlockItem*>(
                               tbb::filter_mode::serial_in_order, read) &
                               tbb::make_filter<BlockItem*, BlockItem*>(
                                   tbb::filter_mode::parallel, decode) &
                               tbb::make_filter<BlockItem*, void>(
                                   tbb::filter_mode::serial_in_order, write));
  });

  if (reader_cancelled || writer_cancelled) {
    throw Error(ErrorCode::kCancelled, "decompress", "Cancelled by the caller");
  }
  if (writer_end) return *writer_end;
  if (reader_end == End::kOutgrown) std::swap(items_[0], items_[pending_slot]);
  return reader_end;
}

}  // namespace parxz
