#include "tests/conformance/manifest.h"

#include <cctype>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace parxz::testing {

std::string XzTestFilesDir() {
  const char* shared = std::getenv("PARXZ_SHARED");
  if (shared == nullptr || *shared == '\0') return "";
  const std::string dir = std::string(shared) + "/xz-test-files";
  std::ifstream manifest(dir + "/MANIFEST.tsv");
  return manifest ? dir : "";
}

std::vector<XzTestFile> LoadXzTestFiles() {
  std::vector<XzTestFile> rows;
  const std::string dir = XzTestFilesDir();
  if (dir.empty()) return rows;
  std::ifstream manifest(dir + "/MANIFEST.tsv");
  std::string line;
  std::getline(manifest, line);  // header
  while (std::getline(manifest, line)) {
    std::istringstream fields(line);
    XzTestFile row;
    row.dir = dir;
    std::string xz_exit;
    std::getline(fields, row.file, '\t');
    std::getline(fields, xz_exit, '\t');
    std::getline(fields, row.python, '\t');
    std::getline(fields, row.sha256, '\t');
    if (row.file.empty()) continue;
    row.xz_exit = std::stoi(xz_exit);
    rows.push_back(row);
  }
  return rows;
}

std::vector<XzTestFile> XzTestFileParams() {
  std::vector<XzTestFile> rows = LoadXzTestFiles();
  if (rows.empty()) rows.push_back({});
  return rows;
}

std::string TestNameOf(const XzTestFile& f) {
  std::string name = f.file.empty() ? "CorpusMissing" : f.file;
  for (char& c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return name;
}

}  // namespace parxz::testing
