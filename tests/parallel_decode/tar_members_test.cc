// Tests of parallel/access/tar_members.h against GNU tar, xz and pixz: the
// archives are written by GNU tar and compressed by `xz -T2` with small
// Blocks (and pixz); listings must equal `tar t`, copied members must be the
// original archive's bytes and unpack with `tar x` to the original files.
#include "parallel/access/tar_members.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "core/error.h"

namespace parxz {
namespace {

std::string Slurp(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

void Spit(const std::string& path, const std::string& data) {
  std::ofstream(path, std::ios::binary) << data;
}

std::string Sh(const std::string& command) {
  std::string out;
  FILE* p = popen(command.c_str(), "r");
  EXPECT_NE(p, nullptr);
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  EXPECT_EQ(pclose(p), 0) << command;
  return out;
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream s(text);
  for (std::string l; std::getline(s, l);) out.push_back(l);
  return out;
}

class TarMembersTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* base = getenv("TEST_TMPDIR");
    std::string tmpl = std::string(base ? base : "/tmp") + "/tarm.XXXXXX";
    dir_ = mkdtemp(tmpl.data());
    Sh("mkdir -p " + dir_ + "/src/d/sub");
    for (int i = 0; i < 30; ++i) {
      std::string body;
      for (int k = 0; k < i * 997 + 1; ++k)
        body += char('a' + (k * 7 + i) % 26);
      Spit(dir_ + "/src/d/f" + std::to_string(i), body);
    }
    Spit(dir_ + "/src/d/sub/" + std::string(150, 'n'), "long name\n");
    Sh("cd " + dir_ +
       "/src && ln -s f1 d/link && tar --format=pax -cf ../a.tar d");
    Sh("xz -T2 --block-size=8KiB -c " + dir_ + "/a.tar > " + dir_ +
       "/a.tar.xz");
    tar_ = Slurp(dir_ + "/a.tar");
  }
  void TearDown() override { Sh("rm -rf " + dir_); }

