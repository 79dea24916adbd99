// Writes a reproducible mixed text/binary corpus: the fallback sample for
// tools/run.sh and bench/compare.sh where ../shared/corpus is absent.
//
//   make_corpus OUT_FILE [MEGABYTES=64] [SEED=1]
//
// The mix (by 1 MiB segment, chosen from the seed) is roughly 55% English-like
// text drawn from a Zipf-distributed vocabulary, 25% structured binary records
// (little-endian integers with small deltas, like a database or an image),
// 10% XML-like markup and 10% random bytes, so it compresses about as much as
// a real corpus and every codec path (literals, matches, stored chunks) runs.
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

namespace {

struct SplitMix64 {
  uint64_t s;
  uint64_t Next() {
    uint64_t z = (s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  double Unit() { return (Next() >> 11) * (1.0 / 9007199254740992.0); }
};

std::vector<std::string> MakeVocabulary(SplitMix64& rng, size_t n) {
  static const char* kSyllables[] = {
      "the", "an",  "in", "or", "ex", "ta", "ri", "on", "com", "pre",
      "ss",  "ion", "al", "er", "ly", "st", "ra", "ke", "mo",  "du"};
  std::vector<std::string> words;
  for (size_t i = 0; i < n; ++i) {
    std::string w;
    const int parts = 1 + static_cast<int>(rng.Next() % 3);
    for (int p = 0; p < parts; ++p) w += kSyllables[rng.Next() % 20];
    words.push_back(w);
  }
  return words;
}

void Text(SplitMix64& rng, const std::vector<std::string>& vocab,
          std::string& out, size_t bytes) {
  const size_t end = out.size() + bytes;
  size_t sentence = 0;
  while (out.size() < end) {
    // Zipf-like rank: small ranks are much more frequent.
    const size_t rank =
        static_cast<size_t>(std::pow(vocab.size(), rng.Unit())) - 1;
    out += vocab[rank % vocab.size()];
    if (++sentence % (8 + rng.Next() % 10) == 0) {
      out += ".\n";
    } else {
      out += ' ';
    }
  }
  out.resize(end);
}

void Records(SplitMix64& rng, std::string& out, size_t bytes) {
  const size_t end = out.size() + bytes;
  uint32_t a = static_cast<uint32_t>(rng.Next()), b = 1000;
  while (out.size() < end) {
    a += static_cast<uint32_t>(rng.Next() % 16);
    b = static_cast<uint32_t>(b + (rng.Next() % 5) - 2);
    for (int i = 0; i < 4; ++i) out += static_cast<char>(a >> (8 * i));
    for (int i = 0; i < 2; ++i) out += static_cast<char>(b >> (8 * i));
    out += static_cast<char>(rng.Next() % 4);
    out += '\0';
  }
  out.resize(end);
}

void Markup(SplitMix64& rng, const std::vector<std::string>& vocab,
            std::string& out, size_t bytes) {
  const size_t end = out.size() + bytes;
  while (out.size() < end) {
    const std::string& tag = vocab[rng.Next() % 32];
    out += "<" + tag + " id=\"" + std::to_string(rng.Next() % 100000) + "\">";
    out += vocab[rng.Next() % vocab.size()];
    out += "</" + tag + ">\n";
  }
  out.resize(end);
}

void Random(SplitMix64& rng, std::string& out, size_t bytes) {
  for (size_t i = 0; i < bytes; ++i) out += static_cast<char>(rng.Next());
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s OUT_FILE [MEGABYTES=64] [SEED=1]\n",
                 argv[0]);
    return 2;
  }
  const size_t megabytes = argc > 2 ? std::strtoull(argv[2], nullptr, 10) : 64;
  SplitMix64 rng{argc > 3 ? std::strtoull(argv[3], nullptr, 10) : 1};
  const std::vector<std::string> vocab = MakeVocabulary(rng, 5000);
  FILE* f = std::fopen(argv[1], "wb");
  if (f == nullptr) {
    std::perror(argv[1]);
    return 1;
  }
  constexpr size_t kSegment = 1 << 20;
  std::string seg;
  for (size_t i = 0; i < megabytes; ++i) {
    seg.clear();
    const double pick = rng.Unit();
    if (pick < 0.55) {
      Text(rng, vocab, seg, kSegment);
    } else if (pick < 0.80) {
      Records(rng, seg, kSegment);
    } else if (pick < 0.90) {
      Markup(rng, vocab, seg, kSegment);
    } else {
      Random(rng, seg, kSegment);
    }
    if (std::fwrite(seg.data(), 1, seg.size(), f) != seg.size()) {
      std::perror(argv[1]);
      return 1;
    }
  }
  return std::fclose(f) == 0 ? 0 : 1;
}
