#!/usr/bin/env bash
# Runs the avro decode benchmark (floe vs avro-c on the same 1M pre-encoded events): bench/avro/run.sh BUILD_DIR
# BUILD_DIR must be a Release build with -DFLOE_BENCH=ON. Prints the side-by-side ratio.
set -euo pipefail
build="$1"
bin="$build/bench/avro/avro_decode_bench"
out="$(mktemp)"
trap 'rm -f "$out"' EXIT
taskset -c 0 "$bin" --benchmark_format=json --benchmark_out="$out" --benchmark_out_format=json >/dev/null 2>&1 \
  || "$bin" --benchmark_format=json --benchmark_out="$out" --benchmark_out_format=json >/dev/null
/usr/bin/python3 - "$out" <<'PY'
import json, sys
runs = {b["name"].split("/")[0]: b for b in json.load(open(sys.argv[1]))["benchmarks"]}
rows = []
for name, label in (("BM_FloeDecodeToColumns", "floe RecordDecoder -> ColumnarBatch"),
                    ("BM_AvroCGenericValueRead", "avro-c avro_value_read (generic value)")):
    b = runs[name]
    rows.append((label, b["items_per_second"], b["bytes_per_second"] / 1e6))
    print(f"{label:42s} {b['items_per_second']/1e6:8.2f} M events/s {b['bytes_per_second']/1e6:9.1f} MB/s")
print(f"floe / avro-c: {rows[0][1] / rows[1][1]:.1f}x  (per core, CPU time)")
PY
