// The two TarInputs (tar_members.h): a seekable .xz through XzRandomAccess,
// and an .xz read in order from a descriptor through ThreadedDecompressor;
// and pixz's member index.
#include <algorithm>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/error.h"
#include "parallel/access/tar_members.h"
#include "parallel/common/fd_io.h"

namespace parxz {

namespace {

constexpr char kOp[] = "tar members";

class RandomAccessInput : public TarInput {
 public:
  explicit RandomAccessInput(XzRandomAccess& xz) : xz_(xz) {}

  std::span<const uint8_t> Read(size_t max) override {
    const uint64_t n = std::min<uint64_t>(max, Left());
    buf_.resize(static_cast<size_t>(n));
    const size_t got = xz_.read_into(pos_, buf_);
    pos_ += got;
    return {buf_.data(), got};
  }

  uint64_t Skip(uint64_t n, const TarSink* sink) override {
    n = std::min(n, Left());
    if (sink != nullptr) CopyRange(pos_, n, kPiece, *sink);
    pos_ += n;
    return n;
  }

  bool seekable() const override { return true; }

  void CopyRange(uint64_t from, uint64_t n, size_t piece,
                 const TarSink& sink) override {
    // A buffer of its own: libarchive may still hold a view into buf_.
    std::vector<uint8_t> buf;
    while (n > 0) {
      buf.resize(static_cast<size_t>(std::min<uint64_t>(n, piece)));
      const size_t got = xz_.read_into(from, buf);
      if (got == 0) {
        throw Error(
            ErrorCode::kTruncated, kOp,
            "the data ends at uncompressed byte " + std::to_string(from));
      }
      sink({buf.data(), got});
      from += got;
      n -= got;
    }
  }

  uint64_t position() const override { return pos_; }

 private:
  static constexpr size_t kPiece = 16 << 20;
  uint64_t Left() const { return xz_.size() - std::min(pos_, xz_.size()); }

  XzRandomAccess& xz_;
  uint64_t pos_ = 0;
  std::vector<uint8_t> buf_;
};

class StreamInput : public TarInput {
 public:
  StreamInput(int fd, const ThreadedDecompressOptions& o)
      : fd_(fd),
        options_(o),
        decoder_(std::make_unique<ThreadedDecompressor>(o)),
        in_(1 << 20),
        scratch_(1 << 20) {}

  std::span<const uint8_t> Read(size_t max) override {
    buf_.resize(max);
    const size_t got = Fill(buf_);
    pos_ += got;
    return {buf_.data(), got};
  }

  uint64_t Skip(uint64_t n, const TarSink* sink) override {
    uint64_t done = 0;
    while (done < n) {
      const size_t want =
          static_cast<size_t>(std::min<uint64_t>(n - done, scratch_.size()));
      const size_t got = Fill({scratch_.data(), want});
      if (got == 0) break;
      if (sink != nullptr) (*sink)({scratch_.data(), got});
      done += got;
      pos_ += got;
    }
    return done;
  }

  bool seekable() const override { return false; }

  void CopyRange(uint64_t, uint64_t, size_t, const TarSink&) override {
    throw Error(ErrorCode::kMisuse, kOp, "the input cannot go back");
  }

  uint64_t position() const override { return pos_; }

 private:
  // Decodes up to out.size() bytes; 0 only after the last Stream.
  size_t Fill(std::span<uint8_t> out) {
    while (!done_ && !out.empty()) {
      if (decoder_->eof()) {
        NextStream();
        continue;
      }
      std::string_view data = pending_;
      if (data.empty() && decoder_->needs_input() && !input_ended_) {
        const size_t n = ReadSome(fd_, in_.data(), in_.size(), consumed_);
        consumed_ += n;
        if (n == 0) {
          input_ended_ = true;
          decoder_->end_input();
        }
        data = {reinterpret_cast<const char*>(in_.data()), n};
      }
      const size_t got = decoder_->decompress_into(data, out);
      pending_.clear();
      if (got > 0) return got;
      if (input_ended_ && decoder_->needs_input() && !decoder_->eof()) {
        throw Error(ErrorCode::kTruncated, kOp,
                    "the .xz input ends inside a Stream (after " +
                        std::to_string(consumed_) + " compressed bytes)");
      }
    }
    return 0;
  }

  // After a Stream: Stream Padding (zero bytes) and the next Stream, if any.
  void NextStream() {
    pending_ = decoder_->unused_data();
    for (;;) {
      const size_t nonzero = pending_.find_first_not_of('\0');
      if (nonzero != std::string::npos) {
        pending_.erase(0, nonzero);
        break;
      }
      pending_.clear();
      const size_t n =
          input_ended_ ? 0 : ReadSome(fd_, in_.data(), in_.size(), consumed_);
      consumed_ += n;
      if (n == 0) {
        done_ = true;
        return;
      }
      pending_.assign(reinterpret_cast<const char*>(in_.data()), n);
    }
    decoder_ = std::make_unique<ThreadedDecompressor>(options_);
  }

  int fd_;
  ThreadedDecompressOptions options_;
  std::unique_ptr<ThreadedDecompressor> decoder_;
  std::vector<uint8_t> in_, scratch_, buf_;
  std::string pending_;  // input for the decoder before reading more
  uint64_t consumed_ = 0;
  uint64_t pos_ = 0;
  bool input_ended_ = false;
  bool done_ = false;
};

constexpr uint8_t kPixzMagic[8] = {0xa6, 0x4c, 0x32, 0x2e,
                                   0xd6, 0x14, 0xae, 0xdb};
// An index larger than this is not pixz's (a name and 8 bytes per member).
constexpr uint64_t kPixzIndexMax = 256 << 20;

}  // namespace

std::unique_ptr<TarInput> TarInput::FromRandomAccess(XzRandomAccess& xz) {
  return std::make_unique<RandomAccessInput>(xz);
}

std::unique_ptr<TarInput> TarInput::FromStream(
    int fd, const ThreadedDecompressOptions& options) {
  return std::make_unique<StreamInput>(fd, options);
}

std::optional<std::vector<PixzIndexEntry>> ReadPixzIndex(XzRandomAccess& xz) {
  const std::vector<XzBlockInfo>& blocks = xz.info().blocks;
  if (blocks.size() < 2) return std::nullopt;
  const XzBlockInfo& last = blocks.back();
  if (last.uncompressed_size < sizeof kPixzMagic + 9 ||
      last.uncompressed_size > kPixzIndexMax) {
    return std::nullopt;
  }
  const std::string data =
      xz.read(last.uncompressed_offset, last.uncompressed_size);
  if (data.size() != last.uncompressed_size ||
      std::memcmp(data.data(), kPixzMagic, sizeof kPixzMagic) != 0) {
    return std::nullopt;
  }
  std::vector<PixzIndexEntry> entries;
  size_t at = sizeof kPixzMagic;
  uint64_t previous = 0;
  for (;;) {
    const size_t nul = data.find('\0', at);
    if (nul == std::string::npos || data.size() - nul - 1 < 8) {
      return std::nullopt;
    }
    PixzIndexEntry e;
    e.name = data.substr(at, nul - at);
    for (int i = 7; i >= 0; --i) {
      e.offset = (e.offset << 8) | static_cast<uint8_t>(data[nul + 1 + i]);
    }
    at = nul + 9;
    if (e.offset < previous || e.offset > last.uncompressed_offset) {
      return std::nullopt;
    }
    previous = e.offset;
    if (e.name.empty()) break;  // the end of the tar data
    entries.push_back(std::move(e));
  }
  return entries;
}

}  // namespace parxz
