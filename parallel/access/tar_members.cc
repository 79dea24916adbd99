#include "parallel/access/tar_members.h"

#include <archive.h>
#include <archive_entry.h>
#include <fnmatch.h>

#include <algorithm>
#include <cerrno>
#include <exception>
#include <string>
#include <utility>
#include <vector>

#include "core/error.h"

namespace parxz {

namespace {

constexpr char kOp[] = "tar members";

// An inner Error's text under our own operation: without a second "tar
// members failed".
std::string Inner(const Error& e) {
  return e.operation() == kOp ? e.detail() : e.what();
}

struct ArchiveFree {
  void operator()(archive* a) const { archive_read_free(a); }
};

TarMember MemberOf(archive_entry* e, uint64_t header_offset) {
  TarMember m;
  const char* name = archive_entry_pathname(e);
  if (name == nullptr) name = archive_entry_pathname_utf8(e);
  m.name = name != nullptr ? name : "";
  const char* hardlink = archive_entry_hardlink(e);
  switch (archive_entry_filetype(e)) {
    case AE_IFDIR:
      m.type = 'd';
      break;
    case AE_IFLNK:
      m.type = 'l';
      break;
    case AE_IFCHR:
      m.type = 'c';
      break;
    case AE_IFBLK:
      m.type = 'b';
      break;
    case AE_IFIFO:
      m.type = 'p';
      break;
    case AE_IFSOCK:
      m.type = 's';
      break;
    default:
      m.type = '-';
  }
  if (hardlink != nullptr) {
    m.type = 'h';
    m.link = hardlink;
  } else if (const char* target = archive_entry_symlink(e)) {
    m.link = target;
  }
  m.mode = static_cast<uint32_t>(archive_entry_perm(e)) & 07777;
  m.size =
      static_cast<uint64_t>(std::max<la_int64_t>(archive_entry_size(e), 0));
  m.mtime = archive_entry_mtime(e);
  m.uid = archive_entry_uid(e);
  m.gid = archive_entry_gid(e);
  if (const char* u = archive_entry_uname(e)) m.uname = u;
  if (const char* g = archive_entry_gname(e)) m.gname = g;
  if (m.type == 'c' || m.type == 'b') {
    m.dev_major = archive_entry_rdevmajor(e);
    m.dev_minor = archive_entry_rdevminor(e);
  }
  m.header_offset = header_offset;
  return m;
}

// One pass of libarchive over `in`. Callbacks never throw into libarchive:
// they keep the exception in error_ and fail, and Run() rethrows it.
class Walk {
 public:
  Walk(TarInput& in, const TarVisitor& visit, const TarSink* sink,
       const TarWalkOptions& o)
      : in_(in),
        visit_(visit),
        sink_(sink),
        options_(o),
        keep_(sink != nullptr && !in.seekable()),
        next_read_(o.first_read) {
    options_.first_read = std::max<size_t>(o.first_read, 512);
    options_.max_read = std::max(o.max_read, options_.first_read);
    next_read_ = options_.first_read;
  }

  std::vector<TarMember> Run() {
    std::unique_ptr<archive, ArchiveFree> a(archive_read_new());
    if (!a) throw Error(ErrorCode::kOutOfMemory, kOp, "archive_read_new");
    archive_read_support_format_tar(a.get());
    if (archive_read_open2(a.get(), this, nullptr, &Walk::ReadCb, &Walk::SkipCb,
                           nullptr) != ARCHIVE_OK) {
      Fail(a.get(), "reading the first tar header");
    }
    for (;;) {
      archive_entry* entry = nullptr;
      const int r = archive_read_next_header(a.get(), &entry);
      if (r == ARCHIVE_RETRY) continue;
      if (r != ARCHIVE_OK && r != ARCHIVE_WARN && r != ARCHIVE_EOF) {
        Fail(a.get(), members_.empty()
                          ? std::string("reading the first tar header")
                          : "member '" + members_.back().name +
                                "' or the tar header after it");
      }
      const uint64_t at =
          static_cast<uint64_t>(archive_read_header_position(a.get()));
      Guard([&] { EndMember(at); });
      if (r == ARCHIVE_EOF) break;
      members_.push_back(MemberOf(entry, at));
      const bool take = visit_(members_.back());
      selected_ = take && sink_ != nullptr;
      if (selected_ && keep_ && kept_from_ + kept_skip_ > at) {
        throw Error(ErrorCode::kUnsupported, kOp,
                    "member '" + members_.back().name +
                        "': the tar reader skipped part of its header; "
                        "extract it from a seekable file");
      }
    }
    if (sink_ != nullptr) {
      static const uint8_t kZeros[1024] = {};
      Guard([&] { (*sink_)({kZeros, sizeof kZeros}); });
    }
    return std::move(members_);
  }

