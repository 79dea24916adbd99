// Runs under mpirun (tests/mpi/collective_test.sh): every rank takes part in
// collective writes and reads of .xz files through mpi/'s C++ API.
//
//   collective_driver write DIR   writes DIR/<case>.xz from the case's
//                                 decomposition and DIR/<case>.raw (the
//                                 concatenation, by rank 0), lists the cases
//                                 in DIR/cases.txt ("name preset check
//                                 block_size"), and reads every file back
//                                 with ranges of every kind, compared with
//                                 the concatenation here
//   collective_driver faults DIR  the failure cases: every rank must get the
//                                 error and no file may appear
//
// The shell script compares the .xz files with single-node parxz, `xz -T2`
// and Python's lzma; this program checks what only the ranks can see.
// Exit status 0 only if every check on this rank passed.
#include <mpi.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <new>
#include <span>
#include <string>
#include <vector>

#include "core/error.h"
#include "mpi/collective_compress.h"
#include "mpi/collective_read.h"

namespace {

using parxz::Check;
using parxz::Error;
using parxz::ErrorCode;
using parxz::ParallelOptions;
namespace pm = parxz::mpi;

int g_rank = 0, g_size = 1, g_failures = 0;

void Expect(bool ok, const std::string& what) {
  if (!ok) {
    std::fprintf(stderr, "rank %d: FAIL: %s\n", g_rank, what.c_str());
    ++g_failures;
  }
}

// Compressible but not trivial bytes: words from a small vocabulary with a
// pseudo-random walk, the same on every rank for the same seed.
std::vector<uint8_t> MakeData(uint64_t size, uint32_t seed) {
  static const char* kWords[] = {"alpha ", "beta ", "gamma ", "delta ", "rank ",
                                 "block ", "xz ",   "\n",     "0123 "};
  std::vector<uint8_t> out;
  out.reserve(size);
  uint32_t x = seed * 2654435761u + 1;
  while (out.size() < size) {
    x = x * 1664525u + 1013904223u;
    if ((x >> 28) == 0) {
      out.push_back(static_cast<uint8_t>(x >> 8));  // some noise
      continue;
    }
    for (const char* w = kWords[(x >> 24) % 9]; *w && out.size() < size; ++w)
      out.push_back(static_cast<uint8_t>(*w));
  }
  return out;
}

struct Case {
  std::string name;
  uint32_t preset;
  Check check;
  uint64_t block_size;
  std::vector<uint64_t> sizes;  // one per rank
};

const char* CheckName(Check c) {
  switch (c) {
    case Check::kNone:
      return "none";
    case Check::kCrc32:
      return "crc32";
    case Check::kCrc64:
      return "crc64";
    default:
      return "sha256";
  }
}

// The decompositions, for g_size ranks.
std::vector<Case> Cases() {
  const int n = g_size;
  const uint64_t B = 16 << 10;
  std::vector<Case> cases;
  auto add = [&](std::string name, uint32_t preset, Check check,
                 uint64_t block_size, std::vector<uint64_t> sizes) {
    cases.push_back(
        {std::move(name), preset, check, block_size, std::move(sizes)});
  };
  std::vector<uint64_t> s(n);
  // Uneven slabs, Blocks straddling every boundary.
  for (int r = 0; r < n; ++r) s[r] = B * (r + 1) + 1000 * (r * 7 % 5) + 333;
  add("uneven_p0_crc32", 0, Check::kCrc32, B, s);
  add("uneven_p6_sha256", 6, Check::kSha256, B, s);
  // Empty ranks between full ones (rank 0 empty too when n > 1).
  for (int r = 0; r < n; ++r) s[r] = (r % 2 == 0 && n > 1) ? 0 : 3 * B + 17 * r;
  add("empty_ranks_p0_none", 0, Check::kNone, B, s);
  // One byte per rank.
  for (int r = 0; r < n; ++r) s[r] = 1;
  add("one_byte_p0_crc64", 0, Check::kCrc64, B, s);
  // Every rank smaller than a Block: one Block from all of them.
  for (int r = 0; r < n; ++r) s[r] = B / 3 + r;
  add("smaller_than_block_p6_crc32", 6, Check::kCrc32, B, s);
  // Exactly a Block each.
  for (int r = 0; r < n; ++r) s[r] = B;
  add("exact_block_p0_sha256", 0, Check::kSha256, B, s);
  // A mix: a rank inside one Block, then one spanning several.
  for (int r = 0; r < n; ++r)
    s[r] = (r % 3 == 0) ? 5 : (r % 3 == 1) ? 4 * B + 9 : B - 1;
  add("mixed_p0_none", 0, Check::kNone, B, s);
  // Nothing at all.
  for (int r = 0; r < n; ++r) s[r] = 0;
  add("total_empty_p6_crc64", 6, Check::kCrc64, B, s);
  return cases;
}

std::string Join(const std::string& dir, const std::string& name) {
  return dir + "/" + name;
}

// This rank's ranges to read back, each checked against `all`.
void ReadBack(const std::string& path, const std::vector<uint8_t>& all,
              const Case& c, uint64_t my_start, uint64_t my_size) {
  const uint64_t total = all.size();
  const uint64_t B = c.block_size;
  struct Range {
    const char* kind;
    uint64_t offset, length;
  };
  // Every rank runs the same list (the calls are collective) with ranges
  // that depend on its rank.
  const Range ranges[] = {
      {"own slab", my_start, my_size},
      {"aligned", B * static_cast<uint64_t>(g_rank), B},
      {"straddling", B * (g_rank + 1) - 100, 300},
      {"empty", my_start, 0},
      {"past the end", total + 5 + g_rank, 10},
      {"across the end", total > 7 ? total - 7 : 0, 100},
      {"whole", 0, total},
  };
  for (const Range& r : ranges) {
    std::vector<uint8_t> got(r.length + 1, 0xEE);
    uint64_t n = 0;
    try {
      n = pm::ReadRangeCollective(MPI_COMM_WORLD, path, r.offset,
                                  {got.data(), r.length}, 1 + g_rank % 2);
    } catch (const Error& e) {
      Expect(false, c.name + " read " + r.kind + ": " + e.what());
      continue;
    }
    const uint64_t from = std::min(r.offset, total);
    const uint64_t want = std::min(total, from + r.length) - from;
    Expect(n == want, c.name + " read " + r.kind + ": length");
    Expect(std::equal(got.begin(), got.begin() + n, all.begin() + from),
           c.name + " read " + r.kind + ": bytes");
    Expect(got[r.length] == 0xEE, c.name + " read " + r.kind + ": overrun");
  }
  try {
    Expect(pm::UncompressedSizeCollective(MPI_COMM_WORLD, path) == total,
           c.name + " uncompressed size");
  } catch (const Error& e) {
    Expect(false, c.name + " size: " + e.what());
  }
}

void Write(const std::string& dir) {
  std::ofstream list;
  if (g_rank == 0) list.open(Join(dir, "cases.txt"));
  uint32_t seed = 1;
  for (const Case& c : Cases()) {
    uint64_t total = 0, my_start = 0;
    for (int r = 0; r < g_size; ++r) {
      if (r < g_rank) my_start += c.sizes[r];
      total += c.sizes[r];
    }
    const std::vector<uint8_t> all = MakeData(total, seed++);
    const std::span<const uint8_t> mine(all.data() + my_start, c.sizes[g_rank]);
    ParallelOptions o;
    o.preset = c.preset;
    o.check = c.check;
    o.block_size = c.block_size;
    o.threads = 1 + g_rank % 2;  // the bytes never depend on it
    const std::string path = Join(dir, c.name + ".xz");
    try {
      const pm::CollectiveStats st =
          pm::CompressCollective(MPI_COMM_WORLD, mine, path, o);
      Expect(st.in_bytes == total, c.name + ": in_bytes");
    } catch (const Error& e) {
      Expect(false, c.name + ": " + e.what());
      continue;
    }
    if (g_rank == 0) {
      std::ofstream(Join(dir, c.name + ".raw"), std::ios::binary)
          .write(reinterpret_cast<const char*>(all.data()), all.size());
      list << c.name << ' ' << c.preset << ' ' << CheckName(c.check) << ' '
           << c.block_size << '\n';
    }
    ReadBack(path, all, c, my_start, c.sizes[g_rank]);
  }
}

bool Exists(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0;
}

// `call` must throw on every rank with `code`; `path` must not exist after.
void ExpectFailure(const std::string& what, ErrorCode code,
                   const std::string& path, const std::function<void()>& call) {
  try {
    call();
    Expect(false, what + ": no error");
  } catch (const Error& e) {
    Expect(e.code() == code, what + ": code " +
                                 std::string(parxz::ErrorCodeName(e.code())) +
                                 ": " + e.what());
    if (g_rank == 0) std::fprintf(stderr, "%s: %s\n", what.c_str(), e.what());
  }
  MPI_Barrier(MPI_COMM_WORLD);
  Expect(!Exists(path), what + ": " + path + " exists");
}

void Faults(const std::string& dir) {
  const std::vector<uint8_t> data = MakeData(50000, 7 + g_rank);
  ParallelOptions o;
  o.preset = 0;
  o.block_size = 8192;
  o.threads = 1;
  const int last = g_size - 1;

  // A Block error on the last rank only (the Blocks it encodes).
  const std::string hooked = Join(dir, "hooked.xz");
  ExpectFailure("block error", ErrorCode::kCorruptData, hooked, [&] {
    pm::CompressCollective(
        MPI_COMM_WORLD, data, hooked, o, [&](uint64_t block) {
          if (g_rank == last && block % 2 == 1) {
            throw Error(ErrorCode::kCorruptData, "compress block",
                        "injected failure");
          }
        });
  });

  // Out of memory on one rank (what a failed allocation throws).
  ExpectFailure("out of memory", ErrorCode::kOutOfMemory, hooked, [&] {
    pm::CompressCollective(MPI_COMM_WORLD, data, hooked, o, [&](uint64_t) {
      if (g_rank == last) throw std::bad_alloc();
    });
  });

  // Options: invalid on every rank, or a Block size that differs.
  ExpectFailure("bad preset", ErrorCode::kBadOptions, hooked, [&] {
    ParallelOptions bad = o;
    bad.preset = 12;
    pm::CompressCollective(MPI_COMM_WORLD, data, hooked, bad);
  });
  if (g_size > 1) {
    ExpectFailure("block size differs", ErrorCode::kBadOptions, hooked, [&] {
      ParallelOptions mixed = o;
      mixed.block_size = g_rank == last ? 4096 : 8192;
      pm::CompressCollective(MPI_COMM_WORLD, data, hooked, mixed);
    });
  }

  // One rank's input cannot be read.
  const std::string mine = Join(dir, "input." + std::to_string(g_rank));
  std::ofstream(mine, std::ios::binary)
      .write(reinterpret_cast<const char*>(data.data()), data.size());
  const std::string local_files = Join(dir, "local_files.xz");
  ExpectFailure("unreadable input", ErrorCode::kIo, local_files, [&] {
    pm::CompressLocalFilesCollective(MPI_COMM_WORLD,
                                     g_rank == last ? mine + ".missing" : mine,
                                     local_files, o);
  });
  // ... and the same readable everywhere works.
  try {
    pm::CompressLocalFilesCollective(MPI_COMM_WORLD, mine, local_files, o);
    Expect(Exists(local_files), "local files: output");
  } catch (const Error& e) {
    Expect(false, std::string("local files: ") + e.what());
  }

  // An output directory that cannot be written (it does not exist).
  const std::string nowhere = Join(dir, "no-such-dir/out.xz");
  ExpectFailure("unwritable output", ErrorCode::kIo, nowhere, [&] {
    pm::CompressCollective(MPI_COMM_WORLD, data, nowhere, o);
  });

  // A corrupt Block: only the ranks reading it see it, all report it.
  if (g_rank == 0) {
    std::fstream f(local_files,
                   std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(40);
    f.put('\x55');
  }
  MPI_Barrier(MPI_COMM_WORLD);
  std::vector<uint8_t> out(100);
  try {
    pm::ReadRangeCollective(MPI_COMM_WORLD, local_files,
                            g_rank == 0 ? 0 : 1 << 20, out, 1);
    Expect(false, "corrupt block read: no error");
  } catch (const Error& e) {
    Expect(e.code() == ErrorCode::kCorruptData,
           std::string("corrupt block read: ") + e.what());
  }
  const std::string restored = Join(dir, "restored");
  ExpectFailure(
      "corrupt block decompress", ErrorCode::kCorruptData, restored, [&] {
        pm::DecompressFileCollective(MPI_COMM_WORLD, local_files, restored, 1);
      });
  // Not an .xz file at all.
  ExpectFailure("not xz", ErrorCode::kCorruptData, restored, [&] {
    pm::DecompressFileCollective(MPI_COMM_WORLD, mine, restored, 1);
  });
}

}  // namespace

int main(int argc, char** argv) {
  MPI_Init(&argc, &argv);
  MPI_Comm_rank(MPI_COMM_WORLD, &g_rank);
  MPI_Comm_size(MPI_COMM_WORLD, &g_size);
  if (argc != 3) {
    if (g_rank == 0)
      std::fprintf(stderr, "usage: %s write|faults DIR\n", argv[0]);
    MPI_Finalize();
    return 2;
  }
  const std::string mode = argv[1], dir = argv[2];
  if (mode == "write") {
    Write(dir);
  } else {
    Faults(dir);
  }
  int failures = 0;
  MPI_Allreduce(&g_failures, &failures, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
  if (g_rank == 0) {
    std::fprintf(stderr, "%s with %d ranks: %s (%d failed checks)\n",
                 mode.c_str(), g_size, failures ? "FAIL" : "ok", failures);
  }
  MPI_Finalize();
  return g_failures == 0 ? 0 : 1;
}
