#!/usr/bin/env bash
# The command line killed mid-way: SIGKILL during compression and during
# decompression must leave the input intact and no file under the final
# name; SIGTERM and SIGINT must also remove the temporary output.
# Usage: cli_kill_test.sh PATH_TO_PARXZ
set -euo pipefail
parxz=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
tmp=$(mktemp -d "${TEST_TMPDIR:-/tmp}/kill.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
fail=0
bad() { echo "FAIL: $*" >&2; fail=1; }

# 16 MiB that compress slowly enough to be caught in the middle.
head -c $((16 << 20)) /dev/urandom > data.bin
want=$(sha256sum < data.bin)

# Starts "$@" in the background, waits until its temporary output exists
# (or `delay` seconds), then sends `sig`; prints the exit status.
kill_midway() {
  local sig=$1 delay=$2; shift 2
  # Background jobs of a non-interactive shell start with SIGINT ignored;
  # give the program the default disposition, as a terminal would.
  env --default-signal=INT "$@" 2>/dev/null &
  local pid=$! waited=0
  while ! ls -A . | grep -q '\.parxz-' && ((waited < 200)); do
    sleep 0.01; waited=$((waited + 1))
  done
  sleep "$delay"
  kill -"$sig" "$pid" 2>/dev/null || true
  local rc=0
  wait "$pid" || rc=$?
  echo "$rc"
}

for delay in 0.02 0.3; do
  for sig in KILL TERM INT; do
    rc=$(kill_midway "$sig" "$delay" "$parxz" -1 -T2 --block-size=1MiB data.bin)
    [[ $rc != 0 ]] || bad "compress: exit 0 after SIG$sig at +${delay}s (finished too soon?)"
    [[ ! -e data.bin.xz ]] || bad "compress: data.bin.xz exists after SIG$sig at +${delay}s"
    [[ -e data.bin && $(sha256sum < data.bin) == "$want" ]] ||
      bad "compress: input changed or removed after SIG$sig"
    if [[ $sig != KILL ]] && ls -A | grep -q '\.parxz-'; then
      bad "compress: temporary file left after SIG$sig: $(ls -A | grep '\.parxz-')"
    fi
    rm -f .data.bin.xz.parxz-*  # SIGKILL cannot clean up: expected
    if [[ ! -e data.bin ]]; then echo "stopping: input gone" >&2; exit 1; fi
  done
done

# Decompression killed mid-way: the .xz stays, no data.bin appears.
"$parxz" -0 -T2 --block-size=1MiB -k -c data.bin > full.xz
mv data.bin original.bin
xzsum=$(sha256sum < full.xz)
for sig in KILL TERM; do
  rc=$(kill_midway "$sig" 0.02 "$parxz" -d -k full.xz)
  [[ $(sha256sum < full.xz) == "$xzsum" ]] || bad "decompress: input changed after SIG$sig"
  # The signal may land after the output was completed and renamed into
  # place (slow exits under sanitizers): a file under the final name is
  # fine only if it is the whole, correct output.
  if [[ -e full ]] && ! cmp -s full original.bin; then
    bad "decompress: partial or wrong output 'full' after SIG$sig (exit $rc)"
  fi
  if [[ $rc == 0 && ! -e full ]]; then
    bad "decompress: exit 0 after SIG$sig but no output"
  fi
  rm -f full .full.parxz-*
done

if ((fail)); then exit 1; fi
echo "PASS: no output under the final name after SIGKILL/SIGTERM/SIGINT"
