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
#include <mutex>
#include <new>
#include <optional>
#include <utility>

#include "parallel/access/file_index.h"
#include "parallel/access/xz_info.h"
#include "parallel/common/threads.h"
#include "parallel/decode/block_decoder.h"
#include "parallel/decode/decode_input.h"
#include "parallel/decode/xz_parser.h"

namespace parxz {

namespace {

using access_internal::BlockName;
using access_internal::InfoFromIndex;
using access_internal::kOp;
using access_internal::ReadIndexedHeader;
using access_internal::ThrowNotAFile;

std::span<const uint8_t> Bytes(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

}  // namespace

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

    // Each Job decodes (or, for a partial Block already decoded far
    // enough by an earlier or concurrent read, copies) its part.
    if (jobs.size() == 1 || threads_ == 1) {
      // On the caller's thread; the first failure in file order ends it.
      for (Job& j : jobs) {
        Run(j);
        if (j.error) std::rethrow_exception(j.error);
      }
    } else {
      arena_.execute([&] {
        tbb::parallel_for(size_t{0}, jobs.size(),
                          [&](size_t k) { Run(jobs[k]); });
      });
      // The first failing Block in file order decides.
      for (Job& j : jobs) {
        if (j.error) std::rethrow_exception(j.error);
      }
    }
    return static_cast<size_t>(end - offset);
  }

 private:
  // A Block decoded from its start up to `produced`, with the decoder that
  // can go on (null once the Block ended and its Check was verified). Shared
  // by the cache and the reads using it; `mu` is held by the one thread that
  // advances it or copies from it, and guards every field below it.
  struct PartialBlock {
    explicit PartialBlock(size_t b) : block(b) {}
    const size_t block;  // index into info_.blocks
    std::mutex mu;
    std::unique_ptr<BlockHead> head;  // the running decoder points into it
    std::unique_ptr<BlockDecoder> decoder;
    std::unique_ptr<uint8_t[]> data;
    // The Block after its header: a view into memory inputs, else in_owned.
    std::span<const uint8_t> in;
    std::vector<uint8_t> in_owned;
    uint64_t capacity = 0;
    uint64_t produced = 0;
    size_t consumed = 0;  // input after the Block Header
    // Set when advancing failed: reads waiting for it fail the same way (the
    // entry has left the cache, so later reads start afresh).
    std::optional<Error> failure;
  };
  // One Block's part of a read. The calling thread fills the fields up to
  // `partial`; one thread (the caller or a worker) then runs it and sets
  // `error`; the caller reads that after parallel_for returned.
  struct Job {
    size_t block = 0;           // index into info_.blocks
    uint64_t from = 0, to = 0;  // wanted bytes of the Block
    uint8_t* dst = nullptr;     // where bytes [from, to) go
    std::shared_ptr<PartialBlock> partial;
    std::exception_ptr error;  // written by the thread running the Job
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
        RunPartial(job);
      } else {
        DecodeWhole(job.block, job.dst);
      }
    } catch (...) {
      job.error = std::current_exception();
    }
  }

  // Advances the shared partial Block as far as `job` needs (unless an
  // earlier or concurrent read did) and copies its part out, under the
  // Block's lock.
  void RunPartial(Job& job) {
    PartialBlock& p = *job.partial;
    std::lock_guard<std::mutex> lock(p.mu);
    // A fresh copy for each waiter: an exception object is never shared
    // between threads.
    if (p.failure) throw Error(*p.failure);
    try {
      Advance(p, job.to);
    } catch (...) {
      p.failure = AsError(std::current_exception());
      Forget(job.partial);
      throw;
    }
    std::memcpy(job.dst, p.data.get() + job.from, job.to - job.from);
  }

  static Error AsError(std::exception_ptr e) {
    try {
      std::rethrow_exception(e);
    } catch (const Error& error) {
      return error;
    } catch (const std::bad_alloc&) {
      return Error(ErrorCode::kOutOfMemory, kOp, "out of memory");
    } catch (const std::exception& other) {
      return Error(ErrorCode::kInternal, kOp, other.what());
    } catch (...) {
      return Error(ErrorCode::kInternal, kOp, "unknown exception");
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

  // The cached partial decode of `block`, or a new one, now the most
  // recently used; the least recently used beyond cache_blocks leave the
  // cache (a read still using one keeps it alive until it is done).
  std::shared_ptr<PartialBlock> Partial(size_t block) {
    std::lock_guard<std::mutex> lock(cache_mu_);
    for (auto it = cache_.begin(); it != cache_.end(); ++it) {
      if ((*it)->block == block) {
        cache_.splice(cache_.begin(), cache_, it);
        return cache_.front();
      }
    }
    auto p = std::make_shared<PartialBlock>(block);
    cache_.push_front(p);
    while (cache_.size() > options_.cache_blocks) cache_.pop_back();
    return p;
  }

  // A failed partial decode leaves the cache.
  void Forget(const std::shared_ptr<PartialBlock>& p) {
    std::lock_guard<std::mutex> lock(cache_mu_);
    cache_.remove(p);
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
  // Most recently used first, at most options_.cache_blocks; cache_mu_
  // guards the list (never held while decoding or waiting for a Block's
  // lock), each PartialBlock's own mutex its contents.
  std::mutex cache_mu_;
  std::list<std::shared_ptr<PartialBlock>> cache_;
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
