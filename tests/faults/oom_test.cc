// Allocation failure: core/ has no allocator hook, so each case runs in a
// child process under a lowered RLIMIT_AS (a gtest death test, re-executed,
// "threadsafe" style) where liblzma's and the C++ allocations really fail.
// Every case must end in a parxz::Error with ErrorCode::kOutOfMemory, never
// a crash. Skipped under ASan/TSan, which reserve terabytes of address space.
//
// Also here: a header asking for a huge dictionary is refused by a memory
// limit before anything is allocated (kMemLimit), in every build.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <lzma.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cstdio>
#include <string>

#include "core/compressor.h"
#include "core/decompressor.h"
#include "core/error.h"
#include "parallel/compress/parallel_compressor.h"
#include "tests/faults/fault_util.h"

namespace parxz::faults {
namespace {

constexpr rlim_t kLimit = 384u << 20;

// An .lzma file that decodes to "hello" but whose header asks for a
// dictionary of 4 GiB - 1 (the decoder allocates it before decoding).
std::string HugeDictAlone() {
  std::string s = Compress("hello", {.format = Format::kAlone, .preset = 0});
  for (int i = 1; i <= 4; ++i) s[i] = '\xFF';
  return s;
}

// A .xz file that decodes to `text` but whose LZMA2 filter asks for a 1.5 GiB
// dictionary (the Block Header's CRC32 is recomputed).
std::string HugeDictXz(const std::string& text) {
  std::string s = Compress(
      text, {.filters = FilterChain{{.id = FilterId::kLzma2, .preset = 0,
                                     .dict_size = 4096}}});
  const size_t header = 12;
  const size_t header_size = (static_cast<uint8_t>(s[header]) + 1) * 4;
  // Block Header: size, flags, [sizes], filter id 0x21, props size 1, props.
  const size_t props = s.find("\x21\x01", header + 2) + 2;
  s[props] = 40;  // dictionary 1536 MiB
  const uint32_t crc = lzma_crc32(
      reinterpret_cast<const uint8_t*>(s.data() + header), header_size - 4, 0);
  for (int i = 0; i < 4; ++i) {
    s[header + header_size - 4 + i] = static_cast<char>(crc >> (8 * i));
  }
  return s;
}

// Runs `body` in a child limited to kLimit bytes of address space; the child
// exits 0 iff `body` threw kOutOfMemory.
template <typename F>
void ExpectOutOfMemory(F body) {
  if (kSanitizerReservesAddressSpace) {
    GTEST_SKIP() << "RLIMIT_AS cannot work under ASan/TSan";
  }
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  auto child = [&] {
    const rlimit lim{kLimit, kLimit};
    if (setrlimit(RLIMIT_AS, &lim) != 0) _exit(3);
    try {
      body();
    } catch (const Error& e) {
      if (e.code() == ErrorCode::kOutOfMemory) _exit(0);
      std::fprintf(stderr, "wrong error: %s\n", e.what());
      _exit(2);
    } catch (const std::bad_alloc&) {
      std::fprintf(stderr, "std::bad_alloc escaped instead of kOutOfMemory\n");
      _exit(4);
    }
    std::fprintf(stderr, "no error\n");
    _exit(1);
  };
  EXPECT_EXIT(child(), ::testing::ExitedWithCode(0), "");
}

TEST(OutOfMemory, CompressorPreset9) {
  ExpectOutOfMemory([] {
    Compressor c({.preset = 9});  // 674 MiB for the encoder
    (void)c.compress(TestData(1 << 20));
    (void)c.flush();
  });
}

TEST(OutOfMemory, OneShotCompressPreset9) {
  ExpectOutOfMemory([] { (void)Compress(TestData(1000), {.preset = 9}); });
}

TEST(OutOfMemory, DecompressorHugeDictionaryAlone) {
  const std::string file = HugeDictAlone();
  ExpectOutOfMemory([&] { (void)Decompress(file); });
}

TEST(OutOfMemory, DecompressorHugeDictionaryXz) {
  const std::string file = HugeDictXz("hello hello hello");
  ExpectOutOfMemory([&] {
    Decompressor d;
    (void)d.decompress(file, 3);
  });
}

TEST(OutOfMemory, ParallelCompressorPreset9) {
  ExpectOutOfMemory([] {
    ParallelOptions o;
    o.preset = 9;
    o.threads = 2;
    o.block_size = 1 << 20;
    ParallelCompressor c(o);
    (void)c.compress(TestData(3 << 20));
    (void)c.flush();
  });
}

TEST(OutOfMemory, CompressFdPreset9) {
  ExpectOutOfMemory([] {
    const std::string path = TempPath("oom-in");
    WriteFileOrDie(path, TestData(3 << 20));
    const int in = open(path.c_str(), O_RDONLY);
    const int out = open("/dev/null", O_WRONLY);
    ParallelOptions o;
    o.preset = 9;
    o.threads = 2;
    o.block_size = 1 << 20;
    CompressFd(in, out, o);
  });
}

// The crafted files are otherwise valid: with memory they decode.
TEST(HugeHeaders, CraftedFilesAreValid) {
  EXPECT_EQ(Decompress(HugeDictXz("hello hello hello")), "hello hello hello");
  EXPECT_EQ(Decompress(HugeDictAlone(), {.memlimit = uint64_t{5} << 30}),
            "hello");
}

// A memory limit refuses the huge dictionary from the header alone.
TEST(HugeHeaders, MemlimitRefusesBeforeAllocating) {
  for (const std::string& file :
       {HugeDictAlone(), HugeDictXz("hello hello hello")}) {
    const Error e = CatchError(
        [&] { (void)Decompress(file, {.memlimit = 64 << 20}); });
    EXPECT_EQ(e.code(), ErrorCode::kMemLimit) << e.what();
    EXPECT_NE(std::string(e.what()).find("Memory usage limit"),
              std::string::npos);
  }
}

}  // namespace
}  // namespace parxz::faults
