// Private to parallel/decode: the Driver behind ParallelDecompress,
// ParallelTest and DecompressFd (parallel_decompressor.h). It decodes one
// input: the streams in it as core's StreamRules say, .xz Streams with runs
// of Blocks on a BlockPipeline, everything else in stream order on the
// calling thread. Its members are defined in two files:
//   parallel_decompressor.cc    the stream loop, .xz Streams and their Block
//                               runs, the Index of seekable inputs;
//   decode_driver_sequential.cc the sequential paths: .lzma, .lz and
//                               Python-mode streams on liblzma's decoders;
//   decode_driver_stream.cc     Blocks decoded one at a time, streamed in
//                               bounded pieces (with 2+ threads the check
//                               and the writes on a StreamWriter's thread).
//
//   const Resolved opt = Resolve(options);
//   Driver driver(in, sink, opt, &progress);
//   const DecompressStats stats = driver.Run();

#ifndef PARXZ_PARALLEL_DECODE_DECODE_DRIVER_H_
#define PARXZ_PARALLEL_DECODE_DECODE_DRIVER_H_

#include <lzma.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

#include "core/options.h"
#include "core/stream_rules.h"
#include "parallel/access/file_index.h"
#include "parallel/common/live_progress.h"
#include "parallel/decode/block_decoder.h"
#include "parallel/decode/block_pipeline.h"
#include "parallel/decode/decode_input.h"
#include "parallel/decode/decode_sink.h"
#include "parallel/decode/parallel_decompressor.h"
#include "parallel/decode/run_planner.h"
#include "parallel/decode/stream_writer.h"
#include "parallel/decode/xz_parser.h"

namespace parxz {
namespace decode_internal {

inline constexpr char kOp[] = "decompress";
// Input and output pieces of the sequential paths.
inline constexpr size_t kChunk = BlockDecoder::kScratchSize;
// The most of a Stream's first Block that is read ahead, without an Index,
// to learn whether it is the Stream's only Block. A one-Block Stream from a
// pipe then holds at most this much more than the same file (whose decode
// peaks ~7.5 MiB above `xz -d`'s); a bigger first Block is decoded alone as
// it arrives (the check and writes on another thread), and the Blocks after
// it in parallel runs. 8 MiB takes in the first Block of `xz -T -6` for data
// that compresses to a third; a pipe of two big Blocks loses their overlap.
inline constexpr uint64_t kFirstBlockReadAhead = uint64_t{8} << 20;

// ParallelDecodeOptions checked, with the threads and limits resolved.
struct Resolved {
  unsigned threads;
  MemoryLimits limits;
  Format format;
  DecodeMode mode;
  bool use_index;
  bool ignore_check;
  LiveProgress* live;
  const std::atomic<bool>* cancel;
};

// Throws kBadOptions for an invalid format or mode.
Resolved Resolve(const ParallelDecodeOptions& o);

// Decodes one input: the streams in it as core's StreamRules say, .xz
// Streams with runs of Blocks on a BlockPipeline, everything else in stream
// order on the calling thread.
class Driver : private BlockPipeline::Host {
 public:
  Driver(DecodeInput& in, Sink& sink, const Resolved& opt,
         const ProgressFn* progress)
      : in_(in),
        sink_(sink),
        opt_(opt),
        progress_(progress),
        rules_(opt.mode),
        pipeline_(sink, decoders_, opt.live, opt.cancel) {}

  DecompressStats Run();

 private:
  // ----- streams (parallel_decompressor.cc) ---------------------------------

  // One stream after another while the rules say so. kPython: once a stream
  // decoded, a later one that fails ends the output quietly before it.
  void RunStreams();
  // Asks the rules what follows the stream that ended; true when another
  // stream starts at the input's position. Reads only when the rules ask
  // for more (--single-stream asks for nothing after its stream).
  bool AnotherStream();
  void Progress(uint64_t in_bytes);
  // Calls f(); then, and also when f throws, waits for the StreamWriter
  // (if any) to write and verify what it was given. The writer's error
  // comes first in stream order, so it wins over f's.
  template <typename F>
  auto Settled(F f) -> decltype(f());
  // ----- streamed output (decode_driver_stream.cc) --------------------------

  // The writer thread for streamed output with 2+ threads, else null (the
  // calling thread checks and writes). Between Streamed() and Settle() the
  // sink belongs to the writer's thread.
  StreamWriter* Streamed();
  // Waits until the writer wrote and verified everything; throws its error.
  void Settle();
  // Bytes written to the sink or handed to the writer so far.
  uint64_t OutBytes() const;
  // The input available to decode from: in_.Ensure(kChunk) when little is
  // left; 0 only at the end of the input.
  size_t InputPiece();
  // The output piece to decode into: the writer's, or scratch_.
  std::span<uint8_t> OutPiece(StreamWriter* w);
  // Hands `n` bytes of OutPiece(w) on to the writer or the sink.
  void Emit(StreamWriter* w, size_t n);
  // True when this Block is decoded alone, streaming, rather than in a
  // parallel run: a run starting at it would hold only it (it is the last
  // Block of its Stream by the Index of a seekable input or, without an
  // Index, by the byte after its data, read ahead: the Index Indicator), or
  // it is its Stream's first Block, without an Index, and too big to read
  // ahead (kFirstBlockReadAhead).
  bool DecodeAlone(const BlockHead& head);

