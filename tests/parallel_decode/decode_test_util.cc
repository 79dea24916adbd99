#include "tests/parallel_decode/decode_test_util.h"

#include <sys/wait.h>

#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>

namespace parxz::testing {

std::string TestData(size_t size, uint64_t seed) {
  std::mt19937_64 rng(seed);
  static const char* kWords[] = {"parallel ", "block ", "stream ", "index ",
                                 "the ",      "of ",    "xz ",     "decode\n"};
  std::string out;
  out.reserve(size);
  while (out.size() < size) {
    const size_t run = 512 + rng() % 4096;
    switch (rng() % 4) {
      case 0:
      case 1:
        for (size_t i = 0; i < run; i += 4) out += kWords[rng() % 8];
        break;
      case 2: {
        uint32_t v = static_cast<uint32_t>(rng());
        for (size_t i = 0; i < run; i += 4) {
          v += static_cast<uint32_t>(rng() % 7);
          out.append(reinterpret_cast<const char*>(&v), 4);
        }
        break;
      }
      default:
        for (size_t i = 0; i < run / 8; ++i)
          out.push_back(static_cast<char>(rng()));
        break;
    }
  }
  out.resize(size);
  return out;
}

namespace {

std::string Encode(lzma_stream* s, const std::string& data,
                   uint64_t flush_every) {
  std::string out;
  size_t pos = 0;
  uint8_t buf[1 << 16];
  for (;;) {
    size_t piece = data.size() - pos;
    if (flush_every > 0) piece = std::min<uint64_t>(piece, flush_every);
    s->next_in = reinterpret_cast<const uint8_t*>(data.data()) + pos;
    s->avail_in = piece;
    const bool last = pos + piece == data.size();
    const lzma_action action =
        last ? LZMA_FINISH : (flush_every ? LZMA_FULL_FLUSH : LZMA_RUN);
    for (;;) {
      s->next_out = buf;
      s->avail_out = sizeof(buf);
      const lzma_ret ret = lzma_code(s, action);
      out.append(reinterpret_cast<const char*>(buf),
                 sizeof(buf) - s->avail_out);
      if (ret == LZMA_STREAM_END) break;
      if (ret != LZMA_OK) throw std::runtime_error("encode failed");
      if (action == LZMA_RUN && s->avail_in == 0) break;
    }
    pos += piece;
    if (last) break;
  }
  lzma_end(s);
  return out;
}

}  // namespace

std::string XzMt(const std::string& data, uint64_t block_size, uint32_t preset,
                 lzma_check check) {
  lzma_stream s = LZMA_STREAM_INIT;
  lzma_mt mt{};
  mt.threads = 2;
  mt.block_size = block_size;
  mt.preset = preset;
  mt.check = check;
  if (lzma_stream_encoder_mt(&s, &mt) != LZMA_OK)
    throw std::runtime_error("mt init");
  return Encode(&s, data, 0);
}

std::string XzSeq(const std::string& data, uint64_t block_size, uint32_t preset,
                  lzma_check check) {
  lzma_stream s = LZMA_STREAM_INIT;
  if (lzma_easy_encoder(&s, preset, check) != LZMA_OK)
    throw std::runtime_error("init");
  return Encode(&s, data, block_size);
}

Verdict Capture(const std::function<std::string()>& decode) {
  Verdict v;
  try {
    v.output = decode();
    v.ok = true;
  } catch (const Error& e) {
    v.code = e.code();
    v.offset = e.offset();
    v.what = e.what();
  }
  return v;
}

std::string Describe(const Verdict& v) {
  if (v.ok) return "ok (" + std::to_string(v.output.size()) + " bytes)";
  return "error " + std::string(ErrorCodeName(v.code)) + " at " +
         (v.offset ? std::to_string(*v.offset) : std::string("?")) + ": " +
         v.what;
}

std::vector<BlockPos> Blocks(const std::string& xz) {
  std::vector<BlockPos> out;
  lzma_stream s = LZMA_STREAM_INIT;
  lzma_index* index = nullptr;
  if (lzma_file_info_decoder(&s, &index, UINT64_MAX, xz.size()) != LZMA_OK)
    return out;
  s.next_in = reinterpret_cast<const uint8_t*>(xz.data());
  s.avail_in = xz.size();
  for (;;) {
    const lzma_ret ret = lzma_code(&s, LZMA_FINISH);
    if (ret == LZMA_SEEK_NEEDED) {
      s.next_in = reinterpret_cast<const uint8_t*>(xz.data()) + s.seek_pos;
      s.avail_in = xz.size() - s.seek_pos;
      continue;
    }
    if (ret == LZMA_STREAM_END) break;
    lzma_end(&s);
    return out;
  }
  lzma_end(&s);
  lzma_index_iter it;
  lzma_index_iter_init(&it, index);
  while (!lzma_index_iter_next(&it, LZMA_INDEX_ITER_BLOCK)) {
    out.push_back({it.block.compressed_file_offset, it.block.total_size,
                   it.block.uncompressed_file_offset,
                   it.block.uncompressed_size});
  }
  lzma_index_end(index, nullptr);
  return out;
}

std::string TempPath(const std::string& name) {
  const char* dir = std::getenv("TEST_TMPDIR");
  return std::string(dir != nullptr ? dir : "/tmp") + "/" + name;
}

void WriteFile(const std::string& path, const std::string& contents) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f.write(contents.data(), static_cast<std::streamsize>(contents.size()));
  if (!f) throw std::runtime_error("cannot write " + path);
}

std::string ReadFile(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw std::runtime_error("cannot read " + path);
  std::ostringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

int Run(const std::string& command) {
  const int status = std::system(command.c_str());
  if (status == -1 || !WIFEXITED(status)) return -1;
  return WEXITSTATUS(status);
}

bool HaveProgram(const std::string& name) {
  return Run("command -v " + name + " >/dev/null 2>&1") == 0;
}

}  // namespace parxz::testing
