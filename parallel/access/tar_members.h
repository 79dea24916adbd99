// The members of a tar archive inside an .xz file, listed and extracted
// without decoding the member data in between (`parxz --tar-list`,
// `--tar-extract`; issue 22).
//
//   parxz::XzRandomAccess xz = parxz::XzRandomAccess::open_file("big.tar.xz");
//   for (const parxz::TarMember& m : parxz::ListTarMembers(xz))
//     std::cout << m.name << " " << m.size << "\n";
//   parxz::TarMemberMatcher match({"dir/m63", "*.txt"});
//   parxz::ExtractTarMembers(xz, match, [&](std::span<const uint8_t> b) {
//     fwrite(b.data(), 1, b.size(), out);                 // a tar stream
//   });                                                   // for `tar x`
//
// libarchive parses the tar headers (ustar, GNU long names and sparse
// members, pax); parxz feeds it the decoded bytes through a read callback and
// gives it a skip callback that only moves the position, so the data of a
// member nobody asked for is never decoded. On a seekable .xz (XzRandomAccess)
// a read after a skip decodes only the Block holding the next header, and
// only up to the bytes asked for (TarWalkOptions::first_read); reads that
// follow each other without a skip double in size up to max_read, so that
// an archive of many small members is read ahead in ranges spanning several
// Blocks, which XzRandomAccess decodes in parallel. A selected member's bytes
// [its first header, the next member's first header) -- pax and GNU
// long-name headers, the ustar header, data and padding -- are copied
// verbatim (never re-encoded) as soon as the next header is found, read in
// ranges of max_read bytes, decoded in parallel; after the last member
// come two zero records (the end-of-archive marker).
//
// Input without an Index (a pipe: TarInput::FromStream) is decoded in order
// on ThreadedDecompressor's threads; a skip then decodes and discards (or,
// for a selected member, copies out) without handing bytes to libarchive.
//
// pixz's .tpxz files end with a Block holding pixz's member index (names and
// header offsets); ReadPixzIndex() reads it without walking.
//
// Errors: parxz::Error with operation "tar members", naming the member (the
// last header read) and the uncompressed offset: kCorruptData for input that
// is not a tar archive or a damaged header, kTruncated when the archive ends
// inside a member, and a failing Block's own Error (its code; the message
// names the Block) prefixed with the member. A parxz::Error thrown by a sink
// (a failed write) is prefixed the same way, keeping its code; any other
// exception from a sink or visitor stops the walk and is rethrown as is.
//
// Thread safety: a walk uses its XzRandomAccess (or descriptor) alone, from
// the calling thread (XzRandomAccess's own workers decode Blocks); do not use
// the object elsewhere meanwhile. TarMemberMatcher is not thread-safe.
#ifndef PARXZ_PARALLEL_ACCESS_TAR_MEMBERS_H_
#define PARXZ_PARALLEL_ACCESS_TAR_MEMBERS_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "parallel/access/random_access.h"
#include "parallel/decode/threaded_decompressor.h"

namespace parxz {

// One member as `tar tv` shows it, and where its bytes lie.
struct TarMember {
  std::string name;  // the full path (pax/GNU long names resolved)
  // `tar tv`'s type letter: '-' file (sparse too), 'd' directory, 'l'
  // symlink, 'h' hard link, 'c'/'b' devices, 'p' FIFO, 's' socket.
  char type = '-';
  uint32_t mode = 0;  // permission bits, 07777
  uint64_t size = 0;  // of the (expanded, for sparse files) contents
  int64_t mtime = 0;  // seconds since the epoch
  int64_t uid = 0, gid = 0;
  std::string uname, gname;  // empty when the header has none
  std::string link;          // symlink or hard-link target
  uint64_t dev_major = 0, dev_minor = 0;
  // Uncompressed offsets: its first header (a pax or GNU long-name header
  // where there is one) and the next member's first header (or the
  // end-of-archive blocks). end_offset is 0 while a visitor sees the member.
  uint64_t header_offset = 0;
  uint64_t end_offset = 0;
};

struct TarWalkOptions {
  // Bytes read after a skip (where the next header is expected): a ustar
  // header is 512 bytes, pax and GNU long-name headers a few more; libarchive
  // reads again when it needs more.
  size_t first_read = 16 << 10;
  // Reads without a skip in between double up to this; also the size of the
  // ranges a selected member is copied in. >= first_read.
  size_t max_read = 16 << 20;
};

// The decoded bytes of an .xz, as a walk reads them.
class TarInput {
 public:
  // A seekable .xz (not owned; must outlive the walk).
  static std::unique_ptr<TarInput> FromRandomAccess(XzRandomAccess& xz);
  // An .xz read in order from `fd` (a pipe; not owned), Streams one after
  // another (Stream Padding allowed), decoded as `options` says.
  static std::unique_ptr<TarInput> FromStream(
      int fd, const ThreadedDecompressOptions& options = {});
  virtual ~TarInput() = default;

