#!/usr/bin/env bash
# Collective compression and reading (mpi/'s C++ API) with 1 to 4 ranks:
# every file written from memory must equal, byte for byte, single-node
# parxz's and `xz -T2 --block-size=B`'s output for the concatenated input,
# and must decode with `xz -t` and Python's lzma; the driver itself checks
# the read-back ranges and the failure cases on every rank.
# Usage: collective_test.sh DRIVER PARXZ
set -uo pipefail
driver=$(realpath "$1")
parxz=$(realpath "$2")
here=$(dirname "$0")
source "$here/mpi_env.sh"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
fail() {
  echo "FAIL: $*" >&2
  failures=$((failures + 1))
}

for np in 1 2 3 4; do
  dir=$work/np$np
  mkdir -p "$dir"
  if ! mpi_run "$np" "$driver" write "$dir"; then
    fail "np=$np: the driver's write/read-back checks"
  fi
  [[ -s $dir/cases.txt ]] || fail "np=$np: no cases written"
  while read -r name preset check bs; do
    xz_file=$dir/$name.xz raw=$dir/$name.raw
    opts=(-T2 "-$preset" "--check=$check" "--block-size=$bs")
    xz "${opts[@]}" -c < "$raw" > "$dir/ref.xz" || fail "np=$np $name: xz"
    cmp -s "$dir/ref.xz" "$xz_file" || fail "np=$np $name: differs from xz ${opts[*]}"
    "$parxz" "${opts[@]}" -c < "$raw" > "$dir/ref2.xz" || fail "np=$np $name: parxz"
    cmp -s "$dir/ref2.xz" "$xz_file" || fail "np=$np $name: differs from parxz ${opts[*]}"
    xz -t "$xz_file" || fail "np=$np $name: xz -t"
    python3 -c 'import lzma, sys
a = lzma.open(sys.argv[1]).read()
b = open(sys.argv[2], "rb").read()
sys.exit(a != b)' "$xz_file" "$raw" || fail "np=$np $name: Python lzma"
    echo "ok: np=$np $name"
  done < "$dir/cases.txt"
done

for np in 2 4; do
  dir=$work/faults$np
  mkdir -p "$dir"
  mpi_run "$np" "$driver" faults "$dir" || fail "np=$np: fault cases"
done

if ((failures)); then
  echo "$failures failure(s)" >&2
  exit 1
fi
echo "all collective cases passed"
