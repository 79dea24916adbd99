#include "parallel/parallel_decompressor.h"

#include <lzma.h>
#include <oneapi/tbb/concurrent_queue.h>
#include <oneapi/tbb/global_control.h>
#include <oneapi/tbb/info.h>
#include <oneapi/tbb/parallel_pipeline.h>
#include <oneapi/tbb/task_arena.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <exception>
#include <memory>
#include <new>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/lzma_stream.h"
#include "parallel/decode_input.h"
#include "parallel/xz_decode_util.h"

namespace parxz {

namespace {

constexpr char kOp[] = "decompress";
// Input and output pieces of the sequential paths.
constexpr size_t kChunk = BlockDecoder::kScratchSize;
constexpr uint8_t kXzMagic[6] = {0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00};

// ---------------------------------------------------------------------------
// Where decoded bytes go. Written by one thread at a time (the pipeline's
// serial writer or the driver).
class Sink {
 public:
  virtual ~Sink() = default;
  virtual void Write(const uint8_t* p, size_t n) = 0;
  // False when nothing is kept (verification only): workers then decode into
  // scratch memory instead of per-Block buffers.
  virtual bool keeps_output() const { return true; }
  // A hint: about `n` bytes will be written.
  virtual void Reserve(uint64_t) {}
  // Drops what was written after `mark` where possible (kPython mode).
  virtual void Rollback(uint64_t mark) { written_ = std::min(written_, mark); }
  uint64_t written() const { return written_; }

 protected:
  uint64_t written_ = 0;
};

class StringSink : public Sink {
 public:
  explicit StringSink(std::string* out) : out_(out) {}
  void Write(const uint8_t* p, size_t n) override {
    out_->append(reinterpret_cast<const char*>(p), n);
    written_ += n;
  }
  void Reserve(uint64_t n) override {
    // The Index may lie: only a plausible size, and no failure if it is not.
    if (n > (uint64_t{1} << 40) || n > out_->max_size()) return;
    try {
      out_->reserve(static_cast<size_t>(n));
    } catch (const std::bad_alloc&) {
    }
  }
  void Rollback(uint64_t mark) override {
    if (mark < out_->size()) out_->resize(mark);
    Sink::Rollback(mark);
  }

 private:
  std::string* out_;
};

class FdSink : public Sink {
 public:
  explicit FdSink(int fd) : fd_(fd) {}
  void Write(const uint8_t* p, size_t n) override {
    WriteFully(fd_, p, n, written_);
    written_ += n;
  }

 private:
  int fd_;
};

class NullSink : public Sink {
 public:
  void Write(const uint8_t*, size_t n) override { written_ += n; }
  bool keeps_output() const override { return false; }
};

// ---------------------------------------------------------------------------
struct Resolved {
  unsigned threads;
  uint64_t soft;
  uint64_t hard;
  Format format;
  DecodeMode mode;
  bool use_index;
};

uint64_t PhysicalMemory() {
  const long pages = sysconf(_SC_PHYS_PAGES);
  const long page = sysconf(_SC_PAGESIZE);
  if (pages <= 0 || page <= 0) return uint64_t{1} << 30;
  return static_cast<uint64_t>(pages) * static_cast<uint64_t>(page);
}

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
  if (o.mode != DecodeMode::kPython && o.mode != DecodeMode::kXz) {
    throw Error(ErrorCode::kBadOptions, "decompressor init",
                "Invalid decode mode");
  }
  Resolved r;
  r.threads = o.threads != 0 ? o.threads
                             : static_cast<unsigned>(std::max(
                                   1, tbb::info::default_concurrency()));
  r.hard = o.memlimit_hard == 0 ? 1 : o.memlimit_hard;  // liblzma treats 0 as 1
  r.soft = o.memlimit_soft != 0 ? o.memlimit_soft : PhysicalMemory() / 4;
  r.soft = std::min(r.soft, r.hard);
  r.format = o.format;
  r.mode = o.mode;
  r.use_index = o.use_index;
  return r;
}

// Sizes of a Block that the Index of a memory input records.
struct IndexedBlock {
  uint64_t offset;      // of the Block Header in the input
  uint64_t total_size;  // header .. end of the Check
  uint64_t uncompressed_size;
};

// One Block on its way through the pipeline: the reader fills head, in and
// the expected sizes; one worker sets result (and out's bytes); the writer
// reads them. Stages touch an Item in turn, never at once.
struct Item {
  BlockHead head;
  // The Block after its header, to the end of its Check (shorter when the
  // input ends first); views in_owned for stream inputs.
  std::span<const uint8_t> in;
  std::vector<uint8_t> in_owned;
  std::unique_ptr<uint8_t[]> out;
  uint64_t out_capacity = 0;
  uint64_t expect_in = 0;    // in.size() for a complete Block
  uint64_t expect_out = 0;   // decompressed size
  bool speculative = false;  // sizes from the Index, not from the header
  BlockResult result;
};

// How many Blocks may be in flight and how many may decode at once.
struct RunPlan {
  unsigned threads = 0;
  unsigned tokens = 0;
  uint64_t item_memory = 0;     // per Block in flight
  uint64_t decoder_memory = 0;  // per decoding thread
  uint64_t total() const {
    return threads * decoder_memory + tokens * item_memory;
  }
};

class Driver {
 public:
  Driver(DecodeInput& in, Sink& sink, const Resolved& opt,
         const ProgressFn* progress)
      : in_(in), sink_(sink), opt_(opt), progress_(progress) {}

