#!/usr/bin/env bash
# Runs every libFuzzer target of a FLOE_FUZZ build for N seconds each: fuzz/run.sh BUILD_DIR SECONDS
set -euo pipefail
build="$1"; seconds="${2:-300}"
here="$(cd "$(dirname "$0")" && pwd)"
status=0
while IFS= read -r target; do
  name="$(basename "$target")"
  sub="$(basename "$(dirname "$target")")"
  corpus="$here/$sub/corpus/$name"
  work="$build/corpus-work/$name"; mkdir -p "$work"
  echo "== $name (${seconds}s)"
  "$target" -max_total_time="$seconds" -print_final_stats=1 "$work" $( [[ -d "$corpus" ]] && echo "$corpus" ) || status=1
done < <(find "$build/fuzz" -type f -executable -name '*_fuzzer' | sort)
exit $status
