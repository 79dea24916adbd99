#include "parallel/decode/parallel_decompressor.h"

#include <lzma.h>
#include <unistd.h>

#include <algorithm>
#include <exception>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "parallel/access/file_index.h"
#include "parallel/common/threads.h"
#include "parallel/decode/block_decoder.h"
#include "parallel/decode/block_pipeline.h"
#include "parallel/decode/decode_driver.h"
#include "parallel/decode/decode_input.h"
#include "parallel/decode/decode_sink.h"
#include "parallel/decode/run_planner.h"
#include "parallel/decode/xz_parser.h"

namespace parxz {
namespace decode_internal {

Resolved Resolve(const ParallelDecodeOptions& o) {
  if (o.format == Format::kRaw) {
    throw Error(ErrorCode::kBadOptions, "decompressor init",
                "FORMAT_RAW is not supported by the parallel decoder");
  }
  const int format = static_cast<int>(o.format);
  if (format < 0 || format > 3) {
    throw Error(ErrorCode::kBadOptions, "decompressor init",
                "Invalid container format");
  }
  if (o.mode != DecodeMode::kPython && o.mode != DecodeMode::kXz &&
      o.mode != DecodeMode::kSingleStream) {
    throw Error(ErrorCode::kBadOptions, "decompressor init",
                "Invalid decode mode");
  }
  return {PlanThreads(o.threads).threads,
          ResolveMemoryLimits(o.memlimit_soft, o.memlimit_hard),
          o.format,
          o.mode,
          o.use_index,
          o.ignore_check,
          o.live,
          o.cancel};
}

DecompressStats Driver::Run() {
  LoadIndex();
  if (indexed_output_size_ > 0) sink_.Reserve(indexed_output_size_);
  RunStreams();
  stats_.in_bytes =
      (consumed_end_ ? *consumed_end_ : in_.offset()) - start_offset_;
  stats_.out_bytes = sink_.written();
  return stats_;
}

// ----- streams --------------------------------------------------------------

void Driver::RunStreams() {
  std::optional<Container> container;  // of the first stream (xz rules)
  if (opt_.mode != DecodeMode::kPython) {
    const size_t avail = in_.Ensure(kDetectBytes);
    container = DetectContainer(opt_.format, {in_.data(), avail});
    if (!container) throw LzmaError(LZMA_FORMAT_ERROR, kOp, in_.offset());
  }
  for (;;) {
    const uint64_t mark = sink_.written();
    const uint64_t stream_start = in_.offset();
    try {
      // Settled: the Stream ended only once its streamed output is
      // written and verified.
      const Container decoded = Settled([&] {
        return container ? DecodeXzRulesStream(*container)
                         : DecodePythonStream();
      });
      rules_.stream_ended(decoded);
      ++stats_.streams;
      Progress(in_.offset());
    } catch (const Error& e) {
      if (!rules_.ends_quietly(e)) throw;
      sink_.Rollback(mark);
      consumed_end_ = stream_start;
      return;
    }
    if (!AnotherStream()) return;
  }
}

bool Driver::AnotherStream() {
  size_t avail = in_.available();
  for (;;) {
    const StreamRules::Next next =
        rules_.after_stream({in_.data(), avail}, in_.exhausted(), in_.offset());
    in_.Consume(next.skip);
    if (next.action != StreamRules::kNeedInput) {
      return next.action == StreamRules::kNextStream;
    }
    avail = in_.Ensure(in_.available() + 1);  // at least one byte more
  }
}

void Driver::Progress(uint64_t in_bytes) {
  if ((opt_.cancel != nullptr &&
       opt_.cancel->load(std::memory_order_relaxed)) ||
      (*progress_ && !(*progress_)(in_bytes - start_offset_, OutBytes()))) {
    throw Error(ErrorCode::kCancelled, kOp, "Cancelled by the caller");
  }
}

// ----- .xz -----------------------------------------------------------------

bool Driver::DecodeXzStream() {
  XzStreamParser parser(opt_.limits.hard, ++stream_no_);
  parser_ = &parser;
  struct Reset {
    XzStreamParser*& p;
    ~Reset() { p = nullptr; }
  } reset{parser_};
  if (!DecodeBlocks()) return false;
  // The Index against the Blocks seen, then the Stream Footer.
  const XzStreamParser::Step s = Parse(nullptr);
  if (s.event == XzStreamParser::Event::kMore) return false;
  if (s.event == XzStreamParser::Event::kError) ThrowParseError(s, nullptr);
  return true;
}

XzStreamParser::Step Driver::Parse(BlockHead* head) {
  size_t want = 0;
  for (;;) {
    size_t avail = in_.available();
    if (want > avail) {
      avail = in_.Ensure(want);
      if (avail < want) {
        in_.Consume(avail);
        return {.event = XzStreamParser::Event::kMore, .need = want};
      }
    }
    const XzStreamParser::Step s =
        parser_->Next({in_.data(), avail}, in_.offset(), head);
    in_.Consume(s.consumed);
    if (s.event != XzStreamParser::Event::kMore) return s;
    want = s.need;
  }
}

void Driver::ThrowParseError(const XzStreamParser::Step& s,
                             const BlockHead* head) {
  lzma_ret ret = s.error;
  switch (s.part) {
    case XzStreamParser::Part::kStreamHeader:
      if (ret == LZMA_FORMAT_ERROR && rules_.later_header_is_corrupt()) {
        ret = LZMA_DATA_ERROR;
      }
      throw DecodeError(ret, "the Stream Header of " + StreamName(),
                        in_.offset());
    case XzStreamParser::Part::kBlockHeader:
      throw BlockError(ret, *head, in_.offset());
    case XzStreamParser::Part::kIndex:
      throw DecodeError(ret, "the Index of " + StreamName(), in_.offset());
    case XzStreamParser::Part::kStreamFooter:
      throw DecodeError(ret, "the Stream Footer of " + StreamName(),
                        in_.offset());
  }
  throw Error(ErrorCode::kInternal, kOp, "unknown parser part");
}

std::string Driver::StreamName() const {
  return "Stream " + std::to_string(stream_no_);
}

Driver::Next Driver::ReadBlockHeader(BlockHead* head) {
  const XzStreamParser::Step s = Parse(head);
  if (s.event == XzStreamParser::Event::kBlock ||
      s.event == XzStreamParser::Event::kIndex) {
    // xz's warning for a check it cannot verify (kXz rules only).
    if (opt_.mode != DecodeMode::kPython &&
        !lzma_check_is_supported(parser_->check())) {
      stats_.unsupported_check = true;
    }
  }
  switch (s.event) {
    case XzStreamParser::Event::kBlock:
      head->block.ignore_check = opt_.ignore_check;
      return Next::kBlock;
    case XzStreamParser::Event::kIndex:
      return Next::kIndex;
    case XzStreamParser::Event::kMore:
      return Next::kInputEnd;
    case XzStreamParser::Event::kEnd:  // not before the Index
    case XzStreamParser::Event::kError:
      break;
  }
  ThrowParseError(s, head);
}

bool Driver::DecodeBlocks() {
  for (;;) {
    const Next header = ReadBlockHeader(&pipeline_.first().head);
    if (header != Next::kBlock) return header == Next::kIndex;
    // first() holds a parsed header: decode it, in a parallel run with
    // the Blocks that follow it when the plan allows.
    for (;;) {
      BlockItem& first = pipeline_.first();
      std::optional<RunPlan> plan;
      // A Block that DecodeAlone() picks (a run would hold only it, or a
      // pipe's first Block too big to read ahead) is decoded streaming, in
      // bounded pieces, rather than whole into one buffer.
      if (SetExpectedSizes(first) &&
          !(opt_.threads >= 2 && DecodeAlone(first.head))) {
        plan = PlanRun(opt_.threads, opt_.limits.soft, first.head.memusage,
                       PlannedBlockMemory(first.expect, Use()));
      }
      if (!plan) {
        if (!DecodeBlockSequentially(first.head)) return false;
        break;
      }
      stats_.threads = std::max(stats_.threads, plan->threads);
      stats_.memory_planned = std::max(stats_.memory_planned, plan->total());
      Settle();  // the pipeline writes to the sink itself
      switch (pipeline_.Run(*plan, *this)) {
        case BlockPipeline::End::kIndex:
          return true;
        case BlockPipeline::End::kInputEnd:
          return false;
        case BlockPipeline::End::kOutgrown:  // first() holds the next header
          continue;
        case BlockPipeline::End::kRedo: {
          // A Block decoded on the Index's word did not end where the
          // Index says: decode it again the sequential way from its start.
          in_.Seek(pipeline_.redo_offset());
          parser_->RestartAtBlock(pipeline_.redo_number() + 1);
          if (ReadBlockHeader(&first.head) != Next::kBlock) {
            throw Error(ErrorCode::kInternal, kOp, "Block Header vanished");
          }
          if (!DecodeBlockSequentially(first.head)) return false;
          break;
        }
        case BlockPipeline::End::kError:
          std::rethrow_exception(pipeline_.error());
      }
      break;
    }
  }
}

// ----- the pipeline's serial ends (BlockPipeline::Host)
// -----------------------

Driver::Next Driver::ReadNext(BlockItem& item, const RunPlan& plan) {
  const Next header = ReadBlockHeader(&item.head);
  if (header != Next::kBlock) return header;
  if (!SetExpectedSizes(item) ||
      !plan.Fits(BlockMemory(item.expect, Use()), item.head.memusage)) {
    return Next::kOutgrown;
  }
  return Next::kBlock;
}

void Driver::TakeInput(BlockItem& item) {
  item.in = in_.Take(item.expect.in, item.in_owned);
}

void Driver::BlockDone(const BlockHead& head, uint64_t end) {
  ++stats_.parallel_blocks;
  CountBlock(head, end);
}

void Driver::CountBlock(const BlockHead& head, uint64_t end) {
  const lzma_ret ret = parser_->BlockEnded(head.block);
  if (ret != LZMA_OK) throw BlockError(ret, head, end);
  ++stats_.blocks;
  Progress(end);
}

// ----- sizes, the Index of seekable inputs
// ------------------------------------

bool Driver::SetExpectedSizes(BlockItem& item) const {
  const lzma_block& b = item.head.block;
  const uint64_t header = b.header_size;
  item.speculative = false;
  if (b.compressed_size != LZMA_VLI_UNKNOWN &&
      b.uncompressed_size != LZMA_VLI_UNKNOWN) {
    item.expect = {lzma_block_total_size(&b) - header, b.uncompressed_size};
    return true;
  }
  const IndexedBlock* ib = FindIndexedBlock(indexed_, item.head.offset);
  if (ib == nullptr || ib->total_size <= header) return false;
  item.speculative = true;
  item.expect = {ib->total_size - header, ib->uncompressed_size};
  if (b.compressed_size != LZMA_VLI_UNKNOWN) {
    item.expect.in = lzma_block_total_size(&b) - header;
  }
  if (b.uncompressed_size != LZMA_VLI_UNKNOWN) {
    item.expect.out = b.uncompressed_size;
  }
  return true;
}

void Driver::LoadIndex() {
  start_offset_ = in_.offset();
  const ByteSource* file = in_.source();
  if (file == nullptr || !opt_.use_index || opt_.format == Format::kAlone) {
    return;
  }
  std::vector<uint8_t> buf;
  if (!HasXzMagic(file->Read(start_offset_, 6, buf))) return;
  LzmaIndexPtr index;
  try {
    index = DecodeFileIndex(*file, start_offset_, opt_.limits.hard);
  } catch (const Error&) {
    return;  // no plan: Blocks without sizes are decoded sequentially
  }
  indexed_output_size_ = lzma_index_uncompressed_size(index.get());
  indexed_ = IndexedBlocks(index.get(), start_offset_);
}

}  // namespace decode_internal

using decode_internal::Driver;
using decode_internal::Resolve;
using decode_internal::Resolved;

std::string ParallelDecompress(std::string_view xz,
                               const ParallelDecodeOptions& options) {
  const Resolved opt = Resolve(options);
  DecodeInput in(std::span<const uint8_t>(
      reinterpret_cast<const uint8_t*>(xz.data()), xz.size()));
  std::string out;
  StringSink sink(&out);
  const ProgressFn none;
  Driver driver(in, sink, opt, &none);
  driver.Run();
  return out;
}

DecompressStats ParallelTest(std::string_view xz,
                             const ParallelDecodeOptions& options) {
  const Resolved opt = Resolve(options);
  DecodeInput in(std::span<const uint8_t>(
      reinterpret_cast<const uint8_t*>(xz.data()), xz.size()));
  NullSink sink;
  const ProgressFn none;
  Driver driver(in, sink, opt, &none);
  return driver.Run();
}

namespace {

DecompressStats DecompressFdTo(int in_fd, Sink& sink,
                               const ParallelDecodeOptions& options,
                               const ProgressFn& progress) {
  const Resolved opt = Resolve(options);
  // Files are read with pread() from the current position on (so that the
  // Index can be used), other descriptors with read().
  const std::optional<ByteSource> file = ByteSource::ForFd(in_fd);
  std::optional<DecodeInput> in;
  off_t start = 0;
  if (file) {
    start = lseek(in_fd, 0, SEEK_CUR);
    if (start < 0) start = 0;
    in.emplace(*file, static_cast<uint64_t>(start));
  } else {
    in.emplace(in_fd);
  }
  Driver driver(*in, sink, opt, &progress);
  DecompressStats stats = driver.Run();
  if (file) lseek(in_fd, start + static_cast<off_t>(stats.in_bytes), SEEK_SET);
  return stats;
}

}  // namespace

DecompressStats DecompressFd(int in_fd, int out_fd,
                             const ParallelDecodeOptions& options,
                             const ProgressFn& progress) {
  if (out_fd < 0) {
    NullSink sink;
    return DecompressFdTo(in_fd, sink, options, progress);
  }
  FdSink sink(out_fd);
  return DecompressFdTo(in_fd, sink, options, progress);
}

DecompressStats DecompressFd(int in_fd, const OutputFn& write,
                             const ParallelDecodeOptions& options,
                             const ProgressFn& progress) {
  FunctionSink sink([&write](std::string_view b) {
    write(reinterpret_cast<const uint8_t*>(b.data()), b.size());
  });
  return DecompressFdTo(in_fd, sink, options, progress);
}

}  // namespace parxz
