#include "tools/codec.h"

#include <fcntl.h>
#include <lzma.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <exception>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/compressor.h"
#include "core/error.h"
#include "core/options.h"
#include "core/stream_decoder.h"
#include "core/stream_rules.h"
#include "parallel/access/random_access.h"
#include "parallel/common/fd_io.h"
#include "parallel/compress/compress_front.h"
#include "parallel/compress/compress_memory.h"
#include "parallel/compress/parallel_compressor.h"
#include "parallel/decode/decode_front.h"
#include "parallel/decode/parallel_decompressor.h"

namespace parxz::cli {

namespace {

constexpr size_t kIoChunk = 1 << 20;

// Where output goes, in order. `sparse` (a regular file being decompressed
// into, without --no-sparse): aligned 8 KiB runs of zeros are skipped with
// lseek() instead of written, and Finish() writes the last byte so that the
// file has its full size, as xz's io_write()/io_close().
class Output {
 public:
  explicit Output(int fd, bool sparse = false) : fd_(fd), sparse_(sparse) {}
  void Write(std::string_view data) {
    if (fd_ >= 0 && !sparse_) {
      WriteRun(data);
    } else if (fd_ >= 0) {
      // The bytes between holes go out in one write() each, not 8 KiB at
      // a time (xz's way): data[start, at) is the run not yet written.
      size_t start = 0;
      for (size_t at = 0; at < data.size();) {
        const size_t n = std::min<size_t>(
            data.size() - at, kSparseChunk - (written_ + at) % kSparseChunk);
        if (n == kSparseChunk && AllZero(data.substr(at, n))) {
          WriteRun(data.substr(start, at - start), start);
          hole_ += n;
          start = at + n;
        }
        at += n;
      }
      WriteRun(data.substr(start), start);
    }
    written_ += data.size();
  }
  // Ends the output (a trailing hole needs its last byte written).
  void Finish() {
    if (hole_ == 0) return;
    --hole_;
    SkipHole();
    const uint8_t zero = 0;
    WriteFully(fd_, &zero, 1, written_ - 1);
  }
  uint64_t written() const { return written_; }