  DecompressStats Run() {
    LoadIndex();
    if (indexed_output_size_ > 0) sink_.Reserve(indexed_output_size_);
    if (opt_.mode == DecodeMode::kPython) {
      RunPython();
    } else {
      RunXz();
    }
    stats_.in_bytes =
        (consumed_end_ ? *consumed_end_ : in_.offset()) - start_offset_;
    stats_.out_bytes = sink_.written();
    return stats_;
  }

 private:
  enum class Header { kBlock, kIndex, kEnd };
  enum class RunEnd { kIndex, kInputEnd, kHeader, kRedo, kError };

  // ----- top level ---------------------------------------------------------

  // parxz::decompress(): one stream after another; errors after the first
  // stream end the output quietly.
  void RunPython() {
    bool decoded_one = false;
    for (;;) {
      const uint64_t mark = sink_.written();
      const uint64_t stream_start = in_.offset();
      bool ended = false;
      try {
        ended = DecodeOnePythonStream();
      } catch (const Error& e) {
        if (!decoded_one || e.code() == ErrorCode::kIo ||
            e.code() == ErrorCode::kCancelled) {
          throw;
        }
        sink_.Rollback(mark);
        consumed_end_ = stream_start;
        return;
      }
      if (!ended) {
        throw Error(ErrorCode::kTruncated, kOp,
                    "Compressed data ended before the end-of-stream marker was "
                    "reached",
                    in_.offset());
      }
      decoded_one = true;
      if (in_.AtEnd()) return;
    }
  }

  // What Decompressor(format).decompress(rest) does with one stream; false
  // when the input ends first.
  bool DecodeOnePythonStream() {
    if (opt_.format != Format::kAlone && in_.Ensure(1) >= 1 &&
        in_.data()[0] == 0xFD) {
      return DecodeXz(/*concatenated=*/false);
    }
    // Not .xz: core's decoders, initialised as core/decompressor.cc does.
    LzmaStream strm;
    const uint32_t flags = LZMA_TELL_ANY_CHECK | LZMA_TELL_NO_CHECK;
    lzma_ret ret = LZMA_OK;
    switch (opt_.format) {
      case Format::kXz:
        ret = lzma_stream_decoder(strm.get(), opt_.hard, flags);
        break;
      case Format::kAlone:
        ret = lzma_alone_decoder(strm.get(), opt_.hard);
        break;
      default:
        ret = lzma_auto_decoder(strm.get(), opt_.hard, flags);
        break;
    }
    ThrowIfLzmaError(ret, "decompressor init");
    if (!DecodeSequential(strm.get(), /*finish=*/false)) return false;
    ++stats_.streams;
    return true;
  }

