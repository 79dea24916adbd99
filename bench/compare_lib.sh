# Shared by bench/compare.sh, bench/issue3_check.sh and bench/plots.sh
# (sourced, not run).
# Expects: $work (scratch folder), $bin (folder holding the built parxz).

# Installs from Debian's packages whatever of the given commands is missing.
# Arguments are "command:package" pairs.
install_missing() {
  local need=() pair cmd pkg
  for pair in "$@"; do
    cmd="${pair%%:*}"
    pkg="${pair#*:}"
    command -v "$cmd" >/dev/null 2>&1 || need+=("$pkg")
  done
  ((${#need[@]})) || return 0
  echo "installing: ${need[*]}" >&2
  local sudo=()
  [[ $(id -u) -eq 0 ]] || sudo=(sudo)
  if ! "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y --no-install-recommends "${need[@]}" >&2; then
    "${sudo[@]}" apt-get update >&2
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
      apt-get install -y --no-install-recommends "${need[@]}" >&2
  fi
}

# Builds //tools:parxz optimized and copies it to $bin/parxz, so that
# rebuilds in the workspace cannot change the binary during a run.
build_parxz() {
  local top="$1"
  mkdir -p "$bin"
  (cd "$top" && bazel build -c opt //tools:parxz >&2)
  # What was built: the commit, "+dirty" when the working tree differed.
  parxz_rev="$(git -C "$top" rev-parse --short HEAD 2>/dev/null || echo '?')"
  git -C "$top" diff --quiet HEAD -- core parallel tools 2>/dev/null ||
    parxz_rev+="+dirty"
  cp -f "$top/bazel-bin/tools/parxz" "$bin/parxz.new"
  mv -f "$bin/parxz.new" "$bin/parxz"
}

# Sets the array `cmd` to the command that compresses stdin to stdout.
compress_cmd() {
  local tool="$1" level="$2" threads="$3"
  case "$tool" in
    parxz) cmd=("$bin/parxz" -c -"$level" -T"$threads") ;;
    xz) cmd=(xz -c -"$level" -T"$threads") ;;
    pixz) cmd=(pixz -t -"$level" -p "$threads") ;;  # -t: no tar index
    plzip) cmd=(plzip -c -"$level" -n "$threads") ;;
    zstd) cmd=(zstd -c -q -"$level" -T"$threads") ;;
    # 7-Zip's .xz: -an (no archive name) with -si/-so streams stdin to stdout.
    7zz) cmd=(7zz a -an -txz -mx="$level" -mmt="$threads" -si -so -bso0 -bsp0) ;;
    *) echo "unknown tool $tool" >&2; return 1 ;;
  esac
}

# Sets the array `cmd` to the command that decompresses stdin to stdout.
decompress_cmd() {
  local tool="$1" threads="$2"
  case "$tool" in
    parxz) cmd=("$bin/parxz" -d -c -T"$threads") ;;
    xz) cmd=(xz -d -c -T"$threads") ;;
    pixz) cmd=(pixz -d -p "$threads") ;;
    plzip) cmd=(plzip -d -c -n "$threads") ;;
    zstd) cmd=(zstd -d -c -q -T"$threads") ;;  # zstd decodes on one thread
    7zz) cmd=(7zz e -an -txz -mmt="$threads" -si -so -bso0 -bsp0) ;;
    *) echo "unknown tool $tool" >&2; return 1 ;;
  esac
}

# timed IN OUT CMD...: runs CMD <IN >OUT under /usr/bin/time and prints
# "MICROSECONDS PEAK_RSS_KB". Fails if CMD fails.
timed() {
  local in="$1" out="$2" start end
  shift 2
  start=$(date +%s%N)
  if ! /usr/bin/time -f '%M' -o "$work/time.out" "$@" <"$in" >"$out"; then
    echo "FAILED: $* <$in" >&2
    return 1
  fi
  end=$(date +%s%N)
  echo "$(((end - start) / 1000)) $(tail -n 1 "$work/time.out")"
}

# same_bytes A B: cmp, with a message naming both files on a difference.
same_bytes() {
  if ! cmp -s "$1" "$2"; then
    echo "MISMATCH: $1 differs from $2" >&2
    return 1
  fi
}

# Median of the numbers on stdin (one per line).
median() {
  sort -n | awk '{a[NR] = $1} END {
    if (NR % 2) print a[(NR + 1) / 2]; else printf "%.15g\n", (a[NR / 2] + a[NR / 2 + 1]) / 2
  }'
}

# tool_version NAME CMD...: CMD's output, or "NAME missing".
tool_version() {
  local name="$1"
  shift
  command -v "$1" >/dev/null 2>&1 && "$@" 2>/dev/null || echo "$name missing"
}

# The version of 7-Zip's 7zz, e.g. "7-Zip 26.02", or "7zz missing".
sevenzip_version() {
  command -v 7zz >/dev/null 2>&1 || { echo "7zz missing"; return; }
  7zz 2>/dev/null | sed -n 's/^\(7-Zip\) ([a-z]*) \([0-9.]*\).*/\1 \2/p' | head -n 1
}

# machine_info: markdown lines describing this machine and the tools.
machine_info() {
  local model
  model=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
  echo "- Machine: $(nproc) hardware threads, CPU \`${model:-unknown}\`," \
    "$(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo) RAM," \
    "$(. /etc/os-release && echo "$PRETTY_NAME"), kernel $(uname -r)"
  echo "- Tools: parxz built from ${parxz_rev:-?} with liblzma" \
    "$(xz --version | sed -n 's/^liblzma //p'), $(xz --version | head -n 1)," \
    "pixz $(dpkg-query -W -f '${Version}' pixz 2>/dev/null || echo '?')," \
    "$(tool_version plzip plzip --version | head -n 1)," \
    "$(tool_version zstd zstd --version | sed 's/^\*\*\* //; s/, by.*//')," \
    "$(sevenzip_version)"
}
