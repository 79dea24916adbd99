#!/usr/bin/env bash
# Runs PROGRAM on NP ranks with a fresh directory as its argument, under the
# tests' timeout. Usage: run_mpi.sh NP PROGRAM
set -euo pipefail
source "$(dirname "$0")/mpi_env.sh"
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
mpi_run "$1" "$(realpath "$2")" "$dir"