  // `xz -d`: the format from the first bytes, as xz's coder.c detects it.
  void RunXz() {
    const size_t avail = in_.Ensure(13);
    const uint8_t* p = in_.data();
    const bool is_xz = avail >= 6 && std::memcmp(p, kXzMagic, 6) == 0;
    if (opt_.format == Format::kXz || (opt_.format == Format::kAuto && is_xz)) {
      if (!DecodeXz(/*concatenated=*/true)) ThrowUnexpectedEnd();
      return;
    }
    LzmaStream strm;
    lzma_ret ret = LZMA_OK;
    bool lzip = false;
    if (opt_.format == Format::kAuto && avail >= 4 &&
        std::memcmp(p, "LZIP", 4) == 0) {
      lzip = true;
      ret = lzma_lzip_decoder(strm.get(), opt_.hard,
                              LZMA_CONCATENATED | LZMA_TELL_UNSUPPORTED_CHECK);
    } else if (opt_.format == Format::kAlone || IsFormatLzma(p, avail)) {
      ret = lzma_alone_decoder(strm.get(), opt_.hard);
    } else {
      throw LzmaError(LZMA_FORMAT_ERROR, kOp, in_.offset());
    }
    ThrowIfLzmaError(ret, "decompressor init");
    if (!DecodeSequential(strm.get(), /*finish=*/true)) ThrowUnexpectedEnd();
    ++stats_.streams;
    // xz rejects trailing garbage after .lzma; .lz allows it by design.
    if (!lzip && !in_.AtEnd()) {
      throw LzmaError(LZMA_DATA_ERROR, kOp, in_.offset());
    }
  }

  // xz's is_format_lzma(): a plausible 13-byte LZMA_Alone header.
  static bool IsFormatLzma(const uint8_t* p, size_t avail) {
    if (avail < 13) return false;
    lzma_filter filter = {LZMA_FILTER_LZMA1, nullptr};
    if (lzma_properties_decode(&filter, nullptr, p, 5) != LZMA_OK) return false;
    const uint32_t dict_size =
        static_cast<lzma_options_lzma*>(filter.options)->dict_size;
    free(filter.options);
    if (dict_size != UINT32_MAX) {
      uint32_t d = dict_size - 1;
      d |= d >> 2;
      d |= d >> 3;
      d |= d >> 4;
      d |= d >> 8;
      d |= d >> 16;
      ++d;
      if (d != dict_size || dict_size == 0) return false;
    }
    uint64_t uncompressed = 0;
    for (int i = 0; i < 8; ++i) uncompressed |= uint64_t{p[5 + i]} << (i * 8);
    return uncompressed == UINT64_MAX || uncompressed <= (uint64_t{1} << 38);
  }

  [[noreturn]] void ThrowUnexpectedEnd() {
    throw Error(ErrorCode::kTruncated, kOp, "Unexpected end of input",
                in_.offset());
  }

  // ----- sequential decoding ----------------------------------------------

  // Runs an initialised liblzma decoder over the input from here; true at
  // LZMA_STREAM_END, false when the input ends first. `finish`: LZMA_FINISH
  // with the last input, as xz does.
  bool DecodeSequential(lzma_stream* s, bool finish) {
    uint8_t* buf = Scratch();
    for (;;) {
      const size_t avail = in_.Ensure(kChunk);
      s->next_in = in_.data();
      s->avail_in = avail;
      s->next_out = buf;
      s->avail_out = kChunk;
      const lzma_action action =
          finish && in_.exhausted() ? LZMA_FINISH : LZMA_RUN;
      const lzma_ret ret = lzma_code(s, action);
      in_.Consume(avail - s->avail_in);
      Emit(buf, kChunk - s->avail_out, in_.offset());
      switch (ret) {
        case LZMA_OK:
        case LZMA_GET_CHECK:
        case LZMA_NO_CHECK:
          break;
        case LZMA_UNSUPPORTED_CHECK:  // only asked for in kXz mode: a warning
          stats_.unsupported_check = true;
          break;
        case LZMA_STREAM_END:
          return true;
        case LZMA_BUF_ERROR:
          if (s->avail_in == 0) return false;
          [[fallthrough]];
        default:
          throw LzmaError(ret, kOp, in_.offset());
      }
    }
  }

  void Emit(const uint8_t* p, size_t n, uint64_t in_bytes) {
    if (n > 0) sink_.Write(p, n);
    Progress(in_bytes);
  }

  void Progress(uint64_t in_bytes) {
    if (*progress_ &&
        !(*progress_)(in_bytes - start_offset_, sink_.written())) {
      throw Error(ErrorCode::kCancelled, kOp, "Cancelled by the caller");
    }
  }