 private:
  static constexpr size_t kSparseChunk = 8 << 10;  // xz's IO_BUFFER_SIZE
  static bool AllZero(std::string_view s) {
    return s.empty() || (s[0] == '\0' && std::memcmp(s.data(), s.data() + 1,
                                                     s.size() - 1) == 0);
  }
  // Writes `run`, which starts `at` bytes into the current Write()'s data,
  // after the hole before it.
  void WriteRun(std::string_view run, size_t at = 0) {
    if (run.empty()) return;
    SkipHole();
    WriteFully(fd_, reinterpret_cast<const uint8_t*>(run.data()), run.size(),
               written_ + at);
  }
  void SkipHole() {
    if (hole_ == 0) return;
    if (lseek(fd_, static_cast<off_t>(hole_), SEEK_CUR) < 0) {
      throw Error(ErrorCode::kIo, "seek",
                  std::string("Seeking failed when trying to create a "
                              "sparse file: ") +
                      std::strerror(errno));
    }
    hole_ = 0;
  }
  int fd_;
  bool sparse_;
  uint64_t written_ = 0;
  uint64_t hole_ = 0;  // zeros skipped but not yet seeked over
};

// True when decoded output to `fd` may get holes: as xz, a regular file it
// created, or standard output when that is a regular file written at its
// end (not in O_APPEND mode, which xz also handles and parxz writes densely).
bool WantSparse(const CliOptions& o, int fd) {
  if (fd < 0 || o.no_sparse || o.mode != Operation::kDecompress) return false;
  struct stat st {};
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) return false;
  if (fd != STDOUT_FILENO) return true;
  const int flags = fcntl(fd, F_GETFL);
  return flags >= 0 && (flags & O_APPEND) == 0 &&
         lseek(fd, 0, SEEK_CUR) == st.st_size;
}

// `file_input`: CompressFd() reads a regular file (no input buffers).
ParallelOptions ToParallelOptions(const CliOptions& o, bool file_input) {
  // The threads already fit --memlimit-compress (tools/compress_plan.h,
  // with xz's figures); the Blocks in flight keep parxz within them.
  return WithinXzMemory(CompressSettings(o), file_input);
}

// .lzma, raw, and xz's single-threaded .xz (-T1): core's Compressor.
// The single-threaded encoder's options for the command line's settings.
CompressOptions SequentialOptions(const CliOptions& o) {
  const Format format = o.format == Format::kAuto ? Format::kXz : o.format;
  CompressOptions c{.format = format};
  if (format == Format::kXz) c.check = o.check.value_or(Check::kCrc64);
  if (format != Format::kRaw && o.filters.empty()) {
    c.preset = o.preset;
  } else {
    c.filters = o.filters;  // kRaw: args gave a chain for the preset
  }
  return c;
}

Totals CompressSequential(const CliOptions& o, int in_fd, int out_fd,
                          ProgressMeter* meter) {
  PushCompressor compressor(SequentialOptions(o));
  // Small pieces, as xz's: the encoder (CompressMemoryUsage(), what
  // `xz -T1 -vv` reports) is then nearly all the memory this takes.
  constexpr size_t kPiece = 64 << 10;
  std::vector<uint8_t> in(kPiece);
  std::vector<uint8_t> out(kPiece);
  uint64_t total_in = 0;
  Output sink(out_fd);
  auto emit = [&](size_t n) {
    sink.Write({reinterpret_cast<const char*>(out.data()), n});
  };
  for (;;) {
    const size_t n = ReadSome(in_fd, in.data(), in.size(), total_in);
    if (n == 0) break;
    std::string_view data(reinterpret_cast<const char*>(in.data()), n);
    while (!data.empty()) {
      const auto p = compressor.compress_into(data, out);
      data.remove_prefix(p.consumed);
      emit(p.produced);
    }
    total_in += n;
    if (meter) meter->Update(total_in, sink.written());
  }
  for (;;) {
    const auto p = compressor.flush_into(out);
    emit(p.produced);
    if (p.finished) break;
  }
  if (meter) meter->Update(total_in, sink.written());
  return {total_in, sink.written()};
}

// True when `fd` has input within `ms` milliseconds (or is at EOF/error).
bool InputWithin(int fd, uint64_t ms) {
  pollfd p{.fd = fd, .events = POLLIN, .revents = 0};
  const int timeout = static_cast<int>(std::min<uint64_t>(ms, INT32_MAX));
  return poll(&p, 1, timeout) != 0;
}

// --block-list, --flush-timeout and (for -T1) --block-size: feeds the input
// to `c`, ending Blocks where the list puts a boundary (its last size
// repeats; 0 ends the list), every `block_size` bytes after a boundary (0:
// the target cuts Blocks itself), and when the input stalls for longer than
// the timeout (as xz's LZMA_FULL_BARRIER / LZMA_FULL_FLUSH).
Totals CompressWithBoundaries(const CliOptions& o, int in_fd, int out_fd,
                              ProgressMeter* meter, PushCompressor& c,
                              uint64_t block_size) {
  Output sink(out_fd);
  const std::vector<uint64_t>& list = o.block_list;
  size_t list_pos = 0;
  uint64_t list_left = list.empty() ? UINT64_MAX : list[0];
  uint64_t size_left = block_size == 0 ? UINT64_MAX : block_size;
  bool pending = false;  // data given since the last boundary
  auto boundary = [&] {
    sink.Write(c.end_block());
    pending = false;
    size_left = block_size == 0 ? UINT64_MAX : block_size;
  };
  std::vector<uint8_t> buf(kIoChunk);
  uint64_t total_in = 0;
  for (;;) {
    if (o.flush_timeout_ms != 0 && pending &&
        !InputWithin(in_fd, o.flush_timeout_ms)) {
      boundary();
      continue;
    }
    const size_t n = ReadSome(in_fd, buf.data(), buf.size(), total_in);
    if (n == 0) break;
    total_in += n;
    std::string_view data(reinterpret_cast<const char*>(buf.data()), n);
    while (!data.empty()) {
      const size_t take = static_cast<size_t>(
          std::min<uint64_t>({data.size(), list_left, size_left}));
      sink.Write(c.compress(data.substr(0, take)));
      data.remove_prefix(take);
      pending = true;
      if (size_left != UINT64_MAX) size_left -= take;
      if (list_left != UINT64_MAX) list_left -= take;
      if (list_left == 0) {
        boundary();
        if (list_pos + 1 < list.size()) ++list_pos;
        list_left = list[list_pos];
      } else if (size_left == 0) {
        boundary();
      }
    }
    if (meter) meter->Update(total_in, sink.written());
  }
  sink.Write(c.flush());
  if (meter) meter->Update(total_in, sink.written());
  return {total_in, sink.written()};
}

// The block-parallel compressor's push API (it cuts at --block-size itself).
Totals CompressPush(const CliOptions& o, int in_fd, int out_fd,
                    ProgressMeter* meter) {
  ParallelOptions p = ToParallelOptions(o, /*file_input=*/false);
  if (meter) p.live = meter->live();
  PushCompressor c(p);
  return CompressWithBoundaries(o, in_fd, out_fd, meter, c, 0);
}

// xz -T1 with Block boundaries: core's single-threaded .xz encoder, Blocks
// ended with LZMA_FULL_FLUSH (no sizes in their headers, as xz writes them).
Totals CompressSequentialBlocks(const CliOptions& o, int in_fd, int out_fd,
                                ProgressMeter* meter) {
  PushCompressor c(SequentialOptions(o));
  return CompressWithBoundaries(o, in_fd, out_fd, meter, c, o.block_size);
}

// --offset/--length: random access through the Index of a seekable file.
Totals DecompressRange(const CliOptions& o, int in_fd, int out_fd,
                       ProgressMeter* meter) {
  RandomAccessOptions ro{.threads = o.threads};
  ro.memlimit = ResolveMemLimit(o.memlimit_decompress);
  XzRandomAccess xz = XzRandomAccess::open_fd(in_fd, ro);
  const uint64_t begin = std::min(o.range_offset.value_or(0), xz.size());
  const uint64_t end =
      begin + std::min(o.range_length.value_or(UINT64_MAX), xz.size() - begin);
  constexpr uint64_t kPiece = 16 << 20;
  Output sink(out_fd);
  for (uint64_t at = begin; at < end;) {
    const std::string part = xz.read(at, std::min(kPiece, end - at));
    sink.Write(part);
    at += part.size();
    if (meter) meter->Update(0, at - begin);
  }
  return {0, end - begin, false};
}

// The first bytes of the input, for format detection. A seekable input is
// read with pread() and left where it was (`consumed` empty); from a pipe
// the bytes are consumed and must be decoded first.
struct Head {
  std::string bytes;
  bool consumed = false;
};

Head ReadHead(int fd) {
  Head h;
  h.bytes.resize(kDetectBytes);
  uint8_t* dst = reinterpret_cast<uint8_t*>(h.bytes.data());
  const off_t pos = lseek(fd, 0, SEEK_CUR);
  struct stat st {};
  if (pos >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
    h.bytes.resize(PreadFully(fd, dst, kDetectBytes, pos));
  } else {
    h.bytes.resize(ReadFully(fd, dst, kDetectBytes, 0));
    h.consumed = true;
  }
  return h;
}

// -dcf on input in no known format: copy it unchanged, as xz.
Totals PassThrough(int in_fd, Output& sink, const Head& head) {
  if (head.consumed) sink.Write(head.bytes);
  std::vector<uint8_t> buf(kIoChunk);
  uint64_t total = head.consumed ? head.bytes.size() : 0;
  for (;;) {
    const size_t n = ReadSome(in_fd, buf.data(), buf.size(), total);
    if (n == 0) break;
    total += n;
    sink.Write({reinterpret_cast<const char*>(buf.data()), n});
  }
  return {total, sink.written()};
}

// The sequential decoder with xz's rules, fed `head` first.
Totals DecodeSequential(const CliOptions& o, int in_fd, Output& out,
                        ProgressMeter* meter, std::string_view head) {
  StreamDecoderOptions d{.format = o.format,
                         .mode = DecodeMode::kXz,
                         .single_stream = o.single_stream,
                         .memlimit = ResolveMemLimit(o.memlimit_decompress),
                         .ignore_check = o.ignore_check};
  if (o.format == Format::kRaw) d.filters = o.filters;
  StreamDecoder decoder(d);
  FunctionSink sink([&out](std::string_view data) { out.Write(data); });
  decoder.feed(head, sink);
  std::vector<uint8_t> in(kIoChunk);
  uint64_t read_total = head.size();
  while (!decoder.done()) {
    const size_t n = ReadSome(in_fd, in.data(), in.size(), read_total);
    if (n == 0) break;
    read_total += n;
    decoder.feed(std::string_view(reinterpret_cast<const char*>(in.data()), n),
                 sink);
    if (meter) meter->Update(read_total, decoder.total_out());
  }
  decoder.finish(sink);
  return {read_total, decoder.total_out(), decoder.unsupported_check()};
}

}  // namespace

