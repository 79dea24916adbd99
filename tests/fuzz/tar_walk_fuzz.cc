// Fuzz target: the tar walk of parallel/access/tar_members.h (libarchive
// over decoded bytes, skipping member data) on arbitrary "tar" bytes.
//
// Input layout: byte 0 picks the read sizes (first_read, max_read) and the
// Block size; byte 1 seeds which members are selected; the rest is the
// uncompressed tar data, compressed here by ParallelCompressor into small
// Blocks and walked through XzRandomAccess (buffer) and through the stream
// input (a memfd read in order).
//
// Checked invariants:
//   - only parxz::Error escapes;
//   - members tile the data: header offsets increase, each member ends where
//     the next one's header starts, and nothing lies past the data;
//   - an extraction that succeeds writes exactly the input's bytes
//     [header_offset, end_offset) of each selected member, in order, then
//     1024 zero bytes;
//   - the stream input gives the same members (or an error of the same code)
//     as the seekable one, and the same extraction.
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "parallel/access/random_access.h"
#include "parallel/access/tar_members.h"
#include "parallel/compress/parallel_compressor.h"
#include "tests/fuzz/fuzz_util.h"

namespace parxz::fuzz {
namespace {

struct Outcome {
  std::optional<ErrorCode> error;
  std::vector<TarMember> members;
  std::string out;
};

Outcome Walk(TarInput& in, uint8_t seed, const TarWalkOptions& o) {
  Outcome r;
  Rng rng(seed);
  const TarSink sink = [&](std::span<const uint8_t> b) {
    r.out.append(reinterpret_cast<const char*>(b.data()), b.size());
  };
  try {
    r.members = WalkTar(
        in, [&](const TarMember&) { return rng.Below(2) == 0; }, &sink, o);
  } catch (const Error& e) {
    r.error = e.code();
  }
  return r;
}

void CheckTiling(const Outcome& r, std::string_view plain) {
  uint64_t prev = 0;
  for (const TarMember& m : r.members) {
    FUZZ_CHECK(m.header_offset >= prev);
    FUZZ_CHECK(m.end_offset >= m.header_offset);
    FUZZ_CHECK(m.end_offset <= plain.size());
    prev = m.end_offset;
  }
  for (size_t i = 0; i + 1 < r.members.size(); ++i) {
    FUZZ_CHECK(r.members[i].end_offset == r.members[i + 1].header_offset);
  }
}

// What a successful extraction must have written, given the selection the
// walk made (replayed with the same seed).
std::string Expected(const Outcome& r, std::string_view plain, uint8_t seed) {
  Rng rng(seed);
  std::string want;
  for (const TarMember& m : r.members) {
    if (rng.Below(2) == 0) {
      want += plain.substr(m.header_offset, m.end_offset - m.header_offset);
    }
  }
  return want + std::string(1024, '\0');
}

int MemFd(std::string_view data) {
  const int fd = memfd_create("parxz-tar-fuzz", MFD_CLOEXEC);
  if (fd < 0) return -1;
  if (write(fd, data.data(), data.size()) !=
      static_cast<ssize_t>(data.size())) {
    close(fd);
    return -1;
  }
  lseek(fd, 0, SEEK_SET);
  return fd;
}

}  // namespace
}  // namespace parxz::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace parxz;
  using namespace parxz::fuzz;
  FuzzInput input(data, size);
  const uint8_t shape = input.Byte();
  const uint8_t seed = input.Byte();
  const std::string_view plain = input.Rest();
  if (plain.size() > (1 << 20)) return 0;
  const TarWalkOptions o{.first_read = size_t{512} << (shape & 3),
                         .max_read = size_t{512} << (shape >> 2 & 7)};
  ParallelOptions c;
  c.preset = 0;
  c.threads = 1;
  c.block_size = 512 + static_cast<uint64_t>(shape >> 5) * 1500;
  ParallelCompressor compressor(c);
  std::string xz = compressor.compress(plain);
  xz += compressor.flush();

  XzRandomAccess ra = XzRandomAccess::open_buffer(xz, {.threads = 2});
  std::unique_ptr<TarInput> seekable = TarInput::FromRandomAccess(ra);
  const Outcome a = Walk(*seekable, seed, o);
  if (!a.error) {
    CheckTiling(a, plain);
    FUZZ_CHECK(a.out == Expected(a, plain, seed));
  }

  const int fd = MemFd(xz);
  if (fd < 0) return 0;
  std::unique_ptr<TarInput> stream = TarInput::FromStream(fd, {.threads = 2});
  const Outcome b = Walk(*stream, seed, o);
  close(fd);
  FUZZ_CHECK(a.error == b.error, "seekable %d, stream %d",
             a.error ? static_cast<int>(*a.error) : 0,
             b.error ? static_cast<int>(*b.error) : 0);
  if (!a.error) {
    FUZZ_CHECK(a.members.size() == b.members.size());
    for (size_t i = 0; i < a.members.size(); ++i) {
      FUZZ_CHECK(a.members[i].name == b.members[i].name);
      FUZZ_CHECK(a.members[i].end_offset == b.members[i].end_offset);
    }
    FUZZ_CHECK(a.out == b.out);
  }
  return 0;
}