  uint8_t* Scratch() {
    if (!scratch_) scratch_.reset(new uint8_t[kChunk]);
    return scratch_.get();
  }

  // ----- .xz -------------------------------------------------------------

  // lzma_stream_decoder's state machine (stream_decoder.c) over the input
  // from here, with runs of Blocks decoded in parallel. `concatenated`:
  // LZMA_CONCATENATED | LZMA_TELL_UNSUPPORTED_CHECK and LZMA_FINISH, as xz;
  // else one Stream as parxz::Decompressor. False when the input ends first.
  bool DecodeXz(bool concatenated) {
    bool first_stream = true;
    for (;;) {
      ++stream_no_;
      block_no_ = 0;
      if (in_.Ensure(LZMA_STREAM_HEADER_SIZE) < LZMA_STREAM_HEADER_SIZE) {
        in_.Consume(in_.available());
        return false;
      }
      lzma_ret ret = lzma_stream_header_decode(&flags_, in_.data());
      in_.Consume(LZMA_STREAM_HEADER_SIZE);
      if (ret != LZMA_OK) {
        if (ret == LZMA_FORMAT_ERROR && !first_stream) ret = LZMA_DATA_ERROR;
        throw DecodeError(ret, "the Stream Header of " + StreamName(),
                          in_.offset());
      }
      first_stream = false;
      if (concatenated && !lzma_check_is_supported(flags_.check)) {
        stats_.unsupported_check = true;
      }
      std::unique_ptr<lzma_index_hash, IndexHashDeleter> hash(
          lzma_index_hash_init(nullptr, nullptr));
      if (!hash) throw LzmaError(LZMA_MEM_ERROR, kOp);
      hash_ = hash.get();

      if (!DecodeBlocks()) return false;

      // SEQ_INDEX: compare the Index with the Blocks seen.
      for (;;) {
        const size_t avail = in_.Ensure(kChunk);
        if (avail == 0) return false;
        size_t pos = 0;
        ret = lzma_index_hash_decode(hash_, in_.data(), &pos, avail);
        in_.Consume(pos);
        if (ret == LZMA_STREAM_END) break;
        if (ret != LZMA_OK) {
          throw DecodeError(ret, "the Index of " + StreamName(), in_.offset());
        }
      }
      // SEQ_STREAM_FOOTER
      if (in_.Ensure(LZMA_STREAM_HEADER_SIZE) < LZMA_STREAM_HEADER_SIZE) {
        in_.Consume(in_.available());
        return false;
      }
      lzma_stream_flags footer;
      ret = lzma_stream_footer_decode(&footer, in_.data());
      in_.Consume(LZMA_STREAM_HEADER_SIZE);
      if (ret == LZMA_OK &&
          lzma_index_hash_size(hash_) != footer.backward_size) {
        ret = LZMA_DATA_ERROR;
      }
      if (ret == LZMA_OK) ret = lzma_stream_flags_compare(&flags_, &footer);
      if (ret != LZMA_OK) {
        if (ret == LZMA_FORMAT_ERROR) ret = LZMA_DATA_ERROR;
        throw DecodeError(ret, "the Stream Footer of " + StreamName(),
                          in_.offset());
      }
      hash_ = nullptr;
      ++stats_.streams;
      Progress(in_.offset());
      if (!concatenated) return true;

      // SEQ_STREAM_PADDING: multiples of four zero bytes, then the next
      // Stream or the end.
      uint64_t padding = 0;
      for (;;) {
        const size_t avail = in_.Ensure(kChunk);
        if (avail == 0) {
          if (padding % 4 != 0) {
            throw DecodeError(LZMA_DATA_ERROR, "the Stream Padding",
                              in_.offset());
          }
          return true;
        }
        const uint8_t* p = in_.data();
        size_t zeros = 0;
        while (zeros < avail && p[zeros] == 0) ++zeros;
        in_.Consume(zeros);
        padding += zeros;
        if (zeros < avail) break;
      }
      if (padding % 4 != 0) {
        in_.Consume(1);
        throw DecodeError(LZMA_DATA_ERROR, "the Stream Padding", in_.offset());
      }
    }
  }

