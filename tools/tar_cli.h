// `parxz --tar-list` and `parxz --tar-extract=PATTERN`: the members of a
// .tar.xz listed, or copied out as a tar stream, without decoding the data
// of the other members (parallel/access/tar_members.h).
//
//   parxz --tar-list big.tar.xz                   # names, as `tar t`
//   parxz --tar-list -v big.tar.xz                # as `tar tv`
//   parxz --tar-extract=m63 big.tar.xz | tar x    # one member
//   parxz --tar-extract='*.c' --tar-extract=doc big.tar.xz | tar x
//
// A regular file is read through its Index (XzRandomAccess); a pipe, or a
// file whose Index cannot be read (truncated, damaged), is decoded in order
// on the -T threads. `--tar-list` without -v lists a pixz .tpxz from pixz's
// member index, without walking the headers. Patterns: TarMemberMatcher.
//
// Exit status as xz: 0, or 1 after an error (printed as "parxz: FILE:
// what"): input that is not a .xz or not a tar, truncated, or a damaged
// Block; a pattern that matched no member ("PATTERN: Not found in
// archive", the stream of what did match is still written); the tar stream
// refused to a terminal.
#ifndef PARXZ_TOOLS_TAR_CLI_H_
#define PARXZ_TOOLS_TAR_CLI_H_

#include <string>

#include "parallel/access/tar_members.h"
#include "tools/args.h"

namespace parxz::cli {

// Runs --tar-list or --tar-extract over o.files; returns the exit status.
int RunTarMembers(const CliOptions& o);

// One `tar tv` line for `m` (GNU tar's layout, mtime in local time),
// without the newline; `width` is the running width of the
// "owner/group size" column (GNU tar's, starting at 19), widened as needed.
std::string FormatTarVerbose(const TarMember& m, size_t* width);

}  // namespace parxz::cli

#endif  // PARXZ_TOOLS_TAR_CLI_H_
