#!/usr/bin/env bash
# Installs the built libraries into a temporary prefix with
# capi/install_files.sh (what tools/install.sh runs after building),
# then, outside Bazel, builds tests/capi/example.c with plain `cc` and
# pkg-config against that prefix and checks that:
#   - it round-trips a file with 2 threads, dynamically and statically linked;
#   - its .xz output is byte-identical to the C++ API's (cpp_reference) and
#     `xz -d` reads it back;
#   - a Fortran program (ISO_C_BINDING) links and round-trips, if gfortran
#     is installed;
#   - the random-access examples (reader_example.c, OpenMP over one reader,
#     against `xz -dc`; reader_fortran.f90 if gfortran is installed) build
#     and run;
#   - the shared library exports exactly the functions parxz.h declares.
set -euo pipefail
fail() { echo "FAIL: $*" >&2; exit 1; }

capi=capi
work=${TEST_TMPDIR:-$(mktemp -d)}
prefix=$work/prefix
"$capi/install_files.sh" "$prefix" "$capi/libparxz.so" "$capi/libparxz.a" \
  "$capi/parxz.h"
for f in lib/libparxz.so lib/libparxz.so.0 lib/libparxz.a include/parxz.h \
         include/parxz_reader.h lib/pkgconfig/parxz.pc; do
  [[ -e $prefix/$f ]] || fail "$f not installed"
done

export PKG_CONFIG_PATH=$prefix/lib/pkgconfig
pkg-config --exists parxz || fail "pkg-config does not find parxz"
cflags=$(pkg-config --cflags parxz)
# The program, compiled as a user would (C99, warnings as errors).
cc -std=c99 -Wall -Wextra -Werror -pedantic tests/capi/example.c $cflags \
  $(pkg-config --libs parxz) -o "$work/example"
# (Output captured first: `ldd | grep -q` can die of SIGPIPE under pipefail.)
deps=$(ldd "$work/example")
grep -q "libparxz.so.0 => $prefix/lib/" <<<"$deps" ||
  fail "example is not linked against the installed libparxz.so"
# The same program against libparxz.a: no libparxz.so at run time.
cc -std=c99 tests/capi/example.c $cflags "$prefix/lib/libparxz.a" \
  $(pkg-config --static --libs-only-l parxz | sed 's/-lparxz//') \
  -o "$work/example_static"
deps=$(ldd "$work/example_static")
if grep -q libparxz <<<"$deps"; then
  fail "the static example still needs libparxz.so"
fi

# ~2.6 MiB of mixed text and random bytes: three 1 MiB Blocks.
python3 - "$work/input" <<'PY'
import random, sys
rng = random.Random(8)
parts = []
for i in range(40):
    if i % 3 == 2:
        parts.append(rng.randbytes(20000))
    else:
        words = [rng.choice([b"parallel", b"xz", b"block", b"HPC", b"rank"])
                 for _ in range(20000)]
        parts.append(b" ".join(words))
open(sys.argv[1], "wb").write(b"".join(parts)[: 2_700_000])
PY

"$work/example" "$work/input" "$work/c.xz"
"$work/example_static" "$work/input" "$work/c_static.xz"
tests/capi/cpp_reference "$work/input" "$work/cpp.xz"
cmp "$work/c.xz" "$work/cpp.xz" || fail "C output differs from the C++ API's"
cmp "$work/c_static.xz" "$work/cpp.xz" || fail "static C output differs"
xz -dc "$work/c.xz" | cmp - "$work/input" || fail "xz -d does not read it back"
blocks=$(xz --robot -lv "$work/c.xz" | grep -c '^block')
[[ $blocks -eq 3 ]] || fail "expected 3 Blocks, xz lists $blocks"

# Random access from C (OpenMP over slabs of one reader), as a user builds it.
cc -std=c99 -Wall -Wextra -Werror -pedantic -fopenmp tests/capi/reader_example.c \
  $cflags $(pkg-config --libs parxz) -o "$work/reader_example"
OMP_NUM_THREADS=3 "$work/reader_example" "$work/c.xz" "$work/c.back" 300000 \
  > /dev/null
cmp "$work/c.back" "$work/input" || fail "reader example: bytes differ"

# Fortran through ISO_C_BINDING, where a Fortran compiler is installed.
if command -v gfortran >/dev/null; then
  gfortran tests/capi/fortran_smoke.f90 $(pkg-config --libs parxz) \
    -o "$work/fortran_smoke"
  smoke=$("$work/fortran_smoke")
  grep -q "round trip ok" <<<"$smoke" || fail "Fortran smoke"
  gfortran -fopenmp tests/capi/reader_fortran.f90 $(pkg-config --libs parxz) \
    -o "$work/reader_fortran"
  out=$(OMP_NUM_THREADS=3 "$work/reader_fortran" "$work/fortran.xz")
  echo "$out"
  grep -q "slabs read back ok" <<<"$out" || fail "Fortran reader: $out"
  xz -t "$work/fortran.xz" || fail "Fortran reader: xz -t"
else
  echo "gfortran not installed: Fortran smoke test skipped"
fi

# Exported symbols == functions declared in the header.
nm -D --defined-only "$prefix/lib/libparxz.so" | awk '{print $3}' | sort \
  > "$work/exported"
cat "$prefix/include/parxz.h" "$prefix/include/parxz_reader.h" |
  grep '^PARXZ_API' | grep -o 'parxz_[a-z0-9_]*(' |
  tr -d '(' | sort -u > "$work/declared"
[[ $(wc -l < "$work/declared") -ge 20 ]] || fail "header parse found too few"
diff "$work/declared" "$work/exported" ||
  fail "nm -D lists other symbols than the documented API"

echo "install test: OK ($(wc -l < "$work/exported") symbols exported)"
