#include "parallel/access/random_access.h"

#include <fcntl.h>
#include <lzma.h>
#include <oneapi/tbb/parallel_for.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <list>
#include <optional>
#include <utility>

#include "parallel/access/file_index.h"
#include "parallel/common/threads.h"
#include "parallel/decode/block_decoder.h"
#include "parallel/decode/decode_input.h"
#include "parallel/decode/xz_parser.h"

namespace parxz {

namespace {

constexpr char kOp[] = "random access";

Check CheckOf(int id) {
  return (id == LZMA_CHECK_NONE || id == LZMA_CHECK_CRC32 ||
          id == LZMA_CHECK_CRC64 || id == LZMA_CHECK_SHA256)
             ? static_cast<Check>(id)
             : Check::kUnknown;
}

std::string BlockName(const XzBlockInfo& b) {
  return DescribeBlock(b.stream, b.number_in_stream, b.compressed_offset);
}

// Reads and checks the header of Block `b` of `file` into `head` against the
// Index; returns the header's flags byte. Throws Error naming the Block.
uint8_t ReadIndexedHeader(const ByteSource& file, const XzBlockInfo& b,
                          uint64_t memlimit, BlockHead* head) {
  head->offset = b.compressed_offset;
  head->stream = b.stream;
  head->number = b.number_in_stream;
  if (b.compressed_offset >= file.size() ||
      b.total_size > file.size() - b.compressed_offset) {
    throw BlockError(LZMA_DATA_ERROR, *head, file.size(), kOp);
  }
  std::vector<uint8_t> buf;
  const std::span<const uint8_t> bytes =
      file.Read(b.compressed_offset,
                static_cast<size_t>(std::min<uint64_t>(
                    b.total_size, LZMA_BLOCK_HEADER_SIZE_MAX)),
                buf);
  const IndexedHeaderResult h = ParseIndexedBlockHeader(
      bytes,
      {b.total_size, b.unpadded_size, b.uncompressed_size,
       static_cast<lzma_check>(b.check_id)},
      memlimit, head);
  if (h.ret != LZMA_OK)
    throw BlockError(h.ret, *head, b.compressed_offset + h.at, kOp);
  return bytes[1];
}

XzFileInfo InfoFromIndex(const ByteSource& file, const lzma_index* index,
                         bool with_headers, uint64_t memlimit) {
  XzFileInfo info;
  info.file_size = lzma_index_file_size(index);
  info.uncompressed_size = lzma_index_uncompressed_size(index);
  info.checks = lzma_index_checks(index);
  info.index_memusage = lzma_index_memused(index);
  lzma_index_iter it;
  lzma_index_iter_init(&it, index);
  while (!lzma_index_iter_next(&it, LZMA_INDEX_ITER_STREAM)) {
    XzStreamInfo s;
    s.number = static_cast<uint32_t>(it.stream.number);
    s.block_count = it.stream.block_count;
    s.compressed_offset = it.stream.compressed_offset;
    s.uncompressed_offset = it.stream.uncompressed_offset;
    s.compressed_size = it.stream.compressed_size;
    s.uncompressed_size = it.stream.uncompressed_size;
    s.padding = it.stream.padding;
    s.check_id = static_cast<int>(it.stream.flags->check);
    s.check = CheckOf(s.check_id);
    info.streams.push_back(s);
  }
  lzma_index_iter_rewind(&it);
  uint64_t number = 0;
  while (!lzma_index_iter_next(&it, LZMA_INDEX_ITER_BLOCK)) {
    XzBlockInfo b;
    b.stream = static_cast<uint32_t>(it.stream.number);
    b.number_in_stream = it.block.number_in_stream;
    b.number = ++number;
    b.compressed_offset = it.block.compressed_file_offset;
    b.uncompressed_offset = it.block.uncompressed_file_offset;
    b.total_size = it.block.total_size;
    b.unpadded_size = it.block.unpadded_size;
    b.uncompressed_size = it.block.uncompressed_size;
    b.check_id = static_cast<int>(it.stream.flags->check);
    b.check = CheckOf(b.check_id);
    info.blocks.push_back(b);
  }
  if (!with_headers) return info;

  // As xz's list.c: header details, memory, "Sizes in headers", version.
  info.all_sizes_in_headers = true;
  info.min_xz_version = 50000002;
  for (XzBlockInfo& b : info.blocks) {
    BlockHead head;
    const uint8_t flags = ReadIndexedHeader(file, b, memlimit, &head);
    b.header_size = head.block.header_size;
    b.header_has_compressed_size = (flags & 0x40) != 0;
    b.header_has_uncompressed_size = (flags & 0x80) != 0;
    if (!b.header_has_compressed_size || !b.header_has_uncompressed_size) {
      info.all_sizes_in_headers = false;
    }
    b.memusage = head.memusage;
    info.memusage_max = std::max(info.memusage_max, b.memusage);
    size_t last = 0;
    for (size_t i = 0; head.filters[i].id != LZMA_VLI_UNKNOWN; ++i) {
      if (head.filters[i].id == LZMA_FILTER_ARM64) {
        info.min_xz_version = std::max<uint32_t>(info.min_xz_version, 50040002);
      }
      last = i;
    }
    if (head.filters[last].id == LZMA_FILTER_LZMA2 &&
        b.uncompressed_size == 0) {
      info.min_xz_version = std::max<uint32_t>(info.min_xz_version, 50000022);
    }
    char* text = nullptr;
    if (lzma_str_from_filters(&text, head.filters,
                              LZMA_STR_DECODER | LZMA_STR_GETOPT_LONG,
                              nullptr) == LZMA_OK) {
      b.filters = text;
      free(text);
    }
  }
  return info;
}

std::span<const uint8_t> Bytes(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

[[noreturn]] void ThrowNotAFile() {
  throw Error(ErrorCode::kBadOptions, kOp,
              "random access needs a regular file (not a pipe or terminal)");
}

ByteSource SourceOrThrow(int fd) {
  std::optional<ByteSource> file = ByteSource::ForFd(fd);
  if (!file) ThrowNotAFile();
  return *file;
}

XzFileInfo ReadInfo(const ByteSource& file, bool with_headers,
                    uint64_t memlimit) {
  LzmaIndexPtr index = DecodeFileIndex(file, 0, memlimit);
  return InfoFromIndex(file, index.get(), with_headers, memlimit);
}

}  // namespace

XzFileInfo ReadXzFileInfo(std::string_view xz, bool with_headers,
                          std::optional<uint64_t> memlimit) {
  return ReadInfo(ByteSource(Bytes(xz)), with_headers, LzmaMemLimit(memlimit));
}

XzFileInfo ReadXzFileInfo(int fd, bool with_headers,
                          std::optional<uint64_t> memlimit) {
  return ReadInfo(SourceOrThrow(fd), with_headers, LzmaMemLimit(memlimit));
}

class XzRandomAccess::Impl {
 public:
  // Takes `owned_fd` (-1 for none): the descriptor `file` reads.
  Impl(const ByteSource& file, const RandomAccessOptions& o, int owned_fd = -1)
      : owned_fd_{owned_fd},
        file_(file),
        options_(o),
        memlimit_(LzmaMemLimit(o.memlimit)),
        arena_(o.threads),
        threads_(arena_.threads()) {
    index_ = DecodeFileIndex(file_, 0, memlimit_);
    info_ = InfoFromIndex(file_, index_.get(), false, memlimit_);
  }