  std::string dir_;
  std::string tar_;
};

TEST_F(TarMembersTest, ListEqualsTarT) {
  XzRandomAccess xz = XzRandomAccess::open_file(dir_ + "/a.tar.xz");
  const std::vector<TarMember> members =
      ListTarMembers(xz, {.first_read = 512, .max_read = 4096});
  const std::vector<std::string> want = Lines(Sh("tar tf " + dir_ + "/a.tar"));
  ASSERT_EQ(members.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ(members[i].name, want[i]);
    // Members tile the archive: each ends where the next begins.
    if (i + 1 < want.size()) {
      EXPECT_EQ(members[i].end_offset, members[i + 1].header_offset);
    }
  }
  for (const TarMember& m : members) {
    if (m.name == "d/f5") {
      EXPECT_EQ(m.type, '-');
      EXPECT_EQ(m.size, 5u * 997 + 1);
    }
    if (m.name == "d/link") {
      EXPECT_EQ(m.type, 'l');
      EXPECT_EQ(m.link, "f1");
    }
    if (m.name == "d/") {
      EXPECT_EQ(m.type, 'd');
    }
  }
}

TEST_F(TarMembersTest, StreamInputListsTheSame) {
  XzRandomAccess xz = XzRandomAccess::open_file(dir_ + "/a.tar.xz");
  const std::vector<TarMember> seekable = ListTarMembers(xz);
  const int fd = open((dir_ + "/a.tar.xz").c_str(), O_RDONLY);
  ASSERT_GE(fd, 0);
  std::unique_ptr<TarInput> in = TarInput::FromStream(fd, {.threads = 2});
  const std::vector<TarMember> streamed = WalkTar(
      *in, [](const TarMember&) { return false; }, nullptr);
  close(fd);
  ASSERT_EQ(streamed.size(), seekable.size());
  for (size_t i = 0; i < streamed.size(); ++i) {
    EXPECT_EQ(streamed[i].name, seekable[i].name);
    EXPECT_EQ(streamed[i].header_offset, seekable[i].header_offset);
    EXPECT_EQ(streamed[i].end_offset, seekable[i].end_offset);
  }
}

TEST_F(TarMembersTest, ExtractCopiesTheArchivesBytesForTarX) {
  for (const bool stream : {false, true}) {
    SCOPED_TRACE(stream ? "stream" : "seekable");
    std::string out;
    const TarSink sink = [&](std::span<const uint8_t> b) {
      out.append(reinterpret_cast<const char*>(b.data()), b.size());
    };
    TarMemberMatcher match({"d/f2*", "d/sub"});
    std::vector<TarMember> all;
    XzRandomAccess xz = XzRandomAccess::open_file(dir_ + "/a.tar.xz");
    const int fd = open((dir_ + "/a.tar.xz").c_str(), O_RDONLY);
    std::unique_ptr<TarInput> in =
        stream ? TarInput::FromStream(fd, {.threads = 2})
               : TarInput::FromRandomAccess(xz);
    std::vector<bool> taken;
    all = WalkTar(*in,
                  [&](const TarMember& m) {
                    taken.push_back(match(m));
                    return taken.back();
                  },
                  &sink, {.first_read = 512, .max_read = 8192});
    close(fd);
    EXPECT_TRUE(match.Unmatched().empty());
    // The stream is the selected members' bytes of GNU tar's archive, in
    // order, then two zero records.
    std::string want;
    for (size_t i = 0; i < all.size(); ++i) {
      if (taken[i]) {
        want += tar_.substr(all[i].header_offset,
                            all[i].end_offset - all[i].header_offset);
      }
    }
    want += std::string(1024, '\0');
    EXPECT_EQ(out, want);
    const std::string x = dir_ + "/x";
    Spit(dir_ + "/out.tar", out);
    Sh("rm -rf " + x + " && mkdir " + x + " && tar xf " + dir_ +
       "/out.tar -C " + x);
    EXPECT_EQ(Lines(Sh("cd " + x + " && find . | sort")),
              Lines(Sh("cd " + x +
                       " && echo . && echo ./d && "
                       "echo ./d/f2 && seq -f ./d/f2%g 0 9 && echo ./d/sub "
                       "&& echo ./d/sub/" +
                       std::string(150, 'n'))));
    EXPECT_EQ(Slurp(x + "/d/f27"), Slurp(dir_ + "/src/d/f27"));
  }
}

TEST(TarMemberMatcher, FollowsGnuTarWildcards) {
  TarMemberMatcher m({"dir", "*.c", "m6", "a\\*b", "lit/"});
  EXPECT_TRUE(m.Matches("dir/"));
  EXPECT_TRUE(m.Matches("dir/x/y"));
  EXPECT_FALSE(m.Matches("dirt"));
  EXPECT_TRUE(m.Matches("src/deep/x.c"));  // '*' matches '/'
  EXPECT_FALSE(m.Matches("m63"));
  EXPECT_TRUE(m.Matches("a*b"));
  EXPECT_FALSE(m.Matches("axb"));
  EXPECT_EQ(m.Unmatched(), (std::vector<std::string>{"m6", "lit"}));
}

TEST_F(TarMembersTest, PixzIndexListsWithoutWalking) {
  Sh("pixz < " + dir_ + "/a.tar > " + dir_ + "/a.tpxz");
  XzRandomAccess tpxz = XzRandomAccess::open_file(dir_ + "/a.tpxz");
  const auto index = ReadPixzIndex(tpxz);
  ASSERT_TRUE(index.has_value());
  const std::vector<TarMember> walked = ListTarMembers(tpxz);
  ASSERT_EQ(index->size(), walked.size());
  for (size_t i = 0; i < walked.size(); ++i) {
    EXPECT_EQ((*index)[i].name, walked[i].name);
    EXPECT_EQ((*index)[i].offset, walked[i].header_offset);
  }
  XzRandomAccess plain = XzRandomAccess::open_file(dir_ + "/a.tar.xz");
  EXPECT_FALSE(ReadPixzIndex(plain).has_value());
}

TEST_F(TarMembersTest, BadInputNamesWhatFailed) {
  Sh("head -c 20000 /dev/urandom | xz -c > " + dir_ + "/junk.xz");
  XzRandomAccess junk = XzRandomAccess::open_file(dir_ + "/junk.xz");
  try {
    ListTarMembers(junk);
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kCorruptData);
    EXPECT_NE(std::string(e.what()).find("not a tar archive"),
              std::string::npos)
        << e.what();
  }
  Spit(dir_ + "/cut.tar", tar_.substr(0, tar_.size() / 2));
  Sh("xz -c " + dir_ + "/cut.tar > " + dir_ + "/cut.tar.xz");
  XzRandomAccess cut = XzRandomAccess::open_file(dir_ + "/cut.tar.xz");
  try {
    ListTarMembers(cut);
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kTruncated) << e.what();
    EXPECT_NE(std::string(e.what()).find("member '"), std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace parxz
