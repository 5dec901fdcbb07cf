#!/usr/bin/env bash
# Runs every benchmark of a FLOE_BENCH build: bench/run.sh BUILD_DIR
# Each bench/<subsystem>/run.sh (when present) runs that subsystem's side-by-side comparisons.
set -euo pipefail
build="$1"
here="$(cd "$(dirname "$0")" && pwd)"
for script in "$here"/*/run.sh; do
  [[ -x "$script" ]] || continue
  echo "== $(basename "$(dirname "$script")")"
  "$script" "$build"
done