  const XzFileInfo& info() const { return info_; }

  size_t ReadInto(uint64_t offset, std::span<uint8_t> out) {
    const uint64_t size = info_.uncompressed_size;
    if (offset >= size || out.empty()) return 0;
    const uint64_t end = offset + std::min<uint64_t>(out.size(), size - offset);

    // The Blocks holding [offset, end), found through the Index.
    lzma_index_iter it;
    lzma_index_iter_init(&it, index_.get());
    if (lzma_index_iter_locate(&it, offset)) {
      throw Error(ErrorCode::kInternal, kOp, "offset not in the Index");
    }
    std::vector<Job> jobs;
    for (size_t block = BlockOrdinal(it); block < info_.blocks.size();
         ++block) {
      const XzBlockInfo& b = info_.blocks[block];
      const uint64_t b_end = b.uncompressed_offset + b.uncompressed_size;
      if (b.uncompressed_size > 0) {
        Job job;
        job.block = block;
        job.from =
            std::max(offset, b.uncompressed_offset) - b.uncompressed_offset;
        job.to = std::min(end, b_end) - b.uncompressed_offset;
        job.dst = out.data() + (b.uncompressed_offset + job.from - offset);
        // Blocks needed in full decode straight into `out`; the others
        // through a (cached, resumable) partial decode.
        if (job.from != 0 || job.to != b.uncompressed_size)
          job.partial = Partial(block);
        jobs.push_back(job);
      }
      if (b_end >= end) break;
    }

    std::vector<Job*> work;
    for (Job& j : jobs) {
      if (!j.partial || j.partial->produced < j.to) work.push_back(&j);
    }
    if (work.size() == 1 || threads_ == 1) {
      for (Job* j : work) Run(*j);
    } else if (!work.empty()) {
      arena_.execute([&] {
        tbb::parallel_for(size_t{0}, work.size(),
                          [&](size_t k) { Run(*work[k]); });
      });
    }
    // The first failing Block in file order decides; a failed partial
    // decode is not kept.
    for (Job* j : work) {
      if (j->error) {
        for (Job* f : work) {
          if (f->error && f->partial) Forget(f->block);
        }
        std::rethrow_exception(j->error);
      }
    }
    for (Job& j : jobs) {
      if (j.partial)
        std::memcpy(j.dst, j.partial->data.get() + j.from, j.to - j.from);
    }
    Trim();
    return static_cast<size_t>(end - offset);
  }

