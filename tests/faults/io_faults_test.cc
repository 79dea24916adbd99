// Fault injection on the descriptors CompressFd() reads and writes, without
// LD_PRELOAD: the kernel itself fails the calls.
//
//   sink:   /dev/full (ENOSPC at byte 0), RLIMIT_FSIZE (EFBIG at exactly byte
//           k), a pipe whose reader leaves after k bytes (EPIPE), a socket
//           whose reader stalls after k bytes under SO_SNDTIMEO (EAGAIN), a
//           pty slave whose master is gone (EIO);
//   source: a pty master whose slave wrote k bytes and hung up (EIO at byte
//           k), a socket that stalls after k bytes under SO_RCVTIMEO (EAGAIN
//           at byte k), unreadable descriptors (EBADF, EISDIR), short reads
//           and EINTR from a timer signal (must not matter at all).
// Every failure must be a kIo Error naming the call, the errno text and the
// byte offset; nothing is reported as success. ASan (--config=asan) checks
// that no failure path leaks.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <termios.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <thread>

#include "core/decompressor.h"
#include "core/error.h"
#include "parallel/compress/parallel_compressor.h"
#include "tests/faults/fault_util.h"

namespace parxz::faults {
namespace {

ParallelOptions Opts() {
  ParallelOptions o;
  o.preset = 1;
  o.threads = 2;
  o.block_size = 64 << 10;
  return o;
}

std::string Reference(std::string_view data, const ParallelOptions& o) {
  ParallelCompressor c(o);
  std::string out = c.compress(data);
  return out + c.flush();
}

// Bytes that do not compress, so that the output is as large as the input.
std::string Incompressible(size_t size) {
  std::mt19937_64 rng(42);
  std::string s(size, '\0');
  for (char& c : s) c = static_cast<char>(rng());
  return s;
}

// A regular file holding `data`, opened for reading.
int InputFile(std::string_view data) {
  const std::string path = TempPath("in");
  WriteFileOrDie(path, data);
  const int fd = open(path.c_str(), O_RDONLY);
  EXPECT_GE(fd, 0);
  return fd;
}

void ExpectIoError(const Error& e, std::string_view op, std::string_view what) {
  EXPECT_EQ(e.code(), ErrorCode::kIo) << e.what();
  EXPECT_EQ(e.operation(), op) << e.what();
  EXPECT_NE(std::string(e.what()).find(what), std::string::npos) << e.what();
  EXPECT_NE(std::string(e.what()).find(" byte "), std::string::npos)
      << e.what();
}

// Writes all of `data` to `fd` from another thread, in pieces.
std::thread Feed(int fd, std::string data, size_t max_piece, bool close_fd,
                 bool sleep_between = false) {
  return std::thread([=] {
    std::mt19937 rng(7);
    size_t pos = 0;
    while (pos < data.size()) {
      const size_t n = std::min<size_t>(data.size() - pos,
                                        1 + rng() % max_piece);
      const ssize_t w = write(fd, data.data() + pos, n);
      if (w < 0 && errno == EINTR) continue;
      if (w <= 0) break;
      pos += static_cast<size_t>(w);
      if (sleep_between && rng() % 8 == 0) {
        std::this_thread::sleep_for(std::chrono::microseconds(200));
      }
    }
    if (close_fd) close(fd);
  });
}

// Reads `fd` to EOF (or `limit` bytes, then closes it) from another thread.
std::thread Drain(int fd, std::string* out, size_t limit = SIZE_MAX,
                  size_t max_piece = 1 << 16) {
  return std::thread([=] {
    std::mt19937 rng(9);
    std::string buf(max_piece, '\0');
    while (out->size() < limit) {
      const size_t want =
          std::min<size_t>(limit - out->size(), 1 + rng() % max_piece);
      const ssize_t r = read(fd, buf.data(), want);
      if (r < 0 && errno == EINTR) continue;
      if (r <= 0) break;
      out->append(buf.data(), static_cast<size_t>(r));
    }
    close(fd);
  });
}

class IoFaults : public ::testing::Test {
 protected:
  void SetUp() override {
    GTEST_FLAG_SET(death_test_style, "threadsafe");
    old_sigpipe_ = signal(SIGPIPE, SIG_IGN);
  }
  void TearDown() override { signal(SIGPIPE, old_sigpipe_); }

  const std::string data_ = TestData(1 << 20);

