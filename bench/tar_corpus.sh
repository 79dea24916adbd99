#!/usr/bin/env bash
# Prints the path of the tar benchmark archive, making it first if needed:
# a tar of MEMBERS members of MEMBER_MIB MiB each (default 64 x 16 MiB, the
# 1 GiB archive of issue 22), cut from the benchmark sample (bench/corpus.sh)
# at different offsets so that no two members are alike, written by GNU tar
# and compressed with `xz -T2 --block-size=1MiB` (xz's default preset).
#
# Usage: bench/tar_corpus.sh [WORKDIR]      (default: $TMPDIR/parxz-tar)
#   MEMBERS=4 MEMBER_MIB=2 bench/tar_corpus.sh    # a small one for smoke runs
# Members are named m00, m01, ...; the archive is <dir>/tar-<M>x<S>MiB.tar.xz
# and its uncompressed tar lies beside it (.tar), for the peers that read it.
set -euo pipefail
top="$(cd "$(dirname "$0")/.." && pwd)"
members="${MEMBERS:-64}"
mib="${MEMBER_MIB:-16}"
work="${1:-${TMPDIR:-/tmp}/parxz-tar}"
name="tar-${members}x${mib}MiB"
out="$work/$name.tar.xz"
if [[ -s "$out" ]]; then
  echo "$out"
  exit 0
fi
mkdir -p "$work"
sample="$("$top/bench/corpus.sh")"
# Made in a private staging folder and moved into place at the end, so that
# two benchmark scripts asking at once do not trip over each other.
stage="$(mktemp -d "$work/.stage.XXXXXX")"
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/d"
python3 - "$sample" "$stage/d" "$members" "$mib" <<'PY'
import sys
sample, out, members, mib = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
data = open(sample, "rb").read()
size = mib << 20
for i in range(members):
    start = (i * 1234567) % len(data)
    chunk = bytearray()
    while len(chunk) < size:
        chunk += data[start:start + size - len(chunk)]
        start = 0
    with open(f"{out}/m{i:02d}", "wb") as f:
        f.write(chunk)
PY
tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner \
  -C "$stage/d" -cf "$stage/$name.tar" $(cd "$stage/d" && ls)
rm -rf "$stage/d"
echo "compressing $name.tar (xz -T2 --block-size=1MiB) ..." >&2
xz -T2 --block-size=1MiB -c "$stage/$name.tar" >"$stage/$name.tar.xz"
mv -f "$stage/$name.tar" "$work/$name.tar"
mv -f "$stage/$name.tar.xz" "$out"
echo "$out"