 private:
  // A Block decoded from its start up to `produced`, with the decoder that
  // can go on (null once the Block ended and its Check was verified).
  struct PartialBlock {
    size_t block = 0;
    std::unique_ptr<BlockHead> head;  // the running decoder points into it
    std::unique_ptr<BlockDecoder> decoder;
    std::unique_ptr<uint8_t[]> data;
    // The Block after its header: a view into memory inputs, else in_owned.
    std::span<const uint8_t> in;
    std::vector<uint8_t> in_owned;
    uint64_t capacity = 0;
    uint64_t produced = 0;
    size_t consumed = 0;  // input after the Block Header
  };
  // One Block's part of a read. The calling thread fills the fields up to
  // `partial`; one worker then runs it (decoding into `dst` or `*partial`,
  // each Job's own) and sets `error`; the calling thread reads them after
  // parallel_for returned.
  struct Job {
    size_t block = 0;           // index into info_.blocks
    uint64_t from = 0, to = 0;  // wanted bytes of the Block
    uint8_t* dst = nullptr;     // where bytes [from, to) go
    PartialBlock* partial = nullptr;
    std::exception_ptr error;  // written by the worker
  };

  size_t BlockOrdinal(const lzma_index_iter& it) const {
    // info_.blocks is in file order; find the located Block by its offset.
    const uint64_t off = it.block.compressed_file_offset;
    auto pos = std::lower_bound(info_.blocks.begin(), info_.blocks.end(), off,
                                [](const XzBlockInfo& b, uint64_t o) {
                                  return b.compressed_offset < o;
                                });
    return static_cast<size_t>(pos - info_.blocks.begin());
  }

  // Decodes what `job` needs; the error, if any, goes to job.error (it runs
  // on workers and never throws).
  void Run(Job& job) {
    try {
      if (job.partial) {
        Advance(*job.partial, job.to);
      } else {
        DecodeWhole(job.block, job.dst);
      }
    } catch (...) {
      job.error = std::current_exception();
    }
  }

