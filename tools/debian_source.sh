#!/usr/bin/env bash
# Downloads a Debian source package (.dsc, .orig and .debian tarballs) through
# apt's own configuration and prints the paths of the files it fetched.
#
#   tools/debian_source.sh PKG VERSION DESTDIR
#   tools/debian_source.sh onetbb 2021.8.0-2+deb12u1 /tmp/src
#   tools/debian_source.sh xz-utils '5.4.1-*' /tmp/src
#
# PKG is a source package name. VERSION is exact, or UPSTREAM-* for the
# newest Debian revision of that upstream version the archives have (the
# archives keep only the latest revision of a release, so a machine's
# installed revision may be gone while its .orig tarball is still there).
#
# Machines built from Debian's images list only `deb` entries, no `deb-src`.
# This script derives deb-src entries from the configured deb ones (same
# URIs, Suites, Components and Signed-By) and keeps them, with their package
# lists, in a private apt directory: the system's apt configuration and state
# are neither read for sources nor changed. apt checks every file it fetches
# against the checksums of the signed Sources index, as `apt-get source` does.
#
# The private directory is ${PARXZ_APT_SOURCE_DIR:-~/.cache/parxz-apt-source};
# it only holds Sources indexes and can be deleted at any time.
set -euo pipefail

me=debian_source.sh
if [[ $# -ne 3 ]]; then
  echo "usage: $0 PKG VERSION DESTDIR" >&2
  exit 2
fi
pkg=$1 version=$2 dest=$3

# Where the system's sources are, as apt itself resolves it.
sys_list='' sys_parts=''
eval "$(apt-config shell sys_list Dir::Etc::SourceList/f \
                         sys_parts Dir::Etc::SourceParts/d)"
if [[ -z $sys_list || -z $sys_parts ]]; then
  echo "$me: apt-config does not say where apt's sources are" >&2
  exit 1
fi

state=${PARXZ_APT_SOURCE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/parxz-apt-source}
mkdir -p "$state/etc/sources.list.d" "$state/lists/partial" \
         "$state/cache/archives/partial"
# One run at a time per directory (apt's own list lock would fail instead).
exec 9> "$state/lock"
flock 9
rm -f "$state/etc/sources.list.d/"*

# One-line format: "deb [opts] URI SUITE COMPONENT..." -> "deb-src ...".
# arch= only selects binary indexes, so it is dropped.
list_to_src() {
  sed -E -n \
    -e 's/^[[:space:]]*deb[[:space:]]+/deb-src /' \
    -e 's/(\[|[[:space:]])arch(-|\+)?=[^][:space:]]*/\1/g' \
    -e 's/\[[[:space:]]+/[/' -e 's/\[\][[:space:]]*//' \
    -e '/^deb-src /p' "$@"
}

# deb822 format: every enabled stanza whose Types has "deb" (or "deb-src")
# becomes a deb-src stanza with the same fields (multi-line values such as an
# inline Signed-By key are kept), less Architectures.
sources_to_src() {
  awk '
    function flush(   i, types, enabled, out, skip) {
      types = ""; enabled = "yes"; out = ""; skip = 0
      for (i = 1; i <= n; i++) {
        if (line[i] ~ /^[[:space:]]/) {          # continuation line
          if (!skip) out = out line[i] "\n"
          continue
        }
        skip = 0
        if (tolower(line[i]) ~ /^types:/) {
          types = " " substr(line[i], 7) " "; skip = 1
        } else if (tolower(line[i]) ~ /^enabled:/) {
          enabled = tolower(substr(line[i], 9)); gsub(/[[:space:]]/, "", enabled)
          skip = 1
        } else if (tolower(line[i]) ~ /^architectures(-add|-remove)?:/) {
          skip = 1
        } else {
          out = out line[i] "\n"
        }
      }
      if (types ~ /[[:space:]]deb(-src)?[[:space:]]/ && enabled != "no")
        printf "Types: deb-src\n%s\n", out
      n = 0
    }
    /^#/ { next }
    /^[[:space:]]*$/ { flush(); next }
    { line[++n] = $0 }
    END { flush() }
  ' "$@"
}

# apt reads sources.list.d/*.list and *.sources only (no other names).
lists=() sources=()
[[ -f $sys_list ]] && lists+=("$sys_list")
for f in "$sys_parts"*.list; do [[ -f $f ]] && lists+=("$f"); done
for f in "$sys_parts"*.sources; do [[ -f $f ]] && sources+=("$f"); done
: > "$state/etc/sources.list"
if ((${#lists[@]})); then
  list_to_src "${lists[@]}" | awk '!seen[$0]++' > "$state/etc/sources.list"
fi
if ((${#sources[@]})); then
  sources_to_src "${sources[@]}" > "$state/etc/sources.list.d/parxz.sources"
fi
if [[ ! -s $state/etc/sources.list &&
      ! -s $state/etc/sources.list.d/parxz.sources ]]; then
  echo "$me: no enabled 'deb' entries in $sys_list or $sys_parts" \
       "to derive deb-src entries from" >&2
  exit 1
fi

# The private configuration: our sources, lists and caches, and none of the
# hooks that the system's apt.conf.d runs after an update (they refresh the
# system's own caches). As root, apt would download as user _apt and, unable
# to enter a private directory under /root, fall back to root with a notice;
# saying so up front only drops the notice.
conf=$state/apt.conf
cat > "$conf" <<CONF
Dir::Etc::SourceList "$state/etc/sources.list";
Dir::Etc::SourceParts "$state/etc/sources.list.d/";
Dir::State::Lists "$state/lists/";
Dir::Cache "$state/cache/";
#clear APT::Update::Pre-Invoke;
#clear APT::Update::Post-Invoke;
#clear APT::Update::Post-Invoke-Success;
CONF
if [[ $(id -u) -eq 0 ]]; then
  echo 'APT::Sandbox::User "root";' >> "$conf"
fi
apt_get=(apt-get -c "$conf" -q)

# An index that cannot be fetched is a warning for apt-get update (it keeps
# an older verified copy, if any); shown here, an error only if the package
# then cannot be found.
if ! "${apt_get[@]}" update > "$state/update.log" 2>&1 ||
   grep -q '^E: ' "$state/update.log"; then
  cat "$state/update.log" >&2
  echo "$me: could not fetch the Sources indexes for the deb-src entries" \
       "derived from $sys_list and $sys_parts (see above)" >&2
  exit 1
fi
grep '^W: ' "$state/update.log" >&2 || true

available() {
  apt-cache -c "$conf" showsrc --only-source "$pkg" 2>/dev/null |
    sed -n 's/^Version: //p' | sort -u || true
}
if [[ $version == *-\* ]]; then
  upstream=${version%-\*} newest=
  while read -r v; do
    [[ $v == "$upstream"-* ]] || continue
    if [[ -z $newest ]] || dpkg --compare-versions "$v" gt "$newest"; then
      newest=$v
    fi
  done < <(available)
  if [[ -z $newest ]]; then
    have=$(available | tr '\n' ' ')
    echo "$me: no source package $pkg of upstream version $upstream in the" \
         "configured archives${have:+ (they have $pkg ${have% })}" >&2
    exit 1
  fi
  version=$newest
fi

mkdir -p "$dest"
dest=$(cd "$dest" && pwd)
# The file names first ('URI' NAME SIZE HASH), then the download itself.
if ! uris=$("${apt_get[@]}" source --print-uris "$pkg=$version" 2>&1); then
  echo "$uris" >&2
  have=$(available | tr '\n' ' ')
  echo "$me: no source package $pkg version $version in the configured" \
       "archives${have:+ (they have $pkg ${have% })}" >&2
  exit 1
fi
files=$(sed -n "s/^'[^']*' \([^ ]*\) .*/\1/p" <<< "$uris")
if [[ -z $files ]]; then
  echo "$uris" >&2
  echo "$me: apt lists no files for $pkg $version" >&2
  exit 1
fi
if ! (cd "$dest" && "${apt_get[@]}" source --download-only "$pkg=$version") \
     > "$state/source.log" 2>&1; then
  cat "$state/source.log" >&2
  echo "$me: downloading $pkg $version failed (see above)" >&2
  exit 1
fi
for f in $files; do
  [[ -f $dest/$f ]] || { echo "$me: $dest/$f missing after download" >&2; exit 1; }
  echo "$dest/$f"
done
