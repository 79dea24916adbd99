// Fuzz target: the C reader (capi/parxz_reader.h) on mutated multi-Block and
// multi-Stream .xz files, against the sequential decoder (core/).
//
// Input layout: byte 0 picks how the reader is opened (buffer, callback
// handing out short pieces, callback that fails after some calls), its
// threads (1..2), cache_blocks (0..3) and a memlimit; byte 1 seeds the
// ranges and whether two threads read at once; the rest is the file.
//
// Checked: open either succeeds with a reader or fails with a PARXZ_E_*
// code, a NULL reader and a message; a read either fails the same way
// (PARXZ_E_IO only from a failing callback) with *out_len 0, or returns
// min(n, size - offset) bytes, which equal the sequential decoder's at
// that offset whenever that decoder accepts the whole file; the Block table
// tiles the data; never a crash, hang or leak.
#include <parxz.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "core/decompressor.h"
#include "core/error.h"
#include "tests/fuzz/fuzz_util.h"

namespace parxz::fuzz {
namespace {

struct Source {
  std::string_view file;
  size_t piece = 0;         // callback: at most this many bytes a call
  int64_t fail_after = -1;  // callback: calls that succeed before failing
  std::atomic<int64_t> calls{0};
  std::atomic<bool> failed{false};
};

size_t ReadPiece(void* opaque, uint64_t offset, void* dst, size_t n) {
  Source* s = static_cast<Source*>(opaque);
  if (s->fail_after >= 0 && s->calls.fetch_add(1) >= s->fail_after) {
    s->failed = true;
    return PARXZ_READ_ERROR;
  }
  if (offset >= s->file.size()) return 0;
  n = std::min({n, s->piece, static_cast<size_t>(s->file.size() - offset)});
  std::memcpy(dst, s->file.data() + offset, n);
  return n;
}

bool IsCode(int rc) { return rc > PARXZ_OK && rc <= PARXZ_E_CANCELLED; }

// Reads `count` random ranges; checks each against `want` (when known).
void ReadRanges(parxz_reader* r, const Source& src,
                const std::optional<std::string>& want, uint64_t seed,
                int count) {
  Rng rng(seed);
  const uint64_t size = parxz_reader_size(r);
  std::string buf;
  for (int i = 0; i < count; ++i) {
    const uint64_t offset = rng.Below(size + 64);
    const size_t n =
        static_cast<size_t>(rng.Size(std::min<uint64_t>(size + 64, 256 << 10)));
    buf.assign(n, '\x55');
    size_t got = 12345;
    const int rc = parxz_reader_pread(r, buf.data(), n, offset, &got);
    if (rc != PARXZ_OK) {
      FUZZ_CHECK(IsCode(rc) && got == 0, "rc %d got %zu", rc, got);
      FUZZ_CHECK(*parxz_last_error_message() != '\0');
      FUZZ_CHECK(rc != PARXZ_E_IO || src.failed.load());
      FUZZ_CHECK(rc != PARXZ_E_BAD_OPTIONS && rc != PARXZ_E_INTERNAL,
                 "rc %d: %s", rc, parxz_last_error_message());
      continue;
    }
    const uint64_t exp =
        offset >= size ? 0 : std::min<uint64_t>(n, size - offset);
    FUZZ_CHECK(got == exp, "pread(%llu, %zu) gave %zu, not %llu",
               static_cast<unsigned long long>(offset), n, got,
               static_cast<unsigned long long>(exp));
    if (want && got > 0) {
      FUZZ_CHECK(std::memcmp(buf.data(), want->data() + offset, got) == 0,
                 "bytes at %llu differ from the sequential decoder",
                 static_cast<unsigned long long>(offset));
    }
  }
}

}  // namespace
}  // namespace parxz::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace parxz;
  using namespace parxz::fuzz;
  FuzzInput input(data, size);
  const uint8_t b0 = input.Byte();
  const uint8_t b1 = input.Byte();
  Source src;
  src.file = input.Rest();

  // The reference: the whole file through the sequential decoder, which
  // also accepts trailing junk after a first Stream, so it counts only when
  // its size is the reader's.
  std::optional<std::string> want;
  try {
    want = Decompress(src.file,
                      {.format = Format::kXz, .memlimit = uint64_t{256} << 20});
  } catch (const Error&) {
  }
  if (want && want->size() > (8u << 20)) return 0;  // bombs: keep runs fast

  parxz_reader_options o;
  parxz_reader_options_init(&o);
  o.threads = 1 + ((b0 >> 2) & 1);
  o.cache_blocks = (b0 >> 3) & 3;
  o.memlimit = (b0 & 0x20) ? (1u << 20) : 0;
  parxz_reader* r = reinterpret_cast<parxz_reader*>(&src);  // must be reset
  int rc;
  switch (b0 & 3) {
    case 0:
      rc = parxz_reader_open_buffer(src.file.data(), src.file.size(), &o, &r);
      break;
    case 1:
      src.piece = 1 + b1 % 61;
      rc = parxz_reader_open_callback(ReadPiece, &src, src.file.size(), &o, &r);
      break;
    default:
      src.piece = SIZE_MAX;
      src.fail_after = b1 % 16;
      rc = parxz_reader_open_callback(ReadPiece, &src, src.file.size(), &o, &r);
      break;
  }
  if (rc != PARXZ_OK) {
    FUZZ_CHECK(IsCode(rc) && r == nullptr, "open: rc %d", rc);
    FUZZ_CHECK(*parxz_last_error_message() != '\0');
    FUZZ_CHECK(rc != PARXZ_E_IO || src.failed.load());
    return 0;
  }
  FUZZ_CHECK(r != nullptr);
  if (want && want->size() != parxz_reader_size(r)) want.reset();

  // The Block table tiles the data.
  uint64_t sum = 0;
  const uint64_t blocks = parxz_reader_block_count(r);
  for (uint64_t i = 0; i < blocks; ++i) {
    parxz_block_info b;
    FUZZ_CHECK(parxz_reader_block_info(r, i, &b) == PARXZ_OK);
    FUZZ_CHECK(b.uncompressed_offset == sum);
    sum += b.uncompressed_size;
  }
  FUZZ_CHECK(sum == parxz_reader_size(r));

  if (b1 & 0x80) {
    std::thread other([&] { ReadRanges(r, src, want, b1 + 1000u, 6); });
    ReadRanges(r, src, want, b1, 6);
    other.join();
  } else {
    ReadRanges(r, src, want, b1, 8);
  }
  parxz_reader_free(r);
  return 0;
}