  [[noreturn]] void Fail(const XzBlockInfo& b, lzma_ret ret, size_t consumed,
                         uint32_t header_size) {
    if (ret == LZMA_STREAM_END || ret == LZMA_OK) ret = LZMA_DATA_ERROR;
    throw DecodeError(ret, BlockName(b),
                      b.compressed_offset + header_size + consumed, kOp);
  }

  // A Block needed in full: decoded into `dst` and verified.
  void DecodeWhole(size_t block, uint8_t* dst) {
    const XzBlockInfo& b = info_.blocks[block];
    BlockHead head;
    ReadIndexedHeader(file_, b, memlimit_, &head);
    const uint32_t header = head.block.header_size;
    std::vector<uint8_t> buf;
    const std::span<const uint8_t> in = ReadBlock(b, header, buf);
    std::unique_ptr<BlockDecoder> decoder = decoders_.Acquire();
    const BlockResult r = decoder->Decode(
        &head, {.in = in,
                .promise = BlockPromise::FromHeader(head),
                .out = BlockOutput::Into(
                    {dst, static_cast<size_t>(b.uncompressed_size)})});
    decoders_.Release(std::move(decoder));
    if (r.ret != LZMA_STREAM_END) Fail(b, r.ret, r.consumed, header);
  }

  // The bytes of Block `b` after its `header`: fewer than the Index says
  // only if the file shrank since it was opened (the decoder then fails
  // with "truncated").
  std::span<const uint8_t> ReadBlock(const XzBlockInfo& b, uint32_t header,
                                     std::vector<uint8_t>& buf) const {
    return file_.Read(b.compressed_offset + header,
                      static_cast<size_t>(b.total_size - header), buf);
  }

  // Decodes `p` on until `want` bytes are there (and, at the end of the
  // Block, through its Check).
  void Advance(PartialBlock& p, uint64_t want) {
    const XzBlockInfo& b = info_.blocks[p.block];
    if (!p.head) {
      p.head = std::make_unique<BlockHead>();
      ReadIndexedHeader(file_, b, memlimit_, p.head.get());
      p.in = ReadBlock(b, p.head->block.header_size, p.in_owned);
      p.decoder = decoders_.Acquire();
      const lzma_ret ret = p.decoder->Start(p.head.get());
      if (ret != LZMA_OK) Fail(b, ret, 0, p.head->block.header_size);
    }
    if (p.capacity < want) {
      // Grow geometrically, never beyond the Block.
      const uint64_t cap =
          std::min(b.uncompressed_size, std::max(want, 2 * p.capacity));
      std::unique_ptr<uint8_t[]> bigger(new uint8_t[cap]);
      if (p.produced > 0) std::memcpy(bigger.get(), p.data.get(), p.produced);
      p.data = std::move(bigger);
      p.capacity = cap;
    }
    const uint32_t header = p.head->block.header_size;
    const bool to_end = want == b.uncompressed_size;
    if (!p.decoder || (p.produced >= want && !to_end)) return;
    // Up to `want` bytes; at the end of the Block through its Check.
    const BlockResult r = p.decoder->Code(
        p.in.subspan(p.consumed),
        {p.data.get() + p.produced, static_cast<size_t>(want - p.produced)});
    p.consumed += r.consumed;
    p.produced += r.produced;
    // The verdict on the Block so far (all its input is there): stopping
    // short of `want`, or of its end when the Block is wanted whole, is
    // corruption.
    const lzma_ret verdict = BlockVerdict(
        {.ret = r.ret, .consumed = p.consumed, .produced = p.produced},
        BlockPromise::FromHeader(*p.head), p.produced < want || to_end);
    if (verdict == LZMA_STREAM_END) {
      decoders_.Release(std::move(p.decoder));
      return;
    }
    if (verdict != LZMA_OK) Fail(b, verdict, p.consumed, header);
  }

