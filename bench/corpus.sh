#!/usr/bin/env bash
# Prints the path of the benchmark sample, making it first if needed:
# sil7.tar from ../shared/corpus (see its README) when present, else a 64 MB
# mixed corpus generated from a fixed seed. Usage: bench/corpus.sh [WORKDIR]
set -euo pipefail
top="$(cd "$(dirname "$0")/.." && pwd)"
work="${1:-${TMPDIR:-/tmp}/parxz-corpus}"
mkdir -p "$work"
shared="$top/../shared/corpus/silesia"
if [[ -d "$shared" ]]; then
  out="$work/sil7.tar"
  if [[ ! -s "$out" ]]; then
    mkdir -p "$work/sil"
    for z in "$shared"/*.zip; do unzip -o -q "$z" -d "$work/sil"; done
    tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$work/sil" \
      -cf "$out.tmp" dickens mr nci ooffice osdb reymont xml
    mv "$out.tmp" "$out"
  fi
else
  out="$work/mixed64.bin"
  if [[ ! -s "$out" ]]; then
    (cd "$top" && bazel build -c opt //bench:make_corpus >&2)
    "$top/bazel-bin/bench/make_corpus" "$out.tmp" 64 1
    mv "$out.tmp" "$out"
  fi
fi
echo "$out"
