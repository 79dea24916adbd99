#include "parallel/compress/block_batch_encoder.h"

#include <utility>

namespace parxz {

BlockBatchEncoder::BlockBatchEncoder(ResolvedCompression resolved,
                                     BlockHook hook)
    : r_(std::move(resolved)),
      hook_(std::move(hook)),
      encoders_(r_.filters.get(), r_.check, r_.options.block_size),
      window_(r_.options.threads, r_.options.max_blocks_in_flight,
              [this](Job& job) { Run(job); }) {}

BlockBatchEncoder::~BlockBatchEncoder() = default;

void BlockBatchEncoder::Run(Job& job) {
  if (hook_) hook_(job.number);
  encoders_.With([&](BlockEncoder& encoder) {
    MemoryBlockInput in(job.input);
    job.record =
        encoder.Encode(in, *job.output, window_.cancel_flag(), r_.options.live);
  });
}

void BlockBatchEncoder::Encode(std::span<const std::span<const uint8_t>> blocks,
                               uint64_t first, const TakeBlock& take) {
  if (error_) std::rethrow_exception(error_);
  try {
    size_t next = 0;  // the next Block to submit
    while (next < blocks.size() || !window_.empty()) {
      if (next < blocks.size()) {
        if (InOrderWindow<Job>::Slot* slot = window_.TryAcquire()) {
          Job& job = slot->job;
          if (!job.output) {
            job.output = std::make_unique<ByteBuffer>(
                BlockEncoder::OutputCapacity(r_.options.block_size));
          }
          job.input = blocks[next];
          job.number = first + next;
          window_.Submit(slot);
          ++next;
          continue;
        }
      }
      // The window is full, or everything is submitted: the oldest next.
      InOrderWindow<Job>::Slot& front = *window_.front();
      if (!InOrderWindow<Job>::Done(front)) window_.WaitFront();
      if (front.error) std::rethrow_exception(front.error);
      take({front.job.output->data(), front.job.output->size()},
           front.job.record);
      window_.PopFront();
    }
  } catch (...) {
    error_ = std::current_exception();
    window_.Cancel();
    throw;
  }
}

}  // namespace parxz