  // The cached partial decode of `block`, or a new one; the most recently
  // used first.
  PartialBlock* Partial(size_t block) {
    for (auto it = cache_.begin(); it != cache_.end(); ++it) {
      if (it->block == block) {
        cache_.splice(cache_.begin(), cache_, it);
        return &cache_.front();
      }
    }
    cache_.emplace_front();
    cache_.front().block = block;
    return &cache_.front();
  }

  void Forget(size_t block) {
    cache_.remove_if(
        [block](const PartialBlock& p) { return p.block == block; });
  }

  void Trim() {
    while (cache_.size() > options_.cache_blocks) cache_.pop_back();
  }

  struct FdCloser {
    int fd;
    ~FdCloser() {
      if (fd >= 0) close(fd);
    }
  } owned_fd_;
  ByteSource file_;
  RandomAccessOptions options_;
  uint64_t memlimit_;
  ThreadArena arena_;
  unsigned threads_;
  LzmaIndexPtr index_;
  XzFileInfo info_;
  // Most recently used first. The list is changed by the calling thread
  // only; during a read each worker advances the one PartialBlock its Job
  // names.
  std::list<PartialBlock> cache_;
  // Idle decoders: taken by whole-Block decodes on workers and by partial
  // Blocks, which keep theirs until the Block ended.
  BlockDecoderPool decoders_;
};

XzRandomAccess::XzRandomAccess(std::unique_ptr<Impl> impl)
    : impl_(std::move(impl)) {}
XzRandomAccess::~XzRandomAccess() = default;
XzRandomAccess::XzRandomAccess(XzRandomAccess&&) noexcept = default;
XzRandomAccess& XzRandomAccess::operator=(XzRandomAccess&&) noexcept = default;

XzRandomAccess XzRandomAccess::open_buffer(std::string_view xz,
                                           const RandomAccessOptions& options) {
  return XzRandomAccess(std::make_unique<Impl>(ByteSource(Bytes(xz)), options));
}

XzRandomAccess XzRandomAccess::open_fd(int fd,
                                       const RandomAccessOptions& options) {
  const int own = fcntl(fd, F_DUPFD_CLOEXEC, 0);
  if (own < 0) {
    throw Error(ErrorCode::kIo, "open",
                std::string("dup: ") + std::strerror(errno));
  }
  const std::optional<ByteSource> file = ByteSource::ForFd(own);
  if (!file) {
    close(own);
    ThrowNotAFile();
  }
  // The Impl owns `own` from here on, also when its constructor throws.
  return XzRandomAccess(std::make_unique<Impl>(*file, options, own));
}

XzRandomAccess XzRandomAccess::open_reader(PositionedRead read, uint64_t size,
                                           const RandomAccessOptions& options) {
  return XzRandomAccess(std::make_unique<Impl>(
      ByteSource::ForReader(std::move(read), size), options));
}

XzRandomAccess XzRandomAccess::open_file(const std::string& path,
                                         const RandomAccessOptions& options) {
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    throw Error(ErrorCode::kIo, "open", path + ": " + std::strerror(errno));
  }
  try {
    XzRandomAccess ra = open_fd(fd, options);
    close(fd);
    return ra;
  } catch (...) {
    close(fd);
    throw;
  }
}

uint64_t XzRandomAccess::size() const {
  return impl_->info().uncompressed_size;
}
const XzFileInfo& XzRandomAccess::info() const { return impl_->info(); }

std::string XzRandomAccess::read(uint64_t offset, uint64_t length) {
  const uint64_t size = impl_->info().uncompressed_size;
  if (offset >= size) return std::string();
  std::string out(static_cast<size_t>(std::min(length, size - offset)), '\0');
  impl_->ReadInto(offset, {reinterpret_cast<uint8_t*>(out.data()), out.size()});
  return out;
}

size_t XzRandomAccess::read_into(uint64_t offset, std::span<uint8_t> out) {
  return impl_->ReadInto(offset, out);
}

}  // namespace parxz