 private:
  sighandler_t old_sigpipe_;
};

TEST_F(IoFaults, SinkFullIsEnospc) {
  const int in = InputFile(data_);
  const int out = open("/dev/full", O_WRONLY);
  ASSERT_GE(out, 0);
  ExpectIoError(CatchError([&] { CompressFd(in, out, Opts()); }), "write",
                "No space left on device (at output byte 0)");
  close(in);
  close(out);
}

// RLIMIT_FSIZE makes the write that crosses byte k short and the next one
// fail with EFBIG: a sink that fails at exactly byte k. In a child process,
// since the limit applies to the whole process.
TEST_F(IoFaults, SinkFailsAtByteK) {
  const std::string expected = Reference(data_, Opts());
  for (const uint64_t k : {0ul, 5ul, 12ul, 1000ul, 70000ul, 200000ul}) {
    SCOPED_TRACE(k);
    // Not TempPath(): the "threadsafe" death test re-runs this test body in
    // a fresh process, which must arrive at the same name.
    const char* tmp = std::getenv("TEST_TMPDIR");
    const std::string path = std::string(tmp != nullptr ? tmp : "/tmp") +
                             "/fsize-" + std::to_string(k) + ".xz";
    auto child = [&] {
      signal(SIGXFSZ, SIG_IGN);
      const int in = InputFile(data_);  // before the limit applies to it
      const int out = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      const rlimit lim{k, k};
      if (setrlimit(RLIMIT_FSIZE, &lim) != 0) _exit(3);
      try {
        CompressFd(in, out, Opts());
      } catch (const Error& e) {
        const std::string want =
            "File too large (at output byte " + std::to_string(k) + ")";
        if (e.code() == ErrorCode::kIo &&
            std::string(e.what()).find(want) != std::string::npos) {
          _exit(0);
        }
        fprintf(stderr, "wrong error: %s\n", e.what());
        _exit(2);
      }
      fprintf(stderr, "CompressFd reported success\n");
      _exit(1);
    };
    EXPECT_EXIT(child(), ::testing::ExitedWithCode(0), "");
    // What reached the file is exactly the first k bytes of the stream.
    const std::string written = ReadFileOrDie(path);
    EXPECT_EQ(written.size(), k);
    EXPECT_EQ(written, expected.substr(0, written.size()));
    unlink(path.c_str());
  }
}

TEST_F(IoFaults, SinkReaderLeavesIsEpipe) {
  for (const size_t k : {0ul, 1ul, 4096ul, 100000ul}) {
    SCOPED_TRACE(k);
    int p[2];
    ASSERT_EQ(pipe(p), 0);
    std::string got;
    std::thread reader = Drain(p[0], &got, k);
    const int in = InputFile(data_);
    ExpectIoError(CatchError([&] { CompressFd(in, p[1], Opts()); }), "write",
                  "Broken pipe");
    reader.join();
    close(p[1]);
    close(in);
  }
}

TEST_F(IoFaults, SinkStallsIsEagain) {
  int sv[2];
  ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
  const timeval tv{0, 100000};
  ASSERT_EQ(setsockopt(sv[0], SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv), 0);
  std::string got;
  std::atomic<bool> done{false};
  std::thread reader([&] {
    char buf[1000];
    (void)!read(sv[1], buf, sizeof buf);  // then stall until the end
    while (!done) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  });
  const int in = InputFile(Incompressible(4 << 20));
  ExpectIoError(CatchError([&] { CompressFd(in, sv[0], Opts()); }), "write",
                "Resource temporarily unavailable");
  done = true;
  reader.join();
  close(sv[0]);
  close(sv[1]);
  close(in);
}

int OpenPtyPair(int* slave) {
  const int master = posix_openpt(O_RDWR | O_NOCTTY);
  if (master < 0 || grantpt(master) != 0 || unlockpt(master) != 0) return -1;
  *slave = open(ptsname(master), O_RDWR | O_NOCTTY);
  termios t;
  if (*slave < 0 || tcgetattr(*slave, &t) != 0) return -1;
  cfmakeraw(&t);
  if (tcsetattr(*slave, TCSANOW, &t) != 0) return -1;
  return master;
}

TEST_F(IoFaults, SinkHungUpIsEio) {
  int slave = -1;
  const int master = OpenPtyPair(&slave);
  ASSERT_GE(master, 0);
  close(master);  // writes to the slave now fail with EIO
  const int in = InputFile(data_);
  ExpectIoError(CatchError([&] { CompressFd(in, slave, Opts()); }), "write",
                "Input/output error (at output byte 0)");
  close(slave);
  close(in);
}

TEST_F(IoFaults, SourceHangsUpAtByteKIsEio) {
  for (const size_t k : {0ul, 1ul, 3000ul, 70000ul}) {
    SCOPED_TRACE(k);
    int slave = -1;
    const int master = OpenPtyPair(&slave);
    ASSERT_GE(master, 0);
    // The slave writes k bytes and hangs up: reading the master then gives
    // the k bytes and EIO.
    std::thread writer = Feed(slave, data_.substr(0, k), 4096, true);
    const int out = open("/dev/null", O_WRONLY);
    ExpectIoError(CatchError([&] { CompressFd(master, out, Opts()); }), "read",
                  "Input/output error (at input byte " + std::to_string(k) +
                      ")");
    writer.join();
    close(master);
    close(out);
  }
}

TEST_F(IoFaults, SourceStallsAtByteKIsEagain) {
  for (const size_t k : {0ul, 10ul, 65536ul, 100000ul}) {
    SCOPED_TRACE(k);
    int sv[2];
    ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    const timeval tv{0, 50000};
    ASSERT_EQ(setsockopt(sv[0], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv), 0);
    std::thread writer = Feed(sv[1], data_.substr(0, k), 5000, false);
    const int out = open("/dev/null", O_WRONLY);
    ExpectIoError(CatchError([&] { CompressFd(sv[0], out, Opts()); }), "read",
                  "Resource temporarily unavailable (at input byte " +
                      std::to_string(k) + ")");
    writer.join();
    close(sv[0]);
    close(sv[1]);
    close(out);
  }
}

TEST_F(IoFaults, UnreadableSourceIsAnError) {
  const int out = open("/dev/null", O_WRONLY);
  const int write_only = open("/dev/null", O_WRONLY);
  ExpectIoError(CatchError([&] { CompressFd(write_only, out, Opts()); }),
                "read", "Bad file descriptor (at input byte 0)");
  const int dir = open(".", O_RDONLY | O_DIRECTORY);
  ExpectIoError(CatchError([&] { CompressFd(dir, out, Opts()); }), "read",
                "Is a directory (at input byte 0)");
  close(dir);
  close(write_only);
  close(out);
}

// Short reads and short writes through pipes change nothing.
TEST_F(IoFaults, ShortReadsAndWritesGiveTheSameStream) {
  const std::string expected = Reference(data_, Opts());
  int in[2], out[2];
  ASSERT_EQ(pipe(in), 0);
  ASSERT_EQ(pipe(out), 0);
  std::thread writer = Feed(in[1], data_, 3000, true, true);
  std::string got;
  std::thread reader = Drain(out[0], &got, SIZE_MAX, 700);
  const CompressStats stats = CompressFd(in[0], out[1], Opts());
  close(out[1]);
  writer.join();
  reader.join();
  close(in[0]);
  EXPECT_EQ(stats.in_bytes, data_.size());
  EXPECT_EQ(stats.out_bytes, expected.size());
  EXPECT_TRUE(got == expected);
}

// A timer signal without SA_RESTART interrupts read() and write() (EINTR or
// partial transfers): the stream must still be exactly right.
TEST_F(IoFaults, SignalsInterruptingIoChangeNothing) {
  const std::string expected = Reference(data_, Opts());
  struct sigaction sa {};
  sa.sa_handler = [](int) {};
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = 0;  // no SA_RESTART
  struct sigaction old {};
  ASSERT_EQ(sigaction(SIGALRM, &sa, &old), 0);
  int in[2], out[2];
  ASSERT_EQ(pipe(in), 0);
  ASSERT_EQ(pipe(out), 0);
  // Only the thread running CompressFd (and the TBB workers it starts) may
  // take the signal: the helpers block it.
  sigset_t alrm, prev;
  sigemptyset(&alrm);
  sigaddset(&alrm, SIGALRM);
  pthread_sigmask(SIG_BLOCK, &alrm, &prev);
  std::thread writer = Feed(in[1], data_, 1 << 16, true, true);
  std::string got;
  std::thread reader = Drain(out[0], &got, SIZE_MAX, 1 << 12);
  pthread_sigmask(SIG_SETMASK, &prev, nullptr);
  const itimerval every{{0, 300}, {0, 300}};
  ASSERT_EQ(setitimer(ITIMER_REAL, &every, nullptr), 0);
  CompressStats stats;
  try {
    stats = CompressFd(in[0], out[1], Opts());
  } catch (const Error& e) {
    ADD_FAILURE() << e.what();
  }
  const itimerval off{};
  setitimer(ITIMER_REAL, &off, nullptr);
  sigaction(SIGALRM, &old, nullptr);
  close(out[1]);
  writer.join();
  reader.join();
  close(in[0]);
  EXPECT_EQ(stats.in_bytes, data_.size());
  EXPECT_TRUE(got == expected);
}

// Destroying a compressor with Blocks still queued and in flight, or after a
// failure, frees everything (ASan's leak checker has the last word).
TEST_F(IoFaults, AbandonedCompressorsFreeEverything) {
  for (unsigned threads : {1u, 2u, 3u}) {
    ParallelOptions o = Opts();
    o.threads = threads;
    o.block_size = 4096;
    ParallelCompressor c(o);
    (void)c.compress(data_);
  }
}

}  // namespace
}  // namespace parxz::faults