 private:
  static la_ssize_t ReadCb(archive* a, void* self, const void** buffer) {
    Walk& w = *static_cast<Walk*>(self);
    if (w.error_) {
      archive_set_error(a, EIO, "read failed");
      return ARCHIVE_FATAL;
    }
    try {
      const std::span<const uint8_t> bytes = w.in_.Read(w.next_read_);
      if (w.keep_) {
        if (w.kept_.size() == w.kept_skip_) {
          w.kept_.clear();
          w.kept_skip_ = 0;
          w.kept_from_ = w.in_.position() - bytes.size();
        }
        w.kept_.insert(w.kept_.end(), bytes.begin(), bytes.end());
      }
      w.next_read_ = std::min(w.next_read_ * 2, w.options_.max_read);
      if (bytes.empty()) w.ended_ = true;
      *buffer = bytes.data();
      return static_cast<la_ssize_t>(bytes.size());
    } catch (...) {
      w.error_ = std::current_exception();
      archive_set_error(a, EIO, "read failed");
      return ARCHIVE_FATAL;
    }
  }

  static la_int64_t SkipCb(archive*, void* self, la_int64_t request) {
    Walk& w = *static_cast<Walk*>(self);
    if (request <= 0 || w.error_) return 0;
    try {
      const uint64_t n = static_cast<uint64_t>(request);
      uint64_t done;
      if (w.keep_ && w.selected_) {
        // Everything delivered so far belongs to the member; the skipped
        // bytes too (libarchive skips only what it consumed of its data).
        w.Flush(w.in_.position());
        done = w.in_.Skip(n, w.sink_);
        w.written_ = w.in_.position();
      } else {
        done = w.in_.Skip(n, nullptr);
      }
      if (w.keep_) {
        w.kept_.clear();
        w.kept_skip_ = 0;
        w.kept_from_ = w.in_.position();
      }
      w.next_read_ = w.options_.first_read;
      if (done < n) w.ended_ = true;
      return static_cast<la_int64_t>(done);
    } catch (...) {
      // libarchive's skip loop takes a negative count for progress: say
      // "cannot skip" instead, and fail the read it falls back to.
      w.error_ = std::current_exception();
      return 0;
    }
  }

  // Kept bytes [written_, to) to the sink (input without CopyRange).
  void Flush(uint64_t to) {
    const uint64_t first = kept_from_ + kept_skip_;
    if (written_ < first || to > kept_from_ + kept_.size()) {
      throw Error(ErrorCode::kInternal, kOp,
                  "member '" + members_.back().name +
                      "': bytes to copy are no longer held");
    }
    if (to > written_) {
      (*sink_)({kept_.data() + (written_ - kept_from_),
                static_cast<size_t>(to - written_)});
      written_ = to;
    }
  }

  // The current member ends where the next header (or the end) starts at
  // `at`: copy it if selected, and forget the bytes before `at`.
  void EndMember(uint64_t at) {
    if (!members_.empty()) {
      TarMember& m = members_.back();
      m.end_offset = at;
      if (selected_) {
        if (keep_) {
          Flush(at);
        } else {
          in_.CopyRange(m.header_offset, at - m.header_offset,
                        options_.max_read, *sink_);
        }
      }
    }
    selected_ = false;
    written_ = at;
    if (keep_ && at > kept_from_ + kept_skip_) {
      kept_skip_ = static_cast<size_t>(
          std::min<uint64_t>(at - kept_from_, kept_.size()));
      if (kept_skip_ > kept_.size() / 2) {
        kept_.erase(kept_.begin(),
                    kept_.begin() + static_cast<ptrdiff_t>(kept_skip_));
        kept_from_ += kept_skip_;
        kept_skip_ = 0;
      }
    }
  }