  struct IndexHashDeleter {
    void operator()(lzma_index_hash* h) const {
      lzma_index_hash_end(h, nullptr);
    }
  };

  std::string StreamName() const {
    return "Stream " + std::to_string(stream_no_);
  }

  // SEQ_BLOCK_HEADER and the header part of SEQ_BLOCK_INIT: reads the next
  // Block Header into `head`, consuming it. Throws the header's error.
  Header ReadBlockHeader(BlockHead* head) {
    const uint64_t offset = in_.offset();
    if (in_.Ensure(1) == 0) return Header::kEnd;
    if (in_.data()[0] == 0x00) return Header::kIndex;
    const uint32_t size = lzma_block_header_size_decode(in_.data()[0]);
    if (in_.Ensure(size) < size) {
      in_.Consume(in_.available());
      return Header::kEnd;
    }
    head->offset = offset;
    head->stream = stream_no_;
    head->number = ++block_no_;
    const lzma_ret ret =
        ParseBlockHeader(in_.data(), flags_.check, opt_.hard, head);
    in_.Consume(size);
    if (ret != LZMA_OK)
      throw DecodeError(ret, DescribeBlock(*head), in_.offset());
    return Header::kBlock;
  }

  // The Blocks of the current Stream up to its Index; false when the input
  // ends first.
  bool DecodeBlocks() {
    EnsureItems(1);
    for (;;) {
      switch (ReadBlockHeader(&items_[0]->head)) {
        case Header::kIndex:
          return true;
        case Header::kEnd:
          return false;
        case Header::kBlock:
          break;
      }
      // items_[0] holds a parsed header: decode it, in a parallel run with
      // the Blocks that follow it when the plan allows.
      for (;;) {
        Item& first = *items_[0];
        std::optional<RunPlan> plan;
        if (SetExpectedSizes(first)) plan = PlanRun(first);
        if (!plan) {
          if (!DecodeBlockSequentially(first.head)) return false;
          break;
        }
        switch (RunParallel(*plan)) {
          case RunEnd::kIndex:
            return true;
          case RunEnd::kInputEnd:
            return false;
          case RunEnd::kHeader:  // items_[0] holds the next header
            continue;
          case RunEnd::kRedo: {
            // A Block decoded on the Index's word did not end where the
            // Index says: decode it again the sequential way from its start.
            if (ReadBlockHeader(&items_[0]->head) != Header::kBlock) {
              throw Error(ErrorCode::kInternal, kOp, "Block Header vanished");
            }
            if (!DecodeBlockSequentially(items_[0]->head)) return false;
            break;
          }
          case RunEnd::kError:
            std::rethrow_exception(pending_error_);
        }
        break;
      }
    }
  }

  // SEQ_BLOCK_INIT's decoder start and SEQ_BLOCK_RUN, in stream order with
  // the Block's output streamed to the sink. False when the input ends first.
  bool DecodeBlockSequentially(BlockHead& head) {
    std::unique_ptr<BlockDecoder> decoder = AcquireDecoder();
    lzma_ret ret = decoder->Start(&head);
    if (ret != LZMA_OK)
      throw DecodeError(ret, DescribeBlock(head), in_.offset());
    lzma_stream* s = decoder->stream();
    uint8_t* buf = decoder->scratch();
    for (;;) {
      const size_t avail = in_.Ensure(kChunk);
      s->next_in = in_.data();
      s->avail_in = avail;
      s->next_out = buf;
      s->avail_out = kChunk;
      ret = lzma_code(s, LZMA_RUN);
      in_.Consume(avail - s->avail_in);
      Emit(buf, kChunk - s->avail_out, in_.offset());
      if (ret == LZMA_STREAM_END) break;
      if (ret == LZMA_OK) continue;
      if (ret == LZMA_BUF_ERROR && s->avail_in == 0) {
        ReleaseDecoder(std::move(decoder));
        return false;
      }
      throw DecodeError(ret, DescribeBlock(head), in_.offset());
    }
    s->next_in = nullptr;
    s->avail_in = 0;
    ReleaseDecoder(std::move(decoder));
    AppendToIndexHash(head, in_.offset());
    ++stats_.blocks;
    return true;
  }

