#!/usr/bin/env bash
# JSON decode benchmark: JsonColumnarDecoder vs the JSON-lines decoder vs simdjson's parse alone.
#   bench/json/run.sh BUILD_DIR     (a Release build with -DFLOE_BENCH=ON)
set -euo pipefail
build="$1"
pin=(taskset -c 0)
"${pin[@]}" true 2>/dev/null || pin=()
"${pin[@]}" "$build/bench/json/json_decode_bench" --benchmark_repetitions=3 --benchmark_report_aggregates_only=true
