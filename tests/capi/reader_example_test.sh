#!/usr/bin/env bash
# Runs the C reader example (reader_example.c, an OpenMP loop over slabs of
# one reader) on two concatenated Streams made by xz -T2 and xz -T1 and
# compares what it wrote with `xz -dc`.
set -euo pipefail
fail() { echo "FAIL: $*" >&2; exit 1; }
example=tests/capi/reader_example
work=${TEST_TMPDIR:-$(mktemp -d)}
head -c 1500000 /dev/urandom > "$work/r"
{ yes 'slab 37 of a compressed field' || true; } | head -c 3000000 > "$work/t"
cat "$work/t" "$work/r" "$work/t" > "$work/plain"
xz -T2 --block-size=400KiB -c "$work/plain" > "$work/in.xz"
xz -T1 -c "$work/r" >> "$work/in.xz"
xz -dc "$work/in.xz" > "$work/want"
for slab in 1048576 100000 7; do
  [[ $slab == 7 ]] && head -c 100000 "$work/r" | xz -T1 > "$work/in.xz" &&
    xz -dc "$work/in.xz" > "$work/want"
  OMP_NUM_THREADS=4 "$example" "$work/in.xz" "$work/out" "$slab" > "$work/log"
  cmp "$work/out" "$work/want" || fail "slab $slab: output differs from xz -dc"
done
grep -q "Blocks" "$work/log" || fail "no Block table printed"
echo "reader example: OK"
