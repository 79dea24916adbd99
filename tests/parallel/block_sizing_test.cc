// parallel/compress/block_sizing.h: xz's default Block size and --block-size=auto,
// as a table, against a reference written here another way, and against
// liblzma (which dictionary sizes LZMA2 stores, each preset's dictionary)
// and xz (what the Blocks of a compressed file hold).
#include "parallel/compress/block_sizing.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <lzma.h>
#include <unistd.h>

#include <sstream>
#include <string>
#include <vector>

#include "parallel/compress/parallel_compressor.h"
#include "tests/parallel/test_util.h"

namespace parxz {
namespace {

constexpr uint64_t kKiB = 1 << 10;
constexpr uint64_t kMiB = 1 << 20;
constexpr uint64_t kGiB = uint64_t{1} << 30;

// The dictionary LZMA2 records for `n`: liblzma rounds up to what its
// one-byte property can say; decoding the property gives that size back.
uint32_t LzmaStoredDict(uint32_t n) {
  lzma_options_lzma opt{};
  lzma_lzma_preset(&opt, 6);
  opt.dict_size = n;
  lzma_filter f{LZMA_FILTER_LZMA2, &opt};
  uint8_t props = 0;
  EXPECT_EQ(lzma_properties_encode(&f, &props), LZMA_OK);
  lzma_filter back{LZMA_FILTER_LZMA2, nullptr};
  EXPECT_EQ(lzma_properties_decode(&back, nullptr, &props, 1), LZMA_OK);
  const uint32_t d = static_cast<lzma_options_lzma*>(back.options)->dict_size;
  free(back.options);
  return d;
}

uint32_t PresetDict(uint32_t preset) {
  lzma_options_lzma opt{};
  EXPECT_FALSE(lzma_lzma_preset(&opt, preset));
  return opt.dict_size;
}

TEST(BlockSizingTest, EncodableDictSizeIsWhatLzma2Stores) {
  std::vector<uint64_t> sizes = {1, 4095, 4096, 4097, 6144, 6145, 8191};
  for (int k = 13; k <= 30; ++k) {
    const uint64_t p = uint64_t{1} << k;
    for (uint64_t n :
         {p - 1, p, p + 1, p + p / 2 - 1, p + p / 2, p + p / 2 + 1}) {
      sizes.push_back(n);
    }
  }
  for (uint64_t n : sizes) {
    SCOPED_TRACE(n);
    const uint32_t ours = EncodableDictSize(n);
    EXPECT_GE(ours, n);
    // liblzma's minimum dictionary is 4 KiB.
    EXPECT_EQ(ours, LzmaStoredDict(
                        static_cast<uint32_t>(std::max<uint64_t>(n, 4096))));
  }
}

TEST(BlockSizingTest, Table) {
  struct Row {
    uint64_t block_size;
    std::optional<uint64_t> input_size;
    unsigned threads;
    uint32_t dict;
    uint64_t want_block;
    uint32_t want_dict;
  };
  const uint32_t d6 = 8 * kMiB, d9 = 64 * kMiB, d0 = 256 * kKiB;
  const std::vector<Row> rows = {
      // The default: xz's max(3 x dict, 1 MiB), whatever the size.
      {0, std::nullopt, 2, d6, 24 * kMiB, d6},
      {0, 40 * kMiB, 2, d9, 192 * kMiB, d9},
      {0, 1, 2, d0, 1 * kMiB, d0},
      // A given size stands.
      {5 * kMiB + 3, 100 * kMiB, 2, d9, 5 * kMiB + 3, d9},
      // Auto without a size (a pipe): the default.
      {kBlockSizeAuto, std::nullopt, 2, d9, 192 * kMiB, d9},
      {kBlockSizeAuto, std::nullopt, 64, d6, 24 * kMiB, d6},
      // sil7.tar (81,940,480 B) at -9 on 2 threads: 40 MiB Blocks, the
      // dictionary lowered to 48 MiB (3 x 2^24), which holds one.
      {kBlockSizeAuto, 81940480, 2, d9, 40 * kMiB, 48 * kMiB},
      // Exactly two Blocks of 24 MiB: 24 MiB is a stored size itself.
      {kBlockSizeAuto, 48 * kMiB, 2, d9, 24 * kMiB, 24 * kMiB},
      {kBlockSizeAuto, 48 * kMiB + 1, 2, d9, 25 * kMiB, 32 * kMiB},
      // Small inputs: 1 MiB Blocks, dictionary 1 MiB.
      {kBlockSizeAuto, 0, 2, d9, 1 * kMiB, 1 * kMiB},
      {kBlockSizeAuto, 1000, 8, d9, 1 * kMiB, 1 * kMiB},
      {kBlockSizeAuto, 3 * kMiB, 4, d6, 1 * kMiB, 1 * kMiB},
      // Huge inputs: capped at the default, dictionary untouched.
      {kBlockSizeAuto, uint64_t{1} << 40, 2, d6, 24 * kMiB, d6},
      {kBlockSizeAuto, UINT64_MAX, 1, d9, 192 * kMiB, d9},
      {kBlockSizeAuto, UINT64_MAX - 1, 64, d9, 192 * kMiB, d9},
      // Many threads: 100 MiB / 64 = 1.5625 MiB -> 2 MiB.
      {kBlockSizeAuto, 100 * kMiB, 64, d6, 2 * kMiB, 2 * kMiB},
      // One thread: the whole input, up to the default.
      {kBlockSizeAuto, 10 * kMiB, 1, d6, 10 * kMiB, d6},
      {kBlockSizeAuto, 5 * kMiB, 1, d6, 5 * kMiB, 6 * kMiB},
      // -0: the default is 1 MiB (3 x 256 KiB is less), above the dict.
      {kBlockSizeAuto, 10 * kMiB, 4, d0, 1 * kMiB, d0},
      // A default that is no whole MiB (dict 1.5 MiB: 4.5 MiB) is the cap.
      {kBlockSizeAuto, 100 * kMiB, 2, 3 * kMiB / 2, 9 * kMiB / 2, 3 * kMiB / 2},
      // Between the dictionary and the default: the dictionary stays.
      {kBlockSizeAuto, 40 * kMiB, 2, d6, 20 * kMiB, d6},
  };
  for (const Row& r : rows) {
    SCOPED_TRACE(::testing::Message()
                 << r.block_size << " size " << r.input_size.value_or(-1)
                 << " -T" << r.threads << " dict " << r.dict);
    const BlockSizing s =
        SizeBlocks(r.block_size, r.input_size, r.threads, r.dict);
    EXPECT_EQ(s.block_size, r.want_block);
    EXPECT_EQ(s.dict_size, r.want_dict);
  }
}

// The rule written as a search rather than arithmetic: the smallest whole
// MiB that T Blocks of it cover S with, capped; the smallest stored
// dictionary (liblzma's) that holds such a Block.
BlockSizing Reference(uint64_t s, unsigned t, uint32_t dict) {
  const uint64_t cap = std::max<uint64_t>(3 * uint64_t{dict}, kMiB);
  uint64_t b = kMiB;
  while (b < cap && static_cast<unsigned __int128>(b) * t < s) b += kMiB;
  b = std::min(b, cap);
  if (b >= dict) return {b, dict};
  return {b, LzmaStoredDict(static_cast<uint32_t>(b))};
}

TEST(BlockSizingTest, EveryPresetAndThreadCount) {
  const std::vector<uint64_t> sizes = {
      0,         1,        kMiB - 1,       kMiB,     7 * kMiB + 3,
      40 * kMiB, 81940480, 250 * kMiB + 1, 3 * kGiB, uint64_t{1} << 44};
  for (uint32_t level = 0; level <= 9; ++level) {
    for (uint32_t extreme : {0u, LZMA_PRESET_EXTREME}) {
      const uint32_t dict = PresetDict(level | extreme);
      const uint64_t xz_default = std::max<uint64_t>(3 * uint64_t{dict}, kMiB);
      EXPECT_EQ(DefaultBlockSize(dict), xz_default);
      for (unsigned t = 1; t <= 64; ++t) {
        for (uint64_t s : sizes) {
          SCOPED_TRACE(::testing::Message()
                       << "-" << level << (extreme ? "e" : "") << " -T" << t
                       << " size " << s);
          const BlockSizing got = SizeBlocks(kBlockSizeAuto, s, t, dict);
          const BlockSizing want = Reference(s, t, dict);
          ASSERT_EQ(got.block_size, want.block_size);
          ASSERT_EQ(got.dict_size, want.dict_size);
          // Never above xz's default, never below 1 MiB.
          ASSERT_LE(got.block_size, xz_default);
          ASSERT_GE(got.block_size, std::min<uint64_t>(kMiB, xz_default));
          // A Block always fits in its dictionary when it was lowered, and
          // the dictionary is never raised.
          ASSERT_LE(got.dict_size, dict);
          if (got.dict_size < dict) {
            ASSERT_GE(got.dict_size, got.block_size);
          }
          // Every thread gets work: no more Blocks than threads unless the
          // cap stopped the Blocks from growing.
          if (got.block_size < xz_default && s > 0) {
            ASSERT_LE((s - 1) / got.block_size + 1, t);
          }
        }
      }
    }
  }
}

TEST(BlockSizingTest, ResolvedOptionsCarryTheLoweredDictionary) {
  ParallelOptions o{.preset = 9, .threads = 2, .block_size = kBlockSizeAuto};
  o.input_size = 81940480;
  const ParallelOptions r = ResolveParallelOptions(o);
  EXPECT_EQ(r.block_size, 40 * kMiB);
  ASSERT_TRUE(r.filters.has_value());
  EXPECT_FALSE(r.preset.has_value());
  ASSERT_EQ(r.filters->size(), 1u);
  EXPECT_EQ(r.filters->back().dict_size, 48 * kMiB);
  EXPECT_EQ(r.filters->back().preset, 9u);
  // -9e keeps the extreme preset's other settings.
  o.extreme = true;
  const ParallelOptions re = ResolveParallelOptions(o);
  ASSERT_TRUE(re.filters.has_value());
  EXPECT_EQ(re.filters->back().preset, 9u | LZMA_PRESET_EXTREME);
  EXPECT_FALSE(re.extreme);
  // A custom chain keeps its filters; only the last one's dictionary moves.
  ParallelOptions c{.threads = 4, .block_size = kBlockSizeAuto};
  c.filters = FilterChain{{.id = FilterId::kDelta, .dist = 4},
                          {.preset = 6, .dict_size = 8 * kMiB}};
  c.input_size = 3 * kMiB;
  const ParallelOptions rc = ResolveParallelOptions(c);
  EXPECT_EQ(rc.block_size, kMiB);
  ASSERT_EQ(rc.filters->size(), 2u);
  EXPECT_EQ(rc.filters->front(), c.filters->front());
  EXPECT_EQ(rc.filters->back().dict_size, kMiB);
  // Without a size, auto is the default and nothing else changes.
  ParallelOptions u{.preset = 9, .threads = 2, .block_size = kBlockSizeAuto};
  const ParallelOptions ru = ResolveParallelOptions(u);
  EXPECT_EQ(ru.block_size, 192 * kMiB);
  EXPECT_EQ(ru.preset, 9u);
  EXPECT_FALSE(ru.filters.has_value());
  // Resolving twice changes nothing more.
  const ParallelOptions again = ResolveParallelOptions(r);
  EXPECT_EQ(again.block_size, r.block_size);
  EXPECT_EQ(again.filters, r.filters);
}

// What the lowered dictionary saves: liblzma's encoder figure per thread
// and parxz's whole allocation, at -9 on 2 threads for sil7.tar's size.
TEST(BlockSizingTest, LoweredDictionarySavesEncoderMemory) {
  ParallelOptions fixed{.preset = 9, .threads = 2, .block_size = 40 * kMiB};
  ParallelOptions autos = fixed;
  autos.block_size = kBlockSizeAuto;
  autos.input_size = 81940480;
  const uint64_t with_64 = MemoryUsage(fixed, /*file_input=*/true);
  const uint64_t with_48 = MemoryUsage(autos, /*file_input=*/true);
  lzma_options_lzma l{};
  lzma_lzma_preset(&l, 9);
  lzma_filter f[2] = {{LZMA_FILTER_LZMA2, &l}, {LZMA_VLI_UNKNOWN, nullptr}};
  const uint64_t enc64 = lzma_raw_encoder_memusage(f);
  l.dict_size = 48 * kMiB;
  const uint64_t enc48 = lzma_raw_encoder_memusage(f);
  std::cout << "-9 encoder: " << enc64 / kMiB << " MiB with a 64 MiB "
            << "dictionary, " << enc48 / kMiB << " MiB with 48 MiB; -T2 "
            << "with 40 MiB Blocks from a file: " << with_64 / kMiB
            << " MiB -> " << with_48 / kMiB << " MiB\n";
  EXPECT_LT(enc48, enc64);
  EXPECT_EQ(with_64 - with_48, 2 * (enc64 - enc48));
  // The auto settings' whole allocation is below the default's.
  ParallelOptions dflt{.preset = 9, .threads = 2};
  EXPECT_LT(with_48, MemoryUsage(dflt, true));
}

// The Blocks xz finds in what the compressor wrote: sizes and dictionaries.
struct XzBlock {
  uint64_t size;
  std::string filters;
};

std::vector<XzBlock> XzBlocks(const std::string& path) {
  int status = 0;
  const std::string out =
      testing::RunCommand("xz --robot -lvv '" + path + "'", &status);
  EXPECT_EQ(status, 0) << out;
  std::vector<XzBlock> blocks;
  std::istringstream in(out);
  std::string line;
  while (std::getline(in, line)) {
    std::vector<std::string> f;
    std::istringstream cols(line);
    std::string c;
    while (std::getline(cols, c, '\t')) f.push_back(c);
    if (f.size() >= 16 && f[0] == "block") {
      blocks.push_back({std::stoull(f[7]), f[15]});
    }
  }
  return blocks;
}

TEST(BlockSizingTest, CompressorsWriteAutoBlocksXzReads) {
  const std::string data = testing::MixedData(3 * kMiB + 5, 7);
  // The push API, told the size: ceil(3 MiB + 5 / 2) -> 2 MiB Blocks.
  ParallelOptions o{.preset = 9, .threads = 2, .block_size = kBlockSizeAuto};
  o.input_size = data.size();
  ParallelCompressor c(o);
  std::string xz = c.compress(data);
  xz += c.flush();
  const std::string path = testing::WriteTempFile("auto.xz", xz);
  std::vector<XzBlock> blocks = XzBlocks(path);
  ASSERT_EQ(blocks.size(), 2u);
  EXPECT_EQ(blocks[0].size, 2 * kMiB);
  EXPECT_EQ(blocks[1].size, data.size() - 2 * kMiB);
  EXPECT_EQ(blocks[0].filters, "--lzma2=dict=2MiB");
  int status = 0;
  EXPECT_EQ(testing::RunCommand("xz -dc '" + path + "'", &status), data);
  EXPECT_EQ(status, 0);
  // The bound for that input holds it.
  EXPECT_LE(xz.size(), ParallelCompressBound(data.size(), o));
  // CompressFd finds a regular file's size itself: 4 threads, 1 MiB Blocks.
  const std::string in_path = testing::WriteTempFile("auto.in", data);
  const std::string out_path = in_path + ".xz";
  const int in_fd = open(in_path.c_str(), O_RDONLY);
  const int out_fd = open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  ASSERT_GE(in_fd, 0);
  ASSERT_GE(out_fd, 0);
  const CompressStats stats = CompressFd(
      in_fd, out_fd, {.preset = 6, .threads = 4, .block_size = kBlockSizeAuto});
  close(in_fd);
  close(out_fd);
  EXPECT_EQ(stats.blocks, 4u);
  blocks = XzBlocks(out_path);
  ASSERT_EQ(blocks.size(), 4u);
  for (size_t i = 0; i < 3; ++i) EXPECT_EQ(blocks[i].size, kMiB);
  EXPECT_EQ(blocks[3].filters, "--lzma2=dict=1MiB");
  EXPECT_EQ(testing::RunCommand("xz -dc '" + out_path + "'", &status), data);
}

}  // namespace
}  // namespace parxz
