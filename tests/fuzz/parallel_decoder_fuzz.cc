// Fuzz target: the parallel decoder (parallel/decode/parallel_decompressor.h)
// against the sequential one (core/decompressor.h) on mutated valid files.
//
// Input layout: byte 0 picks threads (1..3), the hard memory limit and
// use_index; byte 1 picks the API; the rest is the file. The seeds are valid
// multi-Block .xz files (as xz -T and parxz write them, with sizes in the
// Block Headers, and as single-threaded xz --block-size writes them, without)
// so that libFuzzer's mutations hit Block Headers, Index and Footer.
//
// Checked: ParallelDecompress, ParallelTest and DecompressFd (memfd in and
// out) give the same bytes as parxz::Decompress() (DecompressFd: at least
// those, see ExpectSame), or fail with the same ErrorCode; XzRandomAccess
// (on the buffer or on a memfd) returns exactly the bytes the sequential
// decoder gives at that offset whenever both succeed, or fails with an
// Error; never a crash, hang or leak.
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/decompressor.h"
#include "core/error.h"
#include "parallel/access/random_access.h"
#include "parallel/decode/parallel_decompressor.h"
#include "tests/fuzz/fuzz_util.h"

namespace parxz::fuzz {
namespace {

struct Verdict {
  std::string out;
  std::optional<ErrorCode> error;
  std::string message;
};

template <typename F>
Verdict Run(F&& f) {
  Verdict v;
  try {
    v.out = f();
  } catch (const Error& e) {
    v.error = e.code();
    v.message = e.what();
  }
  return v;
}

// A memfd holding `data`, positioned at 0; -1 on failure.
int MemFd(std::string_view data) {
  const int fd = memfd_create("parxz-fuzz", MFD_CLOEXEC);
  if (fd < 0) return -1;
  size_t pos = 0;
  while (pos < data.size()) {
    const ssize_t w = write(fd, data.data() + pos, data.size() - pos);
    if (w <= 0) {
      close(fd);
      return -1;
    }
    pos += static_cast<size_t>(w);
  }
  lseek(fd, 0, SEEK_SET);
  return fd;
}

std::string ReadBack(int fd) {
  std::string out;
  lseek(fd, 0, SEEK_SET);
  char buf[65536];
  for (;;) {
    const ssize_t r = read(fd, buf, sizeof buf);
    if (r <= 0) break;
    out.append(buf, static_cast<size_t>(r));
  }
  return out;
}

// `streaming`: DecompressFd in kPython mode may already have written part of
// a later stream that then turns out invalid (documented); its output must
// still start with the sequential output.
void ExpectSame(const Verdict& seq, const Verdict& par, const char* what,
                bool streaming = false) {
  FUZZ_CHECK(seq.error == par.error,
             "%s: verdicts differ: sequential %d (%s), parallel %d (%s)", what,
             seq.error ? static_cast<int>(*seq.error) : 0, seq.message.c_str(),
             par.error ? static_cast<int>(*par.error) : 0, par.message.c_str());
  if (!seq.error && streaming) {
    FUZZ_CHECK(par.out.compare(0, seq.out.size(), seq.out) == 0,
               "%s: output does not start with the sequential output", what);
  } else if (!seq.error) {
    FUZZ_CHECK(seq.out == par.out, "%s: output differs (%zu vs %zu bytes)",
               what, seq.out.size(), par.out.size());
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
  const std::string_view file = input.Rest();

  ParallelDecodeOptions po;
  po.threads = 1 + b0 % 3;
  switch ((b0 >> 2) & 3) {
    case 0:
      po.memlimit_hard = 256 << 20;
      break;
    case 1:
      po.memlimit_hard = 1 << 20;
      break;
    case 2:
      po.memlimit_hard = 1;
      break;
    default:
      po.memlimit_hard = 64 << 20;
      break;
  }
  if (b0 & 0x10)
    po.memlimit_soft = std::min<uint64_t>(1 << 20, *po.memlimit_hard);
  po.use_index = (b0 & 0x20) == 0;
  po.format = (b0 & 0x40) ? Format::kXz : Format::kAuto;

  const Verdict seq = Run([&] {
    return Decompress(file,
                      {.format = po.format, .memlimit = po.memlimit_hard});
  });
  // Decompression bombs are not bugs; keep the runs fast.
  if (seq.out.size() > (8 << 20)) return 0;

  switch (b1 % 4) {
    case 0:
      ExpectSame(seq, Run([&] { return ParallelDecompress(file, po); }),
                 "ParallelDecompress");
      break;
    case 1: {
      const Verdict t = Run([&] {
        const DecompressStats st = ParallelTest(file, po);
        FUZZ_CHECK(st.out_bytes == seq.out.size() || seq.error,
                   "ParallelTest counted %llu bytes, expected %zu",
                   static_cast<unsigned long long>(st.out_bytes),
                   seq.out.size());
        return seq.out;  // ParallelTest keeps no output
      });
      ExpectSame(seq, t, "ParallelTest");
      break;
    }
    case 3: {
      // Up to 64 KiB from an offset picked by both option bytes.
      const uint64_t offset =
          (uint64_t{b0} << 8 | b1) * 977 % (seq.out.size() + 1);
      const size_t length = 1 + (uint64_t{b1} << 8 | b0) % (64 << 10);
      const int fd = (b1 & 0x80) ? MemFd(file) : -1;
      try {
        const RandomAccessOptions ro{.threads = po.threads,
                                     .memlimit = po.memlimit_hard};
        XzRandomAccess ra = fd >= 0 ? XzRandomAccess::open_fd(fd, ro)
                                    : XzRandomAccess::open_buffer(file, ro);
        const uint64_t size = ra.info().uncompressed_size;
        std::string got(length, '\0');
        const size_t n = ra.read_into(
            offset, {reinterpret_cast<uint8_t*>(got.data()), got.size()});
        FUZZ_CHECK(
            n ==
                (offset < size ? std::min<uint64_t>(length, size - offset) : 0),
            "ReadInto returned %zu bytes", n);
        if (!seq.error && size == seq.out.size()) {
          FUZZ_CHECK(got.compare(0, n, seq.out, offset, n) == 0,
                     "random access at %llu differs from the sequential "
                     "decoder",
                     static_cast<unsigned long long>(offset));
        }
      } catch (const Error&) {
        // Corrupt Index or Blocks: an error is the expected outcome.
      }
      if (fd >= 0) close(fd);
      break;
    }
    default: {
      const int in = MemFd(file);
      const int out = MemFd("");
      if (in < 0 || out < 0) {
        if (in >= 0) close(in);
        if (out >= 0) close(out);
        return 0;
      }
      const Verdict fd = Run([&] {
        DecompressFd(in, out, po);
        return ReadBack(out);
      });
      ExpectSame(seq, fd, "DecompressFd", /*streaming=*/true);
      close(in);
      close(out);
      break;
    }
  }
  return 0;
}