  // ----- sequential paths (decode_driver_sequential.cc) ---------------------

  uint32_t IgnoreCheckFlag() const;
  // What Decompressor(format).decompress(rest) does with one stream.
  Container DecodePythonStream();
  // `xz -d`'s decoders for one stream of `container` (what DetectContainer
  // found in the first one; later ones are the same).
  Container DecodeXzRulesStream(Container container);
  [[noreturn]] void ThrowTruncated();
  // Runs an initialised liblzma decoder over the input from here; true at
  // LZMA_STREAM_END, false when the input ends first. `finish`: LZMA_FINISH
  // with the last input, as xz does.
  bool DecodeSequential(lzma_stream* s, bool finish);
  // Consumes and writes what a CodeSome() piece over `avail` bytes did; true
  // when it made no progress because the input ended. Throws "no progress"
  // (LZMA_BUF_ERROR, as lzma_code) when input was there.
  bool Emitted(StreamWriter* w, const BlockResult& r, size_t avail);

  // ----- .xz (parallel_decompressor.cc) -------------------------------------

  // One .xz Stream as lzma_stream_decoder's state machine (stream_decoder.c)
  // takes it (the parser, xz_parser.h), with runs of Blocks decoded in
  // parallel. False when the input ends first.
  bool DecodeXzStream();
  // The parser on the input, pulling more as it asks: the first event that
  // is not kMore, or kMore when the input ended (its rest consumed).
  XzStreamParser::Step Parse(BlockHead* head);
  [[noreturn]] void ThrowParseError(const XzStreamParser::Step& s,
                                    const BlockHead* head);
  std::string StreamName() const;
  // SEQ_BLOCK_HEADER and the header part of SEQ_BLOCK_INIT (the Stream
  // Header first, at a Stream's start): reads the next Block Header into
  // `head`, consuming it: kBlock, or kIndex / kInputEnd when the Index or
  // the end of the input comes instead. Throws the header's error.
  Next ReadBlockHeader(BlockHead* head);
  // The Blocks of the current Stream up to its Index; false when the input
  // ends first.
  bool DecodeBlocks();
  // SEQ_BLOCK_INIT's decoder start and SEQ_BLOCK_RUN, in stream order with
  // the Block's input read and its output streamed in bounded pieces (with
  // 2+ threads, CRC32/CRC64 verified and written on the writer's thread).
  // False when the input ends first. (decode_driver_stream.cc)
  bool DecodeBlockSequentially(BlockHead& head);

  // ----- the pipeline's serial ends (BlockPipeline::Host) -------------------

  Next ReadNext(BlockItem& item, const RunPlan& plan) override;
  void TakeInput(BlockItem& item) override;
  void BlockDone(const BlockHead& head, uint64_t end) override;
  // A Block ended at `end`: the Index hash, the count, progress.
  void CountBlock(const BlockHead& head, uint64_t end);

  // ----- sizes, the Index of seekable inputs --------------------------------

  BufferUse Use() const { return {sink_.keeps_output(), in_.in_memory()}; }
  // Fills item.expect from the Block Header or, for seekable inputs, the
  // Index; false when neither knows both sizes.
  bool SetExpectedSizes(BlockItem& item) const;
  void LoadIndex();

  // Outside a parallel run only the calling thread touches the fields
  // below. During a run (BlockPipeline::Run) the reader stage and the writer
  // stage may run at the same time, on any threads, each touching its own:
  //   reader (ReadNext, TakeInput): in_, and the parser's Next() (its
  //     Block count and state; the Stream's check);
  //   writer (BlockDone): sink_ (through the pipeline), stats_, progress_,
  //     and the parser's BlockEnded() (the Index hash);
  //   both read opt_, indexed_ (set before the first run).
  DecodeInput& in_;
  Sink& sink_;
  const Resolved& opt_;
  const ProgressFn* progress_;
  StreamRules rules_;  // the calling thread only
  DecompressStats stats_;
  uint64_t start_offset_ = 0;
  // kPython: where the last good stream ended, when what follows was dropped.
  std::optional<uint64_t> consumed_end_;

  // The Stream being decoded (null between Streams): its header flags and
  // Index hash.
  XzStreamParser* parser_ = nullptr;
  uint64_t stream_no_ = 0;

  BlockDecoderPool decoders_;  // any thread
  BlockPipeline pipeline_;
  std::unique_ptr<uint8_t[]> scratch_;  // the sequential decoders' output
  // Streamed output with 2+ threads (created on first use). While it holds
  // output (streaming_), OutBytes() counts from out_mark_ (the sink's count
  // when it started) plus what was committed since committed_mark_.
  std::unique_ptr<StreamWriter> writer_;
  bool streaming_ = false;
  uint64_t out_mark_ = 0;
  uint64_t committed_mark_ = 0;

  std::vector<IndexedBlock> indexed_;
  uint64_t indexed_output_size_ = 0;
};

template <typename F>
auto Driver::Settled(F f) -> decltype(f()) {
  try {
    if constexpr (std::is_void_v<decltype(f())>) {
      f();
      Settle();
    } else {
      auto result = f();
      Settle();
      return result;
    }
  } catch (...) {
    Settle();  // throws the writer's error instead, if it had one
    throw;
  }
}

}  // namespace decode_internal
}  // namespace parxz

#endif  // PARXZ_PARALLEL_DECODE_DECODE_DRIVER_H_