  void AppendToIndexHash(const BlockHead& head, uint64_t end_offset) {
    const lzma_ret ret =
        lzma_index_hash_append(hash_, lzma_block_unpadded_size(&head.block),
                               head.block.uncompressed_size);
    if (ret != LZMA_OK) throw DecodeError(ret, DescribeBlock(head), end_offset);
  }

  // ----- parallel runs ----------------------------------------------------

  // Fills item.expect_* from the Block Header or, for memory inputs, the
  // Index; false when neither knows both sizes.
  bool SetExpectedSizes(Item& item) {
    const lzma_block& b = item.head.block;
    const uint64_t header = b.header_size;
    item.speculative = false;
    if (b.compressed_size != LZMA_VLI_UNKNOWN &&
        b.uncompressed_size != LZMA_VLI_UNKNOWN) {
      item.expect_in = lzma_block_total_size(&b) - header;
      item.expect_out = b.uncompressed_size;
      return true;
    }
    const IndexedBlock* ib = FindIndexed(item.head.offset);
    if (ib == nullptr || ib->total_size <= header) return false;
    item.speculative = true;
    item.expect_in = ib->total_size - header;
    item.expect_out = ib->uncompressed_size;
    if (b.compressed_size != LZMA_VLI_UNKNOWN) {
      item.expect_in = lzma_block_total_size(&b) - header;
    }
    if (b.uncompressed_size != LZMA_VLI_UNKNOWN)
      item.expect_out = b.uncompressed_size;
    return true;
  }

  uint64_t ItemMemory(const Item& item) const {
    return (sink_.keeps_output() ? item.expect_out : 0) +
           (in_.in_memory() ? 0 : item.expect_in);
  }

  // What a run plans per Block in flight, from its first Block: the same
  // output, and input up to what the format allows for that output, so that
  // Blocks of the same size that compressed a little worse still fit the run
  // (ending a run idles a thread while the pipeline drains).
  uint64_t PlannedItemMemory(const Item& item) const {
    if (in_.in_memory()) return ItemMemory(item);
    const uint64_t bound = lzma_block_buffer_bound(
        static_cast<size_t>(std::min<uint64_t>(item.expect_out, SIZE_MAX / 2)));
    return (sink_.keeps_output() ? item.expect_out : 0) +
           std::max<uint64_t>(item.expect_in, bound);
  }

  // The most threads (then Blocks in flight, 2 per thread down to one) that
  // fit the soft limit with Blocks like `item`; none when even two threads
  // would not fit: xz's fallback to single-threaded decoding.
  std::optional<RunPlan> PlanRun(const Item& item) const {
    using Wide = unsigned __int128;
    const uint64_t per_item = PlannedItemMemory(item);
    const uint64_t per_decoder = item.head.memusage;
    for (unsigned n = opt_.threads; n >= 2; --n) {
      const Wide decoders = Wide{n} * per_decoder;
      if (decoders > opt_.soft) continue;
      Wide tokens = 2 * Wide{n};
      if (per_item > 0)
        tokens = std::min(tokens, (opt_.soft - decoders) / per_item);
      // Fewer Blocks in flight than threads would leave threads idle: that
      // plan is the one with fewer threads, tried next.
      if (tokens >= n) {
        return RunPlan{n, static_cast<unsigned>(tokens), per_item, per_decoder};
      }
    }
    return std::nullopt;
  }

  bool Fits(const Item& item, const RunPlan& plan) const {
    return ItemMemory(item) <= plan.item_memory &&
           item.head.memusage <= plan.decoder_memory;
  }

  void EnsureItems(size_t n) {
    while (items_.size() < n) items_.push_back(std::make_unique<Item>());
  }

  // Reader stage work for an Item whose header was parsed: its input bytes
  // and an output buffer.
  void PrepareItem(Item& item) {
    item.in = in_.Take(item.expect_in, item.in_owned);
    if (sink_.keeps_output() && item.out_capacity < item.expect_out) {
      item.out.reset();  // free the old one first
      item.out.reset(new uint8_t[item.expect_out]);
      item.out_capacity = item.expect_out;
    }
  }

  void DecodeItem(Item& item) {
    std::unique_ptr<BlockDecoder> decoder = AcquireDecoder();
    std::span<uint8_t> out;
    if (sink_.keeps_output()) out = {item.out.get(), item.expect_out};
    item.result = decoder->Decode(&item.head, item.in, out);
    ReleaseDecoder(std::move(decoder));
  }

