#!/usr/bin/env bash
# Installs what parxz needs from Debian's packages, quietly and only what is
# missing. Sourced or run by tools/run.sh, tools/test.sh and bench/compare.sh.
set -euo pipefail

# bazel-bootstrap builds offline with the third_party/ stubs; xz-utils and pixz
# are the independent implementations tests compare with; python3-dev,
# pybind11-dev and the testsuite serve python/; clang-14 the fuzz targets;
# cmake builds the TSan oneTBB (tools/tbb_tsan.sh); man-db and groff-base
# render tools/parxz.1 in its test (tests/man); Open MPI and gfortran serve
# mpi/ (its tests and the Fortran example); pandas and numcodecs are the real
# clients of parxz.lzma.install() in tests/python; libarchive-dev reads tar
# for the tar member options (tools/, never a hand-written tar parser); 7zip
# is the third peer in bench/; gnuplot-nox draws bench/plots.sh's pictures.
PARXZ_PACKAGES=(
  bazel-bootstrap
  g++ liblzma-dev libtbb-dev libgtest-dev libbenchmark-dev
  xz-utils pixz
  python3 python3-dev pybind11-dev libpython3.11-testsuite
  clang-14 libclang-rt-14-dev
  pkg-config unzip time
  cmake
  man-db groff-base
  openmpi-bin libopenmpi-dev gfortran
  python3-pandas python3-numcodecs
  libarchive-dev 7zip
  gnuplot-nox
)

missing=()
for p in "${PARXZ_PACKAGES[@]}"; do
  [[ "$p" == \#* ]] && continue
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" \
    || missing+=("$p")
done

if ((${#missing[@]})); then
  echo "parxz setup: installing ${missing[*]}" >&2
  SUDO=""
  [[ $(id -u) -ne 0 ]] && SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq >/dev/null
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
