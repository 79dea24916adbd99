#include "mpi/collective_read.h"

#include <lzma.h>
#include <oneapi/tbb/parallel_for.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <optional>

#include "core/error.h"
#include "mpi/mpi_util.h"
#include "parallel/access/file_index.h"
#include "parallel/common/threads.h"
#include "parallel/compress/block_encoder.h"
#include "parallel/decode/block_decoder.h"
#include "parallel/decode/xz_parser.h"

namespace parxz::mpi {

namespace {

constexpr char kOp[] = "decompress";
constexpr uint64_t kRoundBytes = uint64_t{256} << 20;
// No limit on a Block's filter memory (liblzma's spelling), as parxz -d,
// xz -d and XzRandomAccess default to: neither parxz-mpi nor
// parxz_mpi_read() takes a limit yet, and the Index is bounded anyway
// (DecodeFileIndex never allows it more than a file of its size can need).
// A front end that adds one passes it where this is used.
constexpr uint64_t kNoMemlimit = UINT64_MAX;

// Rank 0 alone: the Index through parallel/'s DecodeFileIndex (liblzma's
// file info decoder, which asks for the Footer, then seeks back to each Index
// and Stream Header before it; memory limited to what a file of this size can
// need), reading through MPI-IO.
std::vector<uint64_t> ReadIndexAtRank0(MPI_File file) {
  MPI_Offset file_size = 0;
  ThrowIfMpiError(MPI_File_get_size(file, &file_size), "stat");
  const uint64_t size = static_cast<uint64_t>(file_size);
  const LzmaIndexPtr index = DecodeFileIndex(
      size,
      [&](uint64_t offset, size_t n, std::vector<uint8_t>& buf) {
        const int want = static_cast<int>(
            std::min<uint64_t>(n, size > offset ? size - offset : 0));
        buf.resize(static_cast<size_t>(want));
        MPI_Status status;
        ThrowIfMpiError(MPI_File_read_at(file, static_cast<MPI_Offset>(offset),
                                         buf.data(), want, MPI_BYTE, &status),
                        "read index");
        int got = 0;
        MPI_Get_count(&status, MPI_BYTE, &got);
        return std::span<const uint8_t>(buf.data(),
                                        static_cast<size_t>(std::max(got, 0)));
      },
      kNoMemlimit);
  // The table as it travels (see Unpack): 16 bytes a Block, not 48.
  std::vector<uint64_t> words{lzma_index_stream_count(index.get()),
                              lzma_index_block_count(index.get())};
  lzma_index_iter it;
  lzma_index_iter_init(&it, index.get());
  while (!lzma_index_iter_next(&it, LZMA_INDEX_ITER_STREAM)) {
    words.push_back(it.stream.compressed_offset);
    words.push_back(static_cast<uint64_t>(it.stream.flags->check));
    words.push_back(it.stream.block_count);
  }
  lzma_index_iter_init(&it, index.get());
  while (!lzma_index_iter_next(&it, LZMA_INDEX_ITER_BLOCK)) {
    words.push_back(it.block.unpadded_size);
    words.push_back(it.block.uncompressed_size);
  }
  return words;
}

// The Block table from its travelling form: the number of Streams and of
// Blocks, per Stream (offset of its Stream Header, check, Blocks), per Block
// (unpadded size, uncompressed size). Offsets follow from the sizes: Blocks
// follow their Stream Header back to back, padded to four bytes.
std::vector<IndexedBlockInfo> Unpack(const std::vector<uint64_t>& w) {
  const uint64_t streams = w[0], count = w[1];
  std::vector<IndexedBlockInfo> blocks;
  blocks.reserve(count);
  size_t q = 2 + 3 * streams;
  uint64_t uncompressed = 0;
  for (uint64_t s = 0; s < streams; ++s) {
    uint64_t offset = w[2 + 3 * s] + LZMA_STREAM_HEADER_SIZE;
    const uint64_t check = w[3 + 3 * s];
    for (uint64_t b = 0; b < w[4 + 3 * s]; ++b, q += 2) {
      const uint64_t total = BlockRecord{w[q], w[q + 1]}.total_size();
      blocks.push_back(
          {offset, total, w[q], uncompressed, w[q + 1], check, s + 1, b + 1});
      offset += total;
      uncompressed += w[q + 1];
    }
  }
  return blocks;
}

// Decodes the whole Block `b` from `bytes` (all of its total_size) into
// `out` (its uncompressed_size), its header checked against the Index, with
// parallel/'s Block routine.
void DecodeBlock(const IndexedBlockInfo& b, std::span<const uint8_t> bytes,
                 std::span<uint8_t> out, BlockDecoder& decoder) {
  BlockHead head;
  head.offset = b.offset;
  head.stream = b.stream;
  head.number = b.number;
  const IndexedHeaderResult h = ParseIndexedBlockHeader(
      bytes,
      {b.total_size, b.unpadded_size, b.uncompressed_size,
       static_cast<lzma_check>(b.check)},
      kNoMemlimit, &head);
  if (h.ret != LZMA_OK) throw BlockError(h.ret, head, b.offset + h.at, kOp);
  const uint32_t header_size = head.block.header_size;
  const BlockResult r =
      decoder.Decode(&head, {.in = bytes.subspan(header_size),
                             .promise = BlockPromise::FromHeader(head),
                             .out = BlockOutput::Into(out)});
  if (r.ret != LZMA_STREAM_END)
    throw BlockError(r.ret, head, b.offset + header_size + r.consumed, kOp);
}

// Blocks [first, last) of `blocks`, whose compressed bytes start at `base`
// in `compressed`, decoded on `arena`'s threads. Block i's wanted bytes
// [from, to) of its uncompressed data go to `dest(i)`; whole Blocks are
// decoded in place, partial ones through a scratch buffer. Throws the first
// failure in order.
template <typename Dest>
void DecodeBlocks(const std::vector<IndexedBlockInfo>& blocks, size_t first,
                  size_t last, const uint8_t* compressed, uint64_t base,
                  uint64_t from, uint64_t to, Dest dest, ThreadArena& arena,
                  BlockDecoderPool& pool) {
  std::vector<std::exception_ptr> errors(last - first);
  arena.execute([&] {
    tbb::parallel_for(size_t{first}, last, [&](size_t i) {
      const IndexedBlockInfo& b = blocks[i];
      std::unique_ptr<BlockDecoder> d = pool.Acquire();
      errors[i - first] = Try([&] {
        const uint64_t lo = std::max(from, b.uncompressed_offset);
        const uint64_t hi =
            std::min(to, b.uncompressed_offset + b.uncompressed_size);
        const std::span<const uint8_t> in(compressed + (b.offset - base),
                                          b.total_size);
        uint8_t* out = dest(lo);
        if (lo == b.uncompressed_offset &&
            hi == b.uncompressed_offset + b.uncompressed_size) {
          DecodeBlock(b, in, {out, b.uncompressed_size}, *d);
        } else {
          std::unique_ptr<uint8_t[]> whole(new uint8_t[b.uncompressed_size]);
          DecodeBlock(b, in, {whole.get(), b.uncompressed_size}, *d);
          if (hi > lo) {
            std::memcpy(out, whole.get() + (lo - b.uncompressed_offset),
                        hi - lo);
          }
        }
      });
      pool.Release(std::move(d));
    });
  });
  for (const std::exception_ptr& e : errors) {
    if (e) std::rethrow_exception(e);
  }
}

uint64_t TotalOf(const std::vector<IndexedBlockInfo>& blocks) {
  return blocks.empty() ? 0
                        : blocks.back().uncompressed_offset +
                              blocks.back().uncompressed_size;
}

}  // namespace

std::vector<IndexedBlockInfo> ReadIndexCollective(MPI_Comm comm,
                                                  MPI_File file) {
  std::vector<uint64_t> words;
  std::exception_ptr failure;
  if (Rank(comm) == 0) failure = Try([&] { words = ReadIndexAtRank0(file); });
  Agree(comm, failure);
  // In pieces an int can count.
  uint64_t total = words.size();
  MPI_Bcast(&total, 1, MPI_UINT64_T, 0, comm);
  words.resize(total);
  constexpr uint64_t kMaxWords = uint64_t{1} << 27;  // 1 GiB per broadcast
  for (uint64_t at = 0; at < total; at += kMaxWords) {
    ThrowIfMpiError(MPI_Bcast(words.data() + at,
                              static_cast<int>(std::min(kMaxWords, total - at)),
                              MPI_UINT64_T, 0, comm),
                    "MPI_Bcast", ErrorCode::kInternal);
  }
  return Unpack(words);
}

uint64_t UncompressedSizeCollective(MPI_Comm comm, const std::string& path) {
  std::optional<File> file;
  Agree(comm, Try([&] { file.emplace(comm, path, MPI_MODE_RDONLY); }));
  const uint64_t total = TotalOf(ReadIndexCollective(comm, file->get()));
  Agree(comm, Try([&] { file->Close(); }));
  return total;
}

uint64_t ReadRangeCollective(MPI_Comm comm, const std::string& path,
                             uint64_t offset, std::span<uint8_t> out,
                             unsigned threads) {
  std::optional<File> file;
  Agree(comm, Try([&] { file.emplace(comm, path, MPI_MODE_RDONLY); }));
  const std::vector<IndexedBlockInfo> blocks =
      ReadIndexCollective(comm, file->get());
  const uint64_t total = TotalOf(blocks);
  const uint64_t from = std::min(offset, total);
  const uint64_t to = std::min(total, from + out.size());
  // The Blocks holding [from, to): by uncompressed offset.
  const auto after = [](uint64_t pos, const IndexedBlockInfo& b) {
    return pos < b.uncompressed_offset + b.uncompressed_size;
  };
  size_t first = std::upper_bound(blocks.begin(), blocks.end(), from, after) -
                 blocks.begin();
  size_t last = first;
  while (to > from && last < blocks.size() &&
         blocks[last].uncompressed_offset < to) {
    ++last;
  }
  if (to <= from) first = last = 0;

  std::unique_ptr<uint8_t[]> compressed;
  uint64_t base = 0, span = 0;
  std::exception_ptr failure = Try([&] {
    if (last > first) {
      base = blocks[first].offset;
      span = blocks[last - 1].offset + blocks[last - 1].total_size - base;
      compressed.reset(new uint8_t[span]);
    }
  });
  std::vector<std::span<uint8_t>> into;
  if (!failure && span > 0) into.emplace_back(compressed.get(), span);
  if (const std::exception_ptr e =
          Try([&] { ReadAtAll(file->get(), base, into); })) {
    if (!failure) failure = e;
  }
  if (!failure && last > first) {
    failure = Try([&] {
      ThreadArena arena(threads);
      BlockDecoderPool pool;
      DecodeBlocks(
          blocks, first, last, compressed.get(), base, from, to,
          [&](uint64_t pos) { return out.data() + (pos - from); }, arena, pool);
    });
  }
  if (const std::exception_ptr e = Try([&] { file->Close(); })) {
    if (!failure) failure = e;
  }
  file.reset();
  Agree(comm, failure);
  return to - from;
}

CollectiveStats DecompressFileCollective(MPI_Comm comm,
                                         const std::string& input,
                                         const std::string& output,
                                         unsigned threads) {
  const int rank = Rank(comm);
  const int n = Size(comm);
  std::optional<File> in;
  Agree(comm, Try([&] { in.emplace(comm, input, MPI_MODE_RDONLY); }));
  const std::vector<IndexedBlockInfo> blocks =
      ReadIndexCollective(comm, in->get());
  ThreadArena arena(threads);
  const unsigned nthreads = arena.threads();
  const size_t first = blocks.size() * rank / n;
  const size_t last = blocks.size() * (rank + 1) / n;

  // Rounds: runs of Blocks up to 2 × threads of them or 256 MiB, whichever
  // holds more; the same number of collective calls on every rank.
  std::vector<size_t> cuts{first};
  for (size_t i = first; i < last;) {
    uint64_t bytes = 0;
    size_t count = 0;
    while (i < last && (count < 2 * nthreads ||
                        bytes + blocks[i].uncompressed_size <= kRoundBytes)) {
      bytes += blocks[i].uncompressed_size;
      ++count;
      ++i;
    }
    cuts.push_back(i);
  }
  uint64_t rounds = cuts.size() - 1, max_rounds = 0;
  MPI_Allreduce(&rounds, &max_rounds, 1, MPI_UINT64_T, MPI_MAX, comm);

  std::optional<File> out;
  std::exception_ptr failure;
  if (!output.empty()) {
    failure = Try(
        [&] { out.emplace(comm, output, MPI_MODE_CREATE | MPI_MODE_WRONLY); });
    Agree(comm, failure);
    failure = Try(
        [&] { ThrowIfMpiError(MPI_File_set_size(out->get(), 0), "truncate"); });
  }
  BlockDecoderPool pool;
  for (uint64_t round = 0; round < max_rounds; ++round) {
    const size_t a = round < rounds ? cuts[round] : last;
    const size_t b = round < rounds ? cuts[round + 1] : last;
    std::unique_ptr<uint8_t[]> compressed, plain;
    uint64_t base = 0, span = 0, from = 0, to = 0;
    if (!failure && b > a) {
      failure = Try([&] {
        base = blocks[a].offset;
        span = blocks[b - 1].offset + blocks[b - 1].total_size - base;
        from = blocks[a].uncompressed_offset;
        to =
            blocks[b - 1].uncompressed_offset + blocks[b - 1].uncompressed_size;
        compressed.reset(new uint8_t[span]);
        plain.reset(new uint8_t[to - from + 1]);
      });
    }
    std::vector<std::span<uint8_t>> into;
    if (!failure && span > 0) into.emplace_back(compressed.get(), span);
    if (const std::exception_ptr e =
            Try([&] { ReadAtAll(in->get(), base, into); })) {
      if (!failure) failure = e;
    }
    if (!failure && b > a) {
      failure = Try([&] {
        DecodeBlocks(
            blocks, a, b, compressed.get(), base, from, to,
            [&](uint64_t pos) { return plain.get() + (pos - from); }, arena,
            pool);
      });
    }
    if (out) {
      std::vector<std::span<const uint8_t>> pieces;
      if (!failure && to > from) pieces.emplace_back(plain.get(), to - from);
      if (const std::exception_ptr e =
              Try([&] { WriteAtAll(out->get(), from, pieces); })) {
        if (!failure) failure = e;
      }
    }
  }
  auto note = [&](const std::exception_ptr& e) {
    if (e && !failure) failure = e;
  };
  if (out) {
    note(Try([&] { ThrowIfMpiError(MPI_File_sync(out->get()), "sync"); }));
    MPI_Barrier(comm);
    if (!failure) {
      note(Try([&] { CheckSharedSize(out->get(), TotalOf(blocks), output); }));
    }
    note(Try([&] { out->Close(); }));
    out.reset();
  }
  note(Try([&] { in->Close(); }));
  in.reset();
  try {
    Agree(comm, failure);
  } catch (...) {
    if (rank == 0 && !output.empty()) {
      MPI_File_delete(MpiPath(output).c_str(), MPI_INFO_NULL);
    }
    throw;
  }
  CollectiveStats stats;
  stats.in_bytes =
      blocks.empty() ? 0 : blocks.back().offset + blocks.back().total_size;
  stats.out_bytes = TotalOf(blocks);
  stats.blocks = blocks.size();
  return stats;
}

}  // namespace parxz::mpi
