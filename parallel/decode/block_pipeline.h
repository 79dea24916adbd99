// The parallel part of the decoder: runs of .xz Blocks decoded on worker
// threads and written in order, as a oneTBB pipeline
//
//   serial in-order reader -> parallel Block decoders -> serial in-order writer
//
// with at most RunPlan::tokens Blocks in flight (run_planner.h says what that
// costs). The reader and the bookkeeping after each Block are the driver's
// (a Host); the pipeline owns the Blocks in flight, their buffers, the
// decoding and the writing of output to the Sink.
//
//   BlockPipeline pipeline(sink, decoders);
//   ... parse the first Block Header into pipeline.first(), plan ...
//   switch (pipeline.Run(plan, host)) { ... }
//
// Why tbb::parallel_pipeline here and not the in-order window
// (parallel/common/in_order_window.h) that the push compressor and the
// threaded decoder share: the file decoder owns its whole input and output,
// so its reader stage (headers, input) and writer stage (output, the Index
// hash) can run at the same time on different threads with the tokens
// bounding memory, which the pipeline gives directly; on the window every
// read and write would wait for the one owner thread.
//
// Internal to parallel/. One Run() at a time per object.
#ifndef PARXZ_PARALLEL_DECODE_BLOCK_PIPELINE_H_
#define PARXZ_PARALLEL_DECODE_BLOCK_PIPELINE_H_

#include <atomic>
#include <cstdint>
#include <exception>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "core/large_pages.h"
#include "parallel/decode/block_decoder.h"
#include "parallel/decode/decode_sink.h"
#include "parallel/decode/run_planner.h"
#include "parallel/decode/xz_parser.h"

namespace parxz {

// One Block in flight. The reader stage fills head, in and the expected
// sizes; one worker sets result (and out's bytes); the writer stage reads
// them. The pipeline hands an Item from stage to stage, so no two stages
// touch it at once.
struct BlockItem {
  BlockHead head;
  // The Block after its header, to the end of its Check (shorter when the
  // input ends first); a view into memory inputs, else into in_owned.
  std::span<const uint8_t> in;
  std::vector<uint8_t> in_owned;
  LargeBytes out;
  uint64_t out_capacity = 0;
  BlockBuffers expect;       // complete Block: in.size() == expect.in
  bool speculative = false;  // sizes from the Index, not from the header
  BlockResult result;
};

class BlockPipeline {
 public:
  // Why a run stopped.
  enum class End {
    kIndex,     // the Stream's Index follows the last Block
    kInputEnd,  // the input ended inside a Block or its header
    kOutgrown,  // first() holds the next Block's header, which does not fit
    kRedo,      // a speculative Block did not end where the Index said:
                // decode it again from redo_offset()
    kError,     // the reader failed (error()), after every earlier Block
                // decoded fine
  };

  // The driver's side. ReadNext and TakeInput run on the reader stage,
  // BlockDone on the writer stage, possibly at the same time: they must
  // touch disjoint state.
  class Host {
   public:
    enum class Next { kBlock, kIndex, kInputEnd, kOutgrown };
    // Parses the next Block Header into item.head and sets item.expect and
    // item.speculative; kBlock only when the Block fits `plan`. Throws the
    // header's error.
    virtual Next ReadNext(BlockItem& item, const RunPlan& plan) = 0;
    // Takes the item.expect.in bytes after the header into item.in.
    virtual void TakeInput(BlockItem& item) = 0;
    // A Block ended, its output written; `end` is the input offset after
    // it. In Block order.
    virtual void BlockDone(const BlockHead& head, uint64_t end) = 0;

   protected:
    ~Host() = default;
  };

  // `sink` and `decoders` are not owned.
  // `live` (may be null): the decoders' live counters.
  // `cancel` (may be null): set from any thread, it stops the run within
  // one piece of input per Block in flight (block_decoder.h), and Run()
  // throws ErrorCode::kCancelled.
  BlockPipeline(Sink& sink, BlockDecoderPool& decoders,
                LiveProgress* live = nullptr,
                const std::atomic<bool>* cancel = nullptr)
      : sink_(sink), decoders_(decoders), live_(live), cancel_(cancel) {}

  // The Block a run starts with: the driver parses its header and sets its
  // sizes before Run().
  BlockItem& first();

  // Decodes first() and the Blocks after it that fit `plan`. Throws the
  // first failing Block's error (after writing the output before it), or
  // kCancelled. Any exception stops the Blocks still decoding part-way.
  End Run(const RunPlan& plan, Host& host);

  // After End::kError: the reader's exception.
  std::exception_ptr error() const { return pending_error_; }
  // After End::kRedo: the speculative Block's header offset and its number
  // in the Stream.
  uint64_t redo_offset() const { return redo_offset_; }
  uint64_t redo_number() const { return redo_number_; }

 private:
  void EnsureItems(size_t n);
  // The writer stage's work on one decoded Block: its output to the sink,
  // host.BlockDone(), or why the run ends (into `writer_end`, or
  // `cancelled`); throws the Block's error.
  void Write(BlockItem& item, Host& host, std::optional<End>& writer_end,
             bool& cancelled);

  Sink& sink_;
  BlockDecoderPool& decoders_;
  LiveProgress* const live_;               // not owned; may be null
  const std::atomic<bool>* const cancel_;  // not owned; may be null
  // The slots of the Blocks in flight: item k of a run uses slot k % tokens.
  // The reader stage fills a slot, one worker decodes it, the writer stage
  // empties it; between runs only the driver thread touches them.
  std::vector<std::unique_ptr<BlockItem>> items_;
  // Written by the reader stage when a header fails, read by the driver
  // after Run() returned kError.
  std::exception_ptr pending_error_;
  // Written by the writer stage when it stops a run for a redo, read by the
  // driver after Run() returned kRedo.
  uint64_t redo_offset_ = 0;
  uint64_t redo_number_ = 0;
};

}  // namespace parxz

#endif  // PARXZ_PARALLEL_DECODE_BLOCK_PIPELINE_H_
