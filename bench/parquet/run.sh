#!/usr/bin/env bash
# Parquet benchmarks: bench/parquet/run.sh BUILD_DIR (a Release build with -DFLOE_BENCH=ON)
#  1. 15-column event table, 5M rows, zstd: floe's writer vs DuckDB COPY (threads=1, same codec and rows per
#     row group). The machine is shared, so the two run interleaved (floe, DuckDB, floe, ...) under `nice`,
#     PARQUET_BENCH_REPS times each (default 3), and the medians are reported.
#  2. memory: 2000 concurrently open writers x 50000 rows under a 256 MiB MemoryBudget (peak RSS)
set -euo pipefail
build="$1"
here="$(cd "$(dirname "$0")" && pwd)"
rows="${PARQUET_BENCH_ROWS:-5000000}"
reps="${PARQUET_BENCH_REPS:-3}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

floe_runs=() duck_runs=()
for ((r = 1; r <= reps; r++)); do
  echo "-- write $r/$reps: floe (zstd, $rows rows)"
  floe_json="$(nice "$build/bench/parquet/parquet_write_table" "$work/floe.parquet" "$rows" zstd)"
  echo "$floe_json"
  floe_runs+=("$floe_json")
  groups="$(node -e "console.log(JSON.parse(process.argv[1]).row_groups)" "$floe_json")"
  group_rows=$(( (rows + groups - 1) / groups ))
  echo "-- write $r/$reps: DuckDB COPY (threads=1, zstd, ROW_GROUP_SIZE $group_rows)"
  duck_json="$(nice node "$here/duckdb_copy.mjs" "$work/floe.parquet" "$work/duckdb.parquet" "$group_rows")"
  echo "$duck_json"
  duck_runs+=("$duck_json")
done
node -e '
  const [reps, ...runs] = process.argv.slice(1);
  const n = Number(reps), floe = runs.slice(0, n).map(JSON.parse), duck = runs.slice(n).map(JSON.parse);
  const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[(s.length - 1) >> 1]; };
  const both = (key, digits) => { const f = median(floe.map((x) => x[key])), d = median(duck.map((x) => x[key]));
    return { floe: f, duckdb: d, floe_over_duckdb: +(f / d).toFixed(digits) }; };
  console.log(JSON.stringify({ median_rows_per_s: both("rows_per_s", 2), median_rows_per_cpu_s: both("rows_per_cpu_s", 2),
    median_bytes: both("bytes", 3) }));
' "$reps" "${floe_runs[@]}" "${duck_runs[@]}"

echo "-- memory: 2000 writers x 50000 rows, 256 MiB budget"
mkdir -p "$work/spool"
nice "$build/bench/parquet/parquet_memory" "${PARQUET_MEM_WRITERS:-2000}" "${PARQUET_MEM_ROWS:-50000}" 256 "$work/spool"
