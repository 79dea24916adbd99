#!/usr/bin/env bash
# Reading .xz from Python, side by side in one run (issue 16): stock
# lzma.open().read() vs parxz.lzma.open(threads=2).read() of sil7.tar
# (xz -6 -T2 --block-size=4MiB), and pandas.read_csv of a ~100 MB .csv.xz
# stock vs after parxz.lzma.install(threads=2); medians of 7 paired ratios,
# peak RSS. Arguments go to bench/python_read.py (--help). Debian's python3 with
# python3-pandas (tools/setup.sh installs it). Not part of tools/test.sh.
# Smoke run: bench/python_read.sh --runs 1 --limit 4000000 --csv-mb 2
set -euo pipefail
top="$(cd "$(dirname "$0")/.." && pwd)"
exec /usr/bin/python3 "$top/bench/python_read.py" "$@"
