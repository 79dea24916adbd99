// The random-access half of the C API (parxz_reader.h): a thin handle over
// parxz::XzRandomAccess (parallel/access/random_access.h), which does the
// work and is itself safe for concurrent reads. Errors go to the calling
// thread's last error only (no handle message: reads run concurrently).
#include <algorithm>
#include <cstring>
#include <limits>
#include <memory>
#include <string>

#include "capi/c_support.h"
#include "parallel/access/random_access.h"

namespace {

using parxz::capi::Guard;
using parxz::capi::Require;

constexpr char kOpenOp[] = "reader open";

parxz::RandomAccessOptions ToOptions(const parxz_reader_options* in) {
  parxz_reader_options o;
  parxz_reader_options_init(&o);
  if (in != nullptr) o = *in;
  parxz::RandomAccessOptions r;
  r.threads = o.threads;
  if (o.memlimit != 0) r.memlimit = o.memlimit;  // 0: none
  r.cache_blocks = static_cast<size_t>(
      std::min<uint64_t>(o.cache_blocks, std::numeric_limits<size_t>::max()));
  return r;
}

}  // namespace

struct parxz_reader {
  explicit parxz_reader(parxz::XzRandomAccess r) : ra(std::move(r)) {}
  parxz::XzRandomAccess ra;  // const after opening but for its reads
};

namespace {

template <typename Open>
int OpenReader(parxz_reader** out, Open&& open) {
  return Guard(kOpenOp, nullptr, nullptr, [&] {
    Require(out != nullptr, "out is NULL");
    *out = nullptr;
    *out = new parxz_reader(open());
  });
}

}  // namespace

extern "C" {

void parxz_reader_options_init(parxz_reader_options* options) {
  if (options == nullptr) return;
  std::memset(options, 0, sizeof *options);
  options->threads = 1;
  options->cache_blocks = 2;
}

int parxz_reader_open_file(const char* path,
                           const parxz_reader_options* options,
                           parxz_reader** out) {
  return OpenReader(out, [&] {
    Require(path != nullptr, "path is NULL");
    return parxz::XzRandomAccess::open_file(path, ToOptions(options));
  });
}

int parxz_reader_open_fd(int fd, const parxz_reader_options* options,
                         parxz_reader** out) {
  return OpenReader(out, [&] {
    Require(fd >= 0, "fd is negative");
    return parxz::XzRandomAccess::open_fd(fd, ToOptions(options));
  });
}

int parxz_reader_open_buffer(const void* xz, size_t len,
                             const parxz_reader_options* options,
                             parxz_reader** out) {
  return OpenReader(out, [&] {
    Require(xz != nullptr || len == 0, "xz is NULL");
    return parxz::XzRandomAccess::open_buffer(parxz::capi::Bytes(xz, len),
                                              ToOptions(options));
  });
}

int parxz_reader_open_callback(parxz_read_fn read, void* opaque, uint64_t size,
                               const parxz_reader_options* options,
                               parxz_reader** out) {
  return OpenReader(out, [&] {
    Require(read != nullptr, "read is NULL");
    auto positioned = [read, opaque](uint64_t offset,
                                     std::span<uint8_t> dst) -> size_t {
      const size_t n = read(opaque, offset, dst.data(), dst.size());
      if (n == PARXZ_READ_ERROR) {
        throw parxz::Error(
            parxz::ErrorCode::kIo, "read",
            "read callback failed at offset " + std::to_string(offset));
      }
      return n;
    };
    return parxz::XzRandomAccess::open_reader(positioned, size,
                                              ToOptions(options));
  });
}

uint64_t parxz_reader_size(const parxz_reader* r) {
  return r ? r->ra.size() : 0;
}

uint64_t parxz_reader_compressed_size(const parxz_reader* r) {
  return r ? r->ra.info().file_size : 0;
}

uint32_t parxz_reader_stream_count(const parxz_reader* r) {
  return r ? static_cast<uint32_t>(r->ra.info().streams.size()) : 0;
}

uint64_t parxz_reader_block_count(const parxz_reader* r) {
  return r ? r->ra.info().blocks.size() : 0;
}

int parxz_reader_block_info(const parxz_reader* r, uint64_t index,
                            parxz_block_info* info) {
  return Guard("reader block info", nullptr, nullptr, [&] {
    Require(r != nullptr, "reader is NULL");
    Require(info != nullptr, "info is NULL");
    Require(index < r->ra.info().blocks.size(), "no Block of that index");
    const parxz::XzBlockInfo& b = r->ra.info().blocks[index];
    std::memset(info, 0, sizeof *info);
    info->compressed_offset = b.compressed_offset;
    info->total_size = b.total_size;
    info->uncompressed_offset = b.uncompressed_offset;
    info->uncompressed_size = b.uncompressed_size;
    info->stream = b.stream;
    info->check = b.check_id;
    info->number_in_stream = b.number_in_stream;
  });
}

uint64_t parxz_reader_block_at(const parxz_reader* r, uint64_t offset) {
  if (r == nullptr) return 0;
  const auto& blocks = r->ra.info().blocks;
  if (offset >= r->ra.size()) return blocks.size();
  // The last Block starting at or before `offset`: empty Blocks at the
  // same offset come before the one holding it.
  auto after = std::upper_bound(blocks.begin(), blocks.end(), offset,
                                [](uint64_t o, const parxz::XzBlockInfo& b) {
                                  return o < b.uncompressed_offset;
                                });
  return static_cast<uint64_t>(after - blocks.begin()) - 1;
}

int parxz_reader_pread(parxz_reader* r, void* dst, size_t n, uint64_t offset,
                       size_t* out_len) {
  return Guard("reader pread", nullptr, nullptr, [&] {
    Require(out_len != nullptr, "out_len is NULL");
    *out_len = 0;
    Require(r != nullptr, "reader is NULL");
    Require(dst != nullptr || n == 0, "dst is NULL");
    *out_len = r->ra.read_into(offset, parxz::capi::Span(dst, n));
  });
}

void parxz_reader_free(parxz_reader* r) { delete r; }

}  // extern "C"
