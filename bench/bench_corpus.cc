#include "bench/bench_corpus.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>

namespace parxz::bench {

namespace {

struct Settings {
  std::string corpus_flag;  // --corpus
  long max_mb = -1;         // --max_mb; -1 = not given
  bool rss = false;
  std::string rss_child;
};

Settings& GetSettings() {
  static Settings s;
  return s;
}

[[noreturn]] void Die(const std::string& why) {
  std::cerr << "bench: " << why << "\n";
  std::exit(2);
}

long ParseNonNegative(const std::string& text, const char* what) {
  char* end = nullptr;
  const long v = std::strtol(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || v < 0) {
    Die(std::string("bad ") + what + ": '" + text + "'");
  }
  return v;
}

long MaxMb() {
  const Settings& s = GetSettings();
  if (s.max_mb >= 0) return s.max_mb;
  if (const char* env = std::getenv("PARXZ_BENCH_MAX_MB")) {
    return ParseNonNegative(env, "PARXZ_BENCH_MAX_MB");
  }
  return 16;
}

// Runs bench/corpus.sh from the workspace and returns the path it prints.
std::string PathFromCorpusScript() {
  std::string top = ".";
  if (const char* ws = std::getenv("BUILD_WORKSPACE_DIRECTORY")) top = ws;
  const std::string script = top + "/bench/corpus.sh";
  if (access(script.c_str(), X_OK) != 0) {
    Die("no corpus: pass --corpus=PATH or set PARXZ_BENCH_CORPUS (" + script +
        " not found; run from the repository root or with `bazel run`)");
  }
  FILE* p = popen(("'" + script + "'").c_str(), "r");
  if (p == nullptr) Die("cannot run " + script);
  std::string out;
  char buf[4096];
  while (size_t n = std::fread(buf, 1, sizeof buf, p)) out.append(buf, n);
  if (pclose(p) != 0) Die(script + " failed");
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) {
    out.pop_back();
  }
  if (out.empty()) Die(script + " printed no path");
  return out;
}

}  // namespace

void ParseFlags(int* argc, char** argv) {
  Settings& s = GetSettings();
  int kept = 1;
  for (int i = 1; i < *argc; ++i) {
    const std::string a = argv[i];
    if (a.rfind("--corpus=", 0) == 0) {
      s.corpus_flag = a.substr(9);
    } else if (a.rfind("--max_mb=", 0) == 0) {
      s.max_mb = ParseNonNegative(a.substr(9), "--max_mb");
    } else if (a == "--rss") {
      s.rss = true;
    } else if (a.rfind("--rss_child=", 0) == 0) {
      s.rss_child = a.substr(12);
    } else {
      argv[kept++] = argv[i];
    }
  }
  *argc = kept;
  argv[kept] = nullptr;
  if (const char* env = std::getenv("PARXZ_BENCH_RSS")) {
    if (std::string(env) == "1") s.rss = true;
  }
}

const std::string& CorpusPath() {
  static const std::string path = [] {
    const Settings& s = GetSettings();
    if (!s.corpus_flag.empty()) return s.corpus_flag;
    if (const char* env = std::getenv("PARXZ_BENCH_CORPUS")) {
      if (*env != '\0') return std::string(env);
    }
    return PathFromCorpusScript();
  }();
  return path;
}

const std::string& Corpus() {
  static const std::string data = [] {
    const std::string& path = CorpusPath();
    std::ifstream in(path, std::ios::binary);
    if (!in) Die("cannot open corpus " + path);
    const long mb = MaxMb();
    std::string bytes;
    if (mb == 0) {
      std::ostringstream all;
      all << in.rdbuf();
      bytes = all.str();
    } else {
      bytes.resize(static_cast<size_t>(mb) << 20);
      in.read(bytes.data(), static_cast<std::streamsize>(bytes.size()));
      bytes.resize(static_cast<size_t>(in.gcount()));
    }
    if (bytes.empty()) Die("corpus " + path + " is empty");
    return bytes;
  }();
  return data;
}

int CorpusFd() {
  static const int fd = [] {
    const std::string& data = Corpus();
    const int f = memfd_create("parxz-bench-corpus", MFD_CLOEXEC);
    if (f < 0) Die(std::string("memfd_create: ") + std::strerror(errno));
    size_t done = 0;
    while (done < data.size()) {
      const ssize_t w = write(f, data.data() + done, data.size() - done);
      if (w < 0) Die(std::string("memfd write: ") + std::strerror(errno));
      done += static_cast<size_t>(w);
    }
    return f;
  }();
  return fd;
}

bool RssEnabled() { return GetSettings().rss; }

const std::string& RssChildSpec() { return GetSettings().rss_child; }

std::string ShellQuote(const std::string& s) {
  std::string q = "'";
  for (char c : s) {
    if (c == '\'') {
      q += "'\\''";
    } else {
      q += c;
    }
  }
  return q + "'";
}

double ChildPeakRssMiB(const std::string& spec) {
  // The child reports its own VmHWM: the peak of the memory map it got at
  // exec. (getrusage/wait4 ru_maxrss would not do: after vfork+exec it also
  // holds the parent's peak, which the kernel carries over at exec.)
  char self[4096];
  const ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
  if (n <= 0) return -1;
  self[n] = '\0';
  const std::string cmd = ShellQuote(self) + " " +
                          ShellQuote("--rss_child=" + spec) + " " +
                          ShellQuote("--corpus=" + CorpusPath()) +
                          " --max_mb=" + std::to_string(MaxMb());
  FILE* p = popen(cmd.c_str(), "r");
  if (p == nullptr) return -1;
  char line[256] = {};
  const bool got = std::fgets(line, sizeof line, p) != nullptr;
  if (pclose(p) != 0 || !got) return -1;
  return std::strtod(line, nullptr) / 1024.0;  // VmHWM is in kB
}

int FinishRssChild() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmHWM:", 0) == 0) {
      std::cout << std::strtol(line.c_str() + 6, nullptr, 10) << "\n";
      return 0;
    }
  }
  return 1;
}

double BaselineRssMiB() {
  static const double base = ChildPeakRssMiB("baseline");
  return base;
}

std::vector<std::string> SplitSpec(const std::string& spec) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    const size_t colon = spec.find(':', start);
    parts.push_back(spec.substr(start, colon - start));
    if (colon == std::string::npos) break;
    start = colon + 1;
  }
  return parts;
}

}  // namespace parxz::bench