  // The walk's interface (all throw Error):
  // The next decoded bytes (up to `max`; none at the end); the view stays
  // valid until the next call.
  virtual std::span<const uint8_t> Read(size_t max) = 0;
  // Moves on by up to `n` bytes (fewer only at the end), handing them to
  // `sink` when it is non-null; returns the count.
  virtual uint64_t Skip(
      uint64_t n,
      const std::function<void(std::span<const uint8_t>)>* sink) = 0;
  // Whether CopyRange() works (the input can go back).
  virtual bool seekable() const = 0;
  // Bytes [from, from + n) to `sink` in pieces of up to `piece` bytes
  // (seekable inputs only; the position does not move).
  virtual void CopyRange(
      uint64_t from, uint64_t n, size_t piece,
      const std::function<void(std::span<const uint8_t>)>& sink) = 0;
  virtual uint64_t position() const = 0;
};

// Where an extraction's tar stream goes, in order.
using TarSink = std::function<void(std::span<const uint8_t>)>;
// Sees each member in archive order; returns whether to copy it.
using TarVisitor = std::function<bool(const TarMember&)>;

// Walks the tar archive in `input` once, calling `visit` for every member.
// With a `sink`, the members `visit` selects are copied to it verbatim and
// the walk ends with the end-of-archive blocks (also when none matched);
// without one (nullptr) nothing is copied. Returns every member, with
// end_offset set.
std::vector<TarMember> WalkTar(TarInput& input, const TarVisitor& visit,
                               const TarSink* sink,
                               const TarWalkOptions& options = {});

// Members matching GNU tar's rules for names given on its command line with
// --wildcards: a pattern is an fnmatch(3) shell pattern whose '*' also
// matches '/', compared with the whole member name, trailing slashes removed
// from both; a pattern matching a directory also matches everything under
// it (FNM_LEADING_DIR). So "dir" selects the directory entry "dir/" and
// every member in it, "m63" exactly "m63", "*.c" every C file at any depth.
// A literal '*', '?' or '[' is escaped with a backslash.
class TarMemberMatcher {
 public:
  explicit TarMemberMatcher(std::vector<std::string> patterns);
  // Whether `name` matches one of the patterns (each one that does is
  // marked as used).
  bool Matches(const std::string& name);
  bool operator()(const TarMember& m) { return Matches(m.name); }
  // Patterns that matched no member so far, in the order given.
  std::vector<std::string> Unmatched() const;

 private:
  std::vector<std::string> patterns_;
  std::vector<bool> used_;
};

// Every member of the tar archive in `xz`.
std::vector<TarMember> ListTarMembers(XzRandomAccess& xz,
                                      const TarWalkOptions& options = {});
// Writes a tar stream of the members `select` accepts to `sink`; returns the
// members copied.
std::vector<TarMember> ExtractTarMembers(XzRandomAccess& xz,
                                         const TarVisitor& select,
                                         const TarSink& sink,
                                         const TarWalkOptions& options = {});

// One entry of a pixz member index: a name and where its header starts.
struct PixzIndexEntry {
  std::string name;
  uint64_t offset = 0;
};
// pixz's member index, when the last Block of `xz` holds one (its magic
// number, then "name\0" + 8-byte little-endian offset entries, ended by an
// empty name whose offset is the end of the tar data, offsets in order);
// nullopt when the file has none or it does not parse.
std::optional<std::vector<PixzIndexEntry>> ReadPixzIndex(XzRandomAccess& xz);

}  // namespace parxz

#endif  // PARXZ_PARALLEL_ACCESS_TAR_MEMBERS_H_