  // Decodes items_[0] (its header parsed, sizes known) and the Blocks after
  // it that fit `plan` on a pipeline: serial in-order reader, parallel Block
  // decoders, serial in-order writer. Returns why it stopped.
  RunEnd RunParallel(const RunPlan& plan) {
    EnsureItems(plan.tokens);
    // Idle decoders beyond this run's threads would hold memory the plan
    // does not count.
    for (std::unique_ptr<BlockDecoder> d;
         decoders_.unsafe_size() > plan.threads && decoders_.try_pop(d);) {
    }
    stats_.threads = std::max(stats_.threads, plan.threads);
    stats_.memory_planned = std::max(stats_.memory_planned, plan.total());

    // Reader stage only.
    uint64_t next = 0;
    RunEnd reader_end = RunEnd::kIndex;
    size_t pending_slot = 0;
    // Writer stage only.
    std::optional<RunEnd> writer_end;
    // Set by the writer to stop the run: the reader stops, the decoders and
    // the writer skip what is still in flight.
    std::atomic<bool> halt{false};

    auto read = [&](tbb::flow_control& fc) -> Item* {
      if (halt.load(std::memory_order_relaxed)) {
        fc.stop();
        return nullptr;
      }
      // Item `next` reuses the slot of Item next - tokens, which has left
      // the pipeline: at most `tokens` Items are in flight, and they leave
      // in order through the serial writer.
      Item& item = *items_[next % plan.tokens];
      if (next > 0) {
        Header h;
        try {
          h = ReadBlockHeader(&item.head);
        } catch (...) {
          // Reported only if every Block before it decodes fine.
          pending_error_ = std::current_exception();
          reader_end = RunEnd::kError;
          fc.stop();
          return nullptr;
        }
        if (h != Header::kBlock) {
          reader_end = h == Header::kIndex ? RunEnd::kIndex : RunEnd::kInputEnd;
          fc.stop();
          return nullptr;
        }
        if (!SetExpectedSizes(item) || !Fits(item, plan)) {
          reader_end = RunEnd::kHeader;
          pending_slot = next % plan.tokens;
          fc.stop();
          return nullptr;
        }
      }
      ++next;
      PrepareItem(item);
      return &item;
    };

    auto decode = [&](Item* item) -> Item* {
      if (!halt.load(std::memory_order_relaxed)) DecodeItem(*item);
      return item;
    };

    auto write = [&](Item* item) {
      if (halt.load(std::memory_order_relaxed)) return;
      const BlockResult& r = item->result;
      if (item->speculative &&
          (r.ret != LZMA_STREAM_END || r.consumed != item->expect_in ||
           r.produced != item->expect_out)) {
        writer_end = RunEnd::kRedo;
        redo_offset_ = item->head.offset;
        redo_block_no_ = item->head.number - 1;
        halt.store(true, std::memory_order_relaxed);
        return;
      }
      if (r.produced > 0 && sink_.keeps_output()) {
        sink_.Write(item->out.get(), r.produced);
      } else if (r.produced > 0) {
        sink_.Write(nullptr, r.produced);
      }
      const uint64_t end =
          item->head.offset + item->head.block.header_size + r.consumed;
      if (r.ret == LZMA_STREAM_END) {
        AppendToIndexHash(item->head, end);
        ++stats_.blocks;
        ++stats_.parallel_blocks;
        Progress(end);
        return;
      }
      if (r.ret == LZMA_OK) {  // the input ended inside this Block
        writer_end = RunEnd::kInputEnd;
        halt.store(true, std::memory_order_relaxed);
        return;
      }
      // A decoder that could not start failed right after the header.
      throw DecodeError(r.ret, DescribeBlock(item->head), end);
    };

    // No more slots than TBB has threads (asking for more only warns).
    const int slots = static_cast<int>(std::min<size_t>(
        plan.threads, tbb::global_control::active_value(
                          tbb::global_control::max_allowed_parallelism)));
    tbb::task_arena arena(std::max(1, slots));
    arena.execute([&] {
      tbb::parallel_pipeline(
          plan.tokens, tbb::make_filter<void, Item*>(
                           tbb::filter_mode::serial_in_order, read) &
                           tbb::make_filter<Item*, Item*>(
                               tbb::filter_mode::parallel, decode) &
                           tbb::make_filter<Item*, void>(
                               tbb::filter_mode::serial_in_order, write));
    });

    if (writer_end) {
      if (*writer_end == RunEnd::kRedo) {
        in_.Seek(redo_offset_);
        block_no_ = redo_block_no_;
      }
      return *writer_end;
    }
    if (reader_end == RunEnd::kHeader)
      std::swap(items_[0], items_[pending_slot]);
    return reader_end;
  }