ParallelOptions CompressSettings(const CliOptions& o) {
  ParallelOptions p;
  if (o.filters.empty()) {
    p.preset = o.preset;
  } else {
    p.filters = o.filters;
  }
  p.check = o.check.value_or(Check::kCrc64);
  p.threads = o.threads;
  p.block_size = o.block_size;
  return p;
}

std::optional<uint64_t> ResolveMemLimit(const MemLimitSetting& m) {
  if (m.value == 0) return std::nullopt;
  if (m.percent) return lzma_physmem() / 100 * m.value;
  return m.value;
}

Totals CompressStream(const CliOptions& o, int in_fd, int out_fd,
                      ProgressMeter* meter) {
  const bool xz = o.format == Format::kXz || o.format == Format::kAuto;
  const bool pushed = !o.block_list.empty() || o.flush_timeout_ms != 0;
  if (xz && o.single_threaded && (pushed || o.block_size != 0)) {
    return CompressSequentialBlocks(o, in_fd, out_fd, meter);
  }
  if (!xz || o.single_threaded) {
    return CompressSequential(o, in_fd, out_fd, meter);
  }
  if (pushed) return CompressPush(o, in_fd, out_fd, meter);
  struct stat st {};
  const bool file_input = fstat(in_fd, &st) == 0 && S_ISREG(st.st_mode);
  ParallelOptions p = ToParallelOptions(o, file_input);
  if (meter) p.live = meter->live();
  const CompressStats stats =
      CompressFd(in_fd, out_fd, p, [meter](uint64_t in, uint64_t out) {
        if (meter) meter->Update(in, out);
        return true;
      });
  return {stats.in_bytes, stats.out_bytes, false};
}

