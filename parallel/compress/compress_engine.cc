#include "parallel/compress/compress_engine.h"


#include "parallel/common/fd_io.h"

namespace parxz {

std::span<const uint8_t> CompressEngine::Next(bool wait) {
  ThrowIfFailed();
  try {
    return NextImpl(wait);
  } catch (...) {
    error_ = std::current_exception();
    window_.Cancel();
    throw;
  }
}

bool CompressEngine::Consume(size_t n) {
  if (extra_pos_ < extra_.size()) {
    extra_pos_ += n;
    return false;
  }
  BlockJob& job = window_.front()->job;
  job.handed_out += n;
  if (job.handed_out < job.output->size()) return false;
  job.handed_out = 0;
  job.recorded = false;
  window_.PopFront();
  return true;
}

std::span<const uint8_t> CompressEngine::NextImpl(bool wait) {
  if (extra_pos_ < extra_.size()) {
    return {reinterpret_cast<const uint8_t*>(extra_.data()) + extra_pos_,
            extra_.size() - extra_pos_};
  }
  if (!window_.empty()) {
    BlockSlot& slot = *window_.front();
    if (!BlockWindow::Done(slot)) {
      if (!wait) return {};
      window_.WaitFront();  // encoding the oldest Blocks meanwhile
    }
    if (slot.error) std::rethrow_exception(slot.error);
    BlockJob& job = slot.job;
    if (!job.recorded) {
      assembler_.AddBlock(job.record);
      job.recorded = true;
    }
    return {job.output->data() + job.handed_out,
            job.output->size() - job.handed_out};
  }
  if (finishing_ && !trailer_made_) {
    extra_ = assembler_.Trailer();
    extra_pos_ = 0;
    trailer_made_ = true;
    return {reinterpret_cast<const uint8_t*>(extra_.data()), extra_.size()};
  }
  return {};
}

void CompressEngine::Encode(BlockJob& job) {
  encoders_.With([&](BlockEncoder& encoder) {
    if (job.from_file) {
      FileBlockInput in(file_fd_, job.file_offset, job.file_size,
                        encoder.chunk_buffer());
      job.record = encoder.Encode(in, *job.output, window_.cancel_flag(),
                                  r_.options.live);
    } else {
      MemoryBlockInput in(
          std::span<const uint8_t>(job.input->data(), job.input->size()));
      job.record = encoder.Encode(in, *job.output, window_.cancel_flag(),
                                  r_.options.live);
    }
  });
}

}  // namespace parxz
