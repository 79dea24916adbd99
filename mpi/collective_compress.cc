#include "mpi/collective_compress.h"

#include <lzma.h>

#include <algorithm>
#include <climits>
#include <memory>
#include <optional>
#include <vector>

#include "core/error.h"
#include "mpi/block_plan.h"
#include "mpi/mpi_util.h"
#include "parallel/compress/stream_assembler.h"

namespace parxz::mpi {

namespace {

constexpr size_t kMessage = size_t{1} << 30;  // point-to-point piece limit

// The Index records travel in one MPI_Gatherv, whose counts are ints. Every
// rank sees the same plan, so all refuse alike, before any work.
void CheckBlockCount(const BlockPlan& plan) {
  if (plan.blocks() > INT_MAX) {
    throw Error(ErrorCode::kUnsupported, "compress",
                "more than 2^31 Blocks; use a larger block size");
  }
}

// Every rank's byte count and Block size, and the plan they give. A Block
// size that differs between ranks would write a broken file: refused on
// every rank alike (each sees all sizes, so no agreement is needed).
BlockPlan GatherPlan(MPI_Comm comm, uint64_t local, uint64_t block_size) {
  const int n = Size(comm);
  uint64_t mine[2] = {local, block_size};
  std::vector<uint64_t> all(2 * static_cast<size_t>(n));
  ThrowIfMpiError(
      MPI_Allgather(mine, 2, MPI_UINT64_T, all.data(), 2, MPI_UINT64_T, comm),
      "MPI_Allgather", ErrorCode::kInternal);
  std::vector<uint64_t> sizes(n);
  for (int r = 0; r < n; ++r) {
    sizes[r] = all[2 * r];
    if (all[2 * r + 1] != all[1]) {
      throw Error(
          ErrorCode::kBadOptions, "compress",
          "block_size differs between ranks (rank " + std::to_string(r) + ")");
    }
  }
  BlockPlan plan(sizes, block_size);
  CheckBlockCount(plan);
  return plan;
}

// Posts the point-to-point transfers of `size` bytes in pieces that fit an
// int count; tags number the pieces, so sender and receiver cut alike.
void PostSend(const uint8_t* data, uint64_t size, int peer, MPI_Comm comm,
              std::vector<MPI_Request>& requests) {
  int tag = 0;
  for (uint64_t at = 0; at < size; at += kMessage, ++tag) {
    const int n = static_cast<int>(std::min<uint64_t>(kMessage, size - at));
    requests.emplace_back();
    ThrowIfMpiError(
        MPI_Isend(data + at, n, MPI_BYTE, peer, tag, comm, &requests.back()),
        "MPI_Isend", ErrorCode::kInternal);
  }
}

void PostReceive(uint8_t* data, uint64_t size, int peer, MPI_Comm comm,
                 std::vector<MPI_Request>& requests) {
  int tag = 0;
  for (uint64_t at = 0; at < size; at += kMessage, ++tag) {
    const int n = static_cast<int>(std::min<uint64_t>(kMessage, size - at));
    requests.emplace_back();
    ThrowIfMpiError(
        MPI_Irecv(data + at, n, MPI_BYTE, peer, tag, comm, &requests.back()),
        "MPI_Irecv", ErrorCode::kInternal);
  }
}

// Rank 0's Stream Header and trailer, from the gathered Index records.
struct Frame {
  std::string header, trailer;
  uint64_t blocks_bytes = 0;  // where the trailer starts, after the header
};

// Writes the stream: Exscan of compressed sizes, Index records to rank 0,
// one collective write of the Blocks (rank 0's begins with the Stream
// Header), one of the trailer (rank 0 only), sync, close, and the final
// agreement. Rank 0 deletes `path` if anything failed.
CollectiveStats WriteStream(MPI_Comm comm, const BlockPlan& plan,
                            const EncodedBlocks& blocks,
                            const std::string& path, lzma_check check) {
  const int rank = Rank(comm);
  const int n = Size(comm);
  uint64_t mine = blocks.bytes();
  uint64_t before = 0;
  ThrowIfMpiError(MPI_Exscan(&mine, &before, 1, MPI_UINT64_T, MPI_SUM, comm),
                  "MPI_Exscan", ErrorCode::kInternal);
  if (rank == 0) before = 0;  // MPI leaves rank 0's result undefined

  // Index records, 16 bytes each, gathered in rank (= stream) order. Rank 0
  // knows every rank's count from the plan.
  std::exception_ptr failure;
  MPI_Datatype record;
  MPI_Type_contiguous(2, MPI_UINT64_T, &record);
  MPI_Type_commit(&record);
  std::vector<uint64_t> mine_records;
  for (const BlockRecord& r : blocks.records) {
    mine_records.push_back(r.unpadded_size);
    mine_records.push_back(r.uncompressed_size);
  }
  std::vector<uint64_t> all_records;
  std::vector<int> counts, displs;
  if (rank == 0) {
    all_records.resize(2 * static_cast<size_t>(plan.blocks()));
    int at = 0;
    for (int r = 0; r < n; ++r) {
      counts.push_back(static_cast<int>(plan.owned(r).count()));
      displs.push_back(at);
      at += counts.back();
    }
  }
  const int rc = MPI_Gatherv(
      mine_records.data(), static_cast<int>(blocks.records.size()), record,
      all_records.data(), counts.data(), displs.data(), record, 0, comm);
  MPI_Type_free(&record);
  ThrowIfMpiError(rc, "MPI_Gatherv", ErrorCode::kInternal);

  Frame frame;
  if (rank == 0 && !failure) {
    failure = Try([&] {
      StreamAssembler assembler(check);
      frame.header = assembler.Header();
      for (size_t i = 0; i < all_records.size(); i += 2) {
        const BlockRecord r{all_records[i], all_records[i + 1]};
        assembler.AddBlock(r);
        frame.blocks_bytes += r.total_size();
      }
      frame.trailer = assembler.Trailer();
    });
  }

  std::optional<File> file;
  if (const std::exception_ptr e = Try([&] {
        file.emplace(comm, path, MPI_MODE_CREATE | MPI_MODE_WRONLY);
      })) {
    if (!failure) failure = e;
  }
  try {
    Agree(comm, failure);
  } catch (...) {
    // The file may have been created (rank 0's trailer failed): remove it.
    file.reset();
    if (rank == 0) MPI_File_delete(MpiPath(path).c_str(), MPI_INFO_NULL);
    throw;
  }

  // The file's final size, for the check that all ranks wrote one file.
  uint64_t file_size =
      LZMA_STREAM_HEADER_SIZE + frame.blocks_bytes + frame.trailer.size();
  MPI_Bcast(&file_size, 1, MPI_UINT64_T, 0, comm);

  // From here every rank makes every collective call, failed or not, and
  // the outcome is agreed once at the end.
  auto note = [&](const std::exception_ptr& e) {
    if (e && !failure) failure = e;
  };
  note(Try(
      [&] { ThrowIfMpiError(MPI_File_set_size(file->get(), 0), "truncate"); }));
  note(Try([&] {
    std::vector<std::span<const uint8_t>> pieces;
    if (rank == 0) {
      pieces.emplace_back(reinterpret_cast<const uint8_t*>(frame.header.data()),
                          frame.header.size());
    }
    for (const auto& p : blocks.pieces()) pieces.push_back(p);
    WriteAtAll(file->get(), rank == 0 ? 0 : LZMA_STREAM_HEADER_SIZE + before,
               pieces);
  }));
  note(Try([&] {
    std::vector<std::span<const uint8_t>> pieces;
    if (rank == 0) {
      pieces.emplace_back(
          reinterpret_cast<const uint8_t*>(frame.trailer.data()),
          frame.trailer.size());
    }
    WriteAtAll(file->get(), LZMA_STREAM_HEADER_SIZE + frame.blocks_bytes,
               pieces);
  }));
  note(Try([&] { ThrowIfMpiError(MPI_File_sync(file->get()), "sync"); }));
  MPI_Barrier(comm);  // every rank's bytes are in before sizes are compared
  note(Try([&] { CheckSharedSize(file->get(), file_size, path); }));
  note(Try([&] { file->Close(); }));
  file.reset();
  try {
    Agree(comm, failure);
  } catch (...) {
    if (rank == 0) MPI_File_delete(MpiPath(path).c_str(), MPI_INFO_NULL);
    throw;
  }
  CollectiveStats stats;
  stats.in_bytes = plan.total();
  stats.blocks = plan.blocks();
  stats.out_bytes = file_size;
  return stats;
}

// The collective compression of `local` after this rank's own preparation
// (reading its input, say) ended with `failure` (null: it succeeded).
CollectiveStats CompressPrepared(MPI_Comm comm, std::span<const uint8_t> local,
                                 std::exception_ptr failure,
                                 const std::string& path,
                                 const ParallelOptions& options,
                                 const BlockHook& hook) {
  const int rank = Rank(comm);
  std::unique_ptr<ShareEncoder> encoder;
  if (!failure) {
    failure =
        Try([&] { encoder = std::make_unique<ShareEncoder>(options, hook); });
  }
  Agree(comm, failure);
  const BlockPlan plan =
      GatherPlan(comm, local.size(), encoder->options().block_size);
  const uint64_t bs = plan.block_size();
  const BlockPlan::Range owned = plan.owned(rank);

  // The last Block, when it runs past this rank's bytes, is put together
  // from them and the pieces later ranks send.
  const std::vector<Piece> incoming = plan.receive(rank);
  std::unique_ptr<uint8_t[]> tail;
  const uint64_t tail_start = owned.count() ? (owned.last - 1) * bs : 0;
  failure = Try([&] {
    if (!incoming.empty()) {
      tail.reset(new uint8_t[plan.block_bytes(owned.last - 1)]);
    }
  });
  Agree(comm, failure);
  {
    std::vector<MPI_Request> requests;
    for (const Piece& p : incoming) {
      PostReceive(tail.get() + (p.offset - tail_start), p.size, p.peer, comm,
                  requests);
    }
    const Piece out = plan.send(rank);
    if (out.peer >= 0) {
      PostSend(local.data(), out.size, out.peer, comm, requests);
    }
    ThrowIfMpiError(MPI_Waitall(static_cast<int>(requests.size()),
                                requests.data(), MPI_STATUSES_IGNORE),
                    "MPI_Waitall", ErrorCode::kInternal);
  }

  EncodedBlocks encoded;
  failure = Try([&] {
    std::vector<std::span<const uint8_t>> spans;
    for (uint64_t b = owned.first; b < owned.last; ++b) {
      const uint64_t size = plan.block_bytes(b);
      if (b + 1 == owned.last && !incoming.empty()) {
        const uint64_t here = plan.end(rank) - tail_start;
        std::copy_n(local.data() + (tail_start - plan.start(rank)), here,
                    tail.get());
        spans.emplace_back(tail.get(), size);
      } else {
        spans.push_back(local.subspan(b * bs - plan.start(rank), size));
      }
    }
    encoder->Encode(spans, owned.first, encoded);
  });
  tail.reset();
  Agree(comm, failure);
  return WriteStream(comm, plan, encoded, path, encoder->check());
}

}  // namespace

CollectiveStats CompressCollective(MPI_Comm comm,
                                   std::span<const uint8_t> local,
                                   const std::string& path,
                                   const ParallelOptions& options,
                                   const BlockHook& hook) {
  return CompressPrepared(comm, local, nullptr, path, options, hook);
}

CollectiveStats CompressLocalFilesCollective(MPI_Comm comm,
                                             const std::string& local_path,
                                             const std::string& path,
                                             const ParallelOptions& options) {
  std::unique_ptr<uint8_t[]> data;
  uint64_t size = 0;
  std::exception_ptr failure = Try([&] {
    File in(MPI_COMM_SELF, local_path, MPI_MODE_RDONLY);
    size = in.Size();
    data.reset(new uint8_t[std::max<uint64_t>(size, 1)]);
    ReadAtAll(in.get(), 0, {std::span<uint8_t>(data.get(), size)});
    in.Close();
  });
  if (failure) size = 0;
  return CompressPrepared(comm, {data.get(), size}, failure, path, options,
                          nullptr);
}

CollectiveStats CompressFileCollective(MPI_Comm comm, const std::string& input,
                                       const std::string& path,
                                       const ParallelOptions& options) {
  const int rank = Rank(comm);
  std::unique_ptr<ShareEncoder> encoder;
  std::optional<File> in;
  std::exception_ptr failure =
      Try([&] { encoder = std::make_unique<ShareEncoder>(options); });
  if (const std::exception_ptr e =
          Try([&] { in.emplace(comm, input, MPI_MODE_RDONLY); })) {
    if (!failure) failure = e;
  }
  Agree(comm, failure);
  // Rank 0's idea of the size counts; all ranks use the same plan.
  uint64_t size = rank == 0 ? in->Size() : 0;
  MPI_Bcast(&size, 1, MPI_UINT64_T, 0, comm);
  const uint64_t bs = encoder->options().block_size;
  const BlockPlan plan(EvenBlockShares(size, bs, Size(comm)), bs);
  CheckBlockCount(plan);
  const BlockPlan::Range owned = plan.owned(rank);

  // Rounds of whole Blocks, the same number on every rank (read_at_all is
  // collective): at least 2 × threads Blocks or 256 MiB per round. With
  // threads = 0 ranks may resolve different counts (their own CPUs): the
  // largest counts everywhere.
  unsigned threads = encoder->options().threads;
  MPI_Allreduce(MPI_IN_PLACE, &threads, 1, MPI_UNSIGNED, MPI_MAX, comm);
  const uint64_t per_round = std::max<uint64_t>(
      2 * uint64_t{threads}, std::max<uint64_t>(1, (uint64_t{256} << 20) / bs));
  uint64_t rounds = 0;
  for (int r = 0; r < Size(comm); ++r) {
    const uint64_t k = plan.owned(r).count();
    rounds = std::max(rounds, (k + per_round - 1) / per_round);
  }
  std::unique_ptr<uint8_t[]> buffer;
  failure = Try([&] {
    buffer.reset(new uint8_t[std::min(owned.count(), per_round) * bs + 1]);
  });
  Agree(comm, failure);

  EncodedBlocks encoded;
  for (uint64_t round = 0; round < rounds; ++round) {
    const uint64_t first =
        std::min(owned.last, owned.first + round * per_round);
    const uint64_t last = std::min(owned.last, first + per_round);
    const uint64_t from = first * bs;
    const uint64_t bytes = last > first ? std::min(size, last * bs) - from : 0;
    std::vector<std::span<uint8_t>> into;
    if (!failure && bytes > 0) into.emplace_back(buffer.get(), bytes);
    if (const std::exception_ptr e =
            Try([&] { ReadAtAll(in->get(), from, into); })) {
      if (!failure) failure = e;
    }
    if (failure || bytes == 0) continue;
    failure = Try([&] {
      std::vector<std::span<const uint8_t>> spans;
      for (uint64_t b = first; b < last; ++b) {
        spans.emplace_back(buffer.get() + (b - first) * bs,
                           plan.block_bytes(b));
      }
      encoder->Encode(spans, first, encoded);
    });
  }
  buffer.reset();
  if (const std::exception_ptr e = Try([&] { in->Close(); })) {
    if (!failure) failure = e;
  }
  in.reset();
  Agree(comm, failure);
  return WriteStream(comm, plan, encoded, path, encoder->check());
}

}  // namespace parxz::mpi