Totals DecompressStream(const CliOptions& o, int in_fd, int out_fd,
                        ProgressMeter* meter) {
  if (o.range_offset || o.range_length) {
    return DecompressRange(o, in_fd, out_fd, meter);
  }
  Output out(out_fd, WantSparse(o, out_fd));
  Head head;
  // Only -dcf (copy unknown input through) and -F lzip look at the first
  // bytes here; otherwise the decoder detects the format itself, and piped
  // input stays with the parallel decoder.
  const bool pass_through =
      o.mode == Operation::kDecompress && o.to_stdout && o.force;
  if (o.format != Format::kRaw && (pass_through || o.lzip)) {
    head = ReadHead(in_fd);
    const auto container = DetectContainer(
        o.format, {reinterpret_cast<const uint8_t*>(head.bytes.data()),
                   head.bytes.size()});
    if (!container || (o.lzip && *container != Container::kLzip)) {
      if (pass_through) {
        return PassThrough(in_fd, out, head);
      }
      throw Error(ErrorCode::kCorruptData, "decompress",
                  "File format not recognized", 0);
    }
  }
  // What xz's options ask for, in the decode front's words. The file
  // decoder takes every format but raw (it decodes .lzma and .lz, and -T1,
  // sequentially inside), so the front's rule is asked only about raw;
  // piped input whose first bytes were read for detection stays with the
  // sequential decoder, which can be fed them first.
  DecodeRequest request{
      .format = o.format,
      .threads = o.single_threaded ? 1 : o.threads,
      .memlimit = ResolveMemLimit(o.memlimit_decompress),
      .memlimit_soft = ResolveMemLimit(o.memlimit_mtdec),
      .ignore_check = o.ignore_check,
      .mode = o.single_stream ? DecodeMode::kSingleStream : DecodeMode::kXz,
      .live = meter ? meter->live() : nullptr};
  if (o.format == Format::kRaw) request.filters = o.filters;
  if (o.format != Format::kRaw && !head.consumed) {
    const ParallelDecodeOptions p = ToParallelDecodeOptions(request);
    const ProgressFn progress = [meter](uint64_t in, uint64_t out) {
      if (meter) meter->Update(in, out);
      return true;
    };
    const DecompressStats stats =
        WantSparse(o, out_fd)
            ? DecompressFd(
                  in_fd,
                  [&out](const uint8_t* bytes, size_t n) {
                    out.Write({reinterpret_cast<const char*>(bytes), n});
                  },
                  p, progress)
            : DecompressFd(in_fd, out_fd, p, progress);
    out.Finish();
    return {stats.in_bytes, stats.out_bytes, stats.unsupported_check};
  }
  // Raw streams and piped input whose first bytes were read for
  // detection: the sequential decoder, same rules.
  const Totals t = DecodeSequential(
      o, in_fd, out, meter, head.consumed ? std::string_view(head.bytes) : "");
  out.Finish();
  return t;
}

}  // namespace parxz::cli
