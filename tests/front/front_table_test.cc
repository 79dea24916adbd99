// decode_table.txt through the C++ front (parallel/decode/decode_front.h) and
// the C API (parxz.h): the same engine (LastDecodeEngine()) and the same
// bytes or error code for every row, one-shot and incremental.
#include <parxz.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "core/compressor.h"
#include "core/error.h"
#include "parallel/compress/parallel_compressor.h"
#include "parallel/decode/decode_front.h"

namespace {

int failures = 0;

void Expect(bool ok, const std::string& what) {
  if (!ok) {
    ++failures;
    std::fprintf(stderr, "FAIL: %s\n", what.c_str());
  }
}

std::string Plain() {
  std::string s;
  for (int i = 0; s.size() < (300 << 10); ++i) {
    s += "line " + std::to_string(i * 7919 % 1000) + " of the table\n";
  }
  return s;
}

const parxz::FilterChain kRawChain = {
    {.id = parxz::FilterId::kLzma2, .preset = 1}};

std::string Input(const std::string& format, const std::string& plain) {
  if (format == "alone")
    return parxz::Compress(plain, {.format = parxz::Format::kAlone});
  if (format == "raw") {
    return parxz::Compress(
        plain, {.format = parxz::Format::kRaw, .filters = kRawChain});
  }
  // xz1: one Block (xz's default Block size); xz, auto: 5 Blocks.
  parxz::ParallelCompressor c(
      {.threads = 2, .block_size = format == "xz1" ? 0 : 64u << 10});
  std::string xz = c.compress(plain);
  return xz + c.flush();
}

parxz::Format ToFormat(const std::string& f) {
  if (f == "xz" || f == "xz1") return parxz::Format::kXz;
  if (f == "alone") return parxz::Format::kAlone;
  if (f == "raw") return parxz::Format::kRaw;
  return parxz::Format::kAuto;
}

// "ok" or the error code's number.
template <typename F>
std::string Outcome(const std::string& plain, F&& f) {
  try {
    const std::string out = f();
    return out == plain ? "ok" : "wrong bytes";
  } catch (const parxz::Error& e) {
    return std::to_string(static_cast<int>(e.code()));
  }
}

}  // namespace

int main() {
  std::ifstream table("tests/front/decode_table.txt");
  Expect(table.good(), "decode_table.txt opens");
  const std::string plain = Plain();
  std::string line;
  int rows = 0;
  while (std::getline(table, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream in(line);
    unsigned threads;
    std::string format, filters, memlimit, one_shot, incremental, result;
    in >> threads >> format >> filters >> memlimit >> one_shot >> incremental >>
        result;
    ++rows;
    const std::string data = Input(format, plain);
    parxz::DecodeRequest r{.format = ToFormat(format), .threads = threads};
    if (filters != "-") r.filters = kRawChain;
    if (memlimit != "-") r.memlimit = std::stoull(memlimit);

    // The C++ front, one-shot and incremental.
    Expect(Outcome(plain, [&] { return parxz::Decode(data, r); }) == result,
           line + ": front Decode result");
    Expect(one_shot == "-" ||
               parxz::DecodeEngineName(parxz::LastDecodeEngine()) == one_shot,
           line + ": front Decode engine");
    Expect(Outcome(plain,
                   [&] {
                     auto d = parxz::NewDecoder(r);
                     d->end_input();
                     std::string all = d->decompress(data);
                     while (!d->eof() && !d->needs_input()) {
                       all += d->decompress("");
                     }
                     return all;
                   }) == result,
           line + ": front NewDecoder result");
    Expect(incremental == "-" || parxz::DecodeEngineName(
                                     parxz::LastDecodeEngine()) == incremental,
           line + ": front NewDecoder engine");

    // The C API with the same row.
    parxz_decompress_options o;
    parxz_decompress_options_init(&o);
    o.format = static_cast<int>(r.format);
    o.threads = threads;
    o.memlimit = r.memlimit ? (*r.memlimit == 0 ? 1 : *r.memlimit) : 0;
    parxz_filter f;
    if (filters != "-") {
      std::memset(&f, 0, sizeof f);
      f.id = PARXZ_FILTER_LZMA2;
      f.set = PARXZ_SET_PRESET;
      f.preset = 1;
      o.filters = &f;
      o.num_filters = 1;
    }
    std::string out(plain.size() + 16, '\0');
    size_t n = 0;
    int rc = parxz_decompress_buffer(&o, data.data(), data.size(), out.data(),
                                     out.size(), &n);
    std::string got = rc != 0                               ? std::to_string(rc)
                      : std::string(out.data(), n) == plain ? "ok"
                                                            : "wrong bytes";
    Expect(got == result, line + ": C one-shot result " + got);
    Expect(one_shot == "-" ||
               parxz::DecodeEngineName(parxz::LastDecodeEngine()) == one_shot,
           line + ": C one-shot engine");
    parxz_decompressor* d = nullptr;
    rc = parxz_decompressor_new(&o, &d);
    const std::string engine =
        parxz::DecodeEngineName(parxz::LastDecodeEngine());
    if (rc == 0) {
      // A threaded decoder may return a prefix per call: call until the
      // end of the stream, as parxz.h says.
      std::string all;
      const char* next = data.data();
      size_t left = data.size();
      rc = parxz_decompressor_end_input(d);
      while (rc == 0 && !parxz_decompressor_eof(d)) {
        rc = parxz_decompressor_decompress(d, next, left, out.data(),
                                           out.size(), &n);
        all.append(out.data(), n);
        if (left == 0 && n == 0 && parxz_decompressor_needs_input(d)) break;
        next += left;
        left = 0;
      }
      got = rc != 0 ? std::to_string(rc) : all == plain ? "ok" : "wrong bytes";
    } else {
      got = std::to_string(rc);
    }
    parxz_decompressor_free(d);
    Expect(got == result, line + ": C stream result " + got);
    Expect(incremental == "-" || engine == incremental,
           line + ": C stream engine " + engine);
  }
  Expect(rows >= 13, "table rows");
  std::printf("%d rows, %d failures\n", rows, failures);
  return failures == 0 ? 0 : 1;
}