  std::unique_ptr<BlockDecoder> AcquireDecoder() {
    std::unique_ptr<BlockDecoder> d;
    if (!decoders_.try_pop(d)) d = std::make_unique<BlockDecoder>();
    return d;
  }
  void ReleaseDecoder(std::unique_ptr<BlockDecoder> d) {
    decoders_.push(std::move(d));
  }

  // ----- the Index of memory inputs ---------------------------------------

  void LoadIndex() {
    start_offset_ = in_.offset();
    const ByteSource* file = in_.source();
    if (file == nullptr || !opt_.use_index || opt_.format == Format::kAlone) {
      return;
    }
    std::vector<uint8_t> buf;
    const std::span<const uint8_t> magic = file->Read(start_offset_, 6, buf);
    if (magic.size() < 6 || std::memcmp(magic.data(), kXzMagic, 6) != 0) return;
    LzmaIndexPtr index;
    try {
      index = DecodeFileIndex(*file, start_offset_, opt_.hard);
    } catch (const Error&) {
      return;  // no plan: Blocks without sizes are decoded sequentially
    }
    indexed_output_size_ = lzma_index_uncompressed_size(index.get());
    lzma_index_iter iter;
    lzma_index_iter_init(&iter, index.get());
    while (!lzma_index_iter_next(&iter, LZMA_INDEX_ITER_BLOCK)) {
      indexed_.push_back({start_offset_ + iter.block.compressed_file_offset,
                          iter.block.total_size, iter.block.uncompressed_size});
    }
  }

  const IndexedBlock* FindIndexed(uint64_t offset) const {
    auto it = std::lower_bound(
        indexed_.begin(), indexed_.end(), offset,
        [](const IndexedBlock& b, uint64_t off) { return b.offset < off; });
    if (it == indexed_.end() || it->offset != offset) return nullptr;
    return &*it;
  }

  DecodeInput& in_;
  Sink& sink_;
  const Resolved& opt_;
  const ProgressFn* progress_;
  DecompressStats stats_;
  uint64_t start_offset_ = 0;
  // kPython: where the last good stream ended, when what follows was dropped.
  std::optional<uint64_t> consumed_end_;

  // The Stream being decoded (driver, or the reader stage during a run).
  lzma_stream_flags flags_{};
  uint64_t stream_no_ = 0;
  uint64_t block_no_ = 0;
  // Written by the writer stage during a run, by the driver otherwise.
  lzma_index_hash* hash_ = nullptr;

  std::vector<std::unique_ptr<Item>> items_;
  std::exception_ptr pending_error_;
  uint64_t redo_offset_ = 0;
  uint64_t redo_block_no_ = 0;
  // Idle decoders; at most one per thread that decoded at once. Any thread
  // pushes and pops.
  tbb::concurrent_queue<std::unique_ptr<BlockDecoder>> decoders_;
  std::unique_ptr<uint8_t[]> scratch_;

  std::vector<IndexedBlock> indexed_;
  uint64_t indexed_output_size_ = 0;
};

}  // namespace

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

DecompressStats DecompressFd(int in_fd, int out_fd,
                             const ParallelDecodeOptions& options,
                             const ProgressFn& progress) {
  const Resolved opt = Resolve(options);
  std::unique_ptr<Sink> sink;
  if (out_fd < 0) {
    sink = std::make_unique<NullSink>();
  } else {
    sink = std::make_unique<FdSink>(out_fd);
  }
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
  Driver driver(*in, *sink, opt, &progress);
  DecompressStats stats = driver.Run();
  if (file) lseek(in_fd, start + static_cast<off_t>(stats.in_bytes), SEEK_SET);
  return stats;
}

}  // namespace parxz
