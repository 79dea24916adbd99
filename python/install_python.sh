#!/usr/bin/env bash
# Builds the Python package parxz (optimized) and installs it for Debian's
# /usr/bin/python3 (3.11) into PREFIX/lib/python3.11/site-packages/parxz.
# Usage: python/install_python.sh PREFIX     (e.g. /usr/local, $HOME/.local)
# Then: PYTHONPATH=PREFIX/lib/python3.11/site-packages python3 -c 'import parxz.lzma'
# (/usr/local and ~/.local are on Debian's default sys.path already).
set -euo pipefail
if [[ $# -ne 1 ]]; then
  echo "usage: $0 PREFIX" >&2
  exit 2
fi
prefix="$1"
top="$(cd "$(dirname "$0")/.." && pwd)"
cd "$top"
bazel build -c opt //python:parxz >&2
bin="$(bazel info -c opt bazel-bin 2>/dev/null)/python/parxz"
dest="$prefix/lib/python3.11/site-packages/parxz"
mkdir -p "$dest"
install -m 0644 python/parxz/*.py "$dest/"
# An earlier install's _lzma.so would be imported instead of _lzma.py.
rm -f "$dest/_parallel.so" "$dest/_lzma.so"
install -m 0755 "$bin/_parxz.so" "$dest/"
# PARXZ_LZMA_THREADS=N: lzma.install() at start (parxz/_autoinstall.py). site
# reads .pth files only in site directories (/usr/local and ~/.local are).
install -m 0644 python/parxz-lzma-threads.pth "$prefix/lib/python3.11/site-packages/"
# Smoke test of what was installed, with the interpreter it is for.
PYTHONPATH="$prefix/lib/python3.11/site-packages" /usr/bin/python3 -c '
import parxz.lzma as lzma
data = b"parxz" * 1000
assert lzma.decompress(lzma.compress(data, threads=2)) == data
' || { echo "$0: installed package does not import" >&2; exit 1; }
echo "installed parxz into $dest" >&2