  // Runs `f`, adding the member it concerns to a parxz::Error's message.
  template <typename F>
  void Guard(F f) {
    try {
      f();
    } catch (const Error& e) {
      const std::string where =
          members_.empty() ? std::string("writing the end of the archive")
                           : "copying member '" + members_.back().name + "'";
      throw Error(e.code(), kOp, where + ": " + Inner(e));
    }
  }

  [[noreturn]] void Fail(archive* a, const std::string& where) {
    const std::string at =
        where + " (uncompressed byte " + std::to_string(in_.position()) + ")";
    if (error_) {
      try {
        std::rethrow_exception(error_);
      } catch (const Error& e) {
        throw Error(e.code(), kOp, at + ": " + Inner(e));
      }
    }
    const char* why = archive_error_string(a);
    std::string detail = why != nullptr ? why : "unknown libarchive error";
    if (!ended_ && detail == "Unrecognized archive format") {
      detail = "not a tar archive (" + detail + ")";
    }
    throw Error(ended_ ? ErrorCode::kTruncated : ErrorCode::kCorruptData, kOp,
                at + ": " + detail);
  }

  TarInput& in_;
  const TarVisitor& visit_;
  const TarSink* sink_;
  TarWalkOptions options_;
  // Input that cannot go back, with a sink: bytes handed to libarchive are
  // kept from the last header on, kept_[kept_skip_..] being those at
  // [kept_from_ + kept_skip_, in_.position()).
  const bool keep_;
  std::vector<uint8_t> kept_;
  size_t kept_skip_ = 0;
  uint64_t kept_from_ = 0;
  uint64_t written_ = 0;  // the selected member is copied up to here
  size_t next_read_;
  bool selected_ = false;  // the last member read goes to the sink
  bool ended_ = false;     // the input ran out under a read or skip
  std::exception_ptr error_;
  std::vector<TarMember> members_;
};

std::string TrimSlashes(std::string s) {
  while (s.size() > 1 && s.back() == '/') s.pop_back();
  return s;
}

}  // namespace

std::vector<TarMember> WalkTar(TarInput& input, const TarVisitor& visit,
                               const TarSink* sink,
                               const TarWalkOptions& options) {
  return Walk(input, visit, sink, options).Run();
}

TarMemberMatcher::TarMemberMatcher(std::vector<std::string> patterns)
    : used_(patterns.size(), false) {
  for (std::string& p : patterns) patterns_.push_back(TrimSlashes(p));
}

bool TarMemberMatcher::Matches(const std::string& name) {
  const std::string n = TrimSlashes(name);
  bool any = false;
  for (size_t i = 0; i < patterns_.size(); ++i) {
    if (fnmatch(patterns_[i].c_str(), n.c_str(), FNM_LEADING_DIR) == 0) {
      used_[i] = true;
      any = true;
    }
  }
  return any;
}

std::vector<std::string> TarMemberMatcher::Unmatched() const {
  std::vector<std::string> out;
  for (size_t i = 0; i < patterns_.size(); ++i) {
    if (!used_[i]) out.push_back(patterns_[i]);
  }
  return out;
}

std::vector<TarMember> ListTarMembers(XzRandomAccess& xz,
                                      const TarWalkOptions& options) {
  const std::unique_ptr<TarInput> in = TarInput::FromRandomAccess(xz);
  return WalkTar(
      *in, [](const TarMember&) { return false; }, nullptr, options);
}

std::vector<TarMember> ExtractTarMembers(XzRandomAccess& xz,
                                         const TarVisitor& select,
                                         const TarSink& sink,
                                         const TarWalkOptions& options) {
  const std::unique_ptr<TarInput> in = TarInput::FromRandomAccess(xz);
  std::vector<size_t> chosen;
  size_t seen = 0;
  std::vector<TarMember> all = WalkTar(
      *in,
      [&](const TarMember& m) {
        const bool take = select(m);
        if (take) chosen.push_back(seen);
        ++seen;
        return take;
      },
      &sink, options);
  std::vector<TarMember> out;
  for (size_t i : chosen) out.push_back(std::move(all[i]));
  return out;
}

}  // namespace parxz
