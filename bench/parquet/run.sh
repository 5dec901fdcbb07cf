#!/usr/bin/env bash
# Parquet benchmarks: bench/parquet/run.sh BUILD_DIR (a Release build with -DFLOE_BENCH=ON)
#  1. 15-column event table, 5M rows, zstd: floe's writer vs DuckDB COPY (threads=1, same rows per row group)
#  2. memory: 2000 concurrently open writers x 50000 rows under a 256 MiB MemoryBudget (peak RSS)
set -euo pipefail
build="$1"
here="$(cd "$(dirname "$0")" && pwd)"
rows="${PARQUET_BENCH_ROWS:-5000000}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

echo "-- write: floe (zstd, $rows rows)"
floe_json="$("$build/bench/parquet/parquet_write_table" "$work/floe.parquet" "$rows" zstd)"
echo "$floe_json"
groups="$(node -e "console.log(JSON.parse(process.argv[1]).row_groups)" "$floe_json")"
group_rows=$(( (rows + groups - 1) / groups ))
echo "-- write: DuckDB COPY (threads=1, zstd, ROW_GROUP_SIZE $group_rows)"
node "$here/duckdb_copy.mjs" "$work/floe.parquet" "$work/duckdb.parquet" "$group_rows"

echo "-- memory: 2000 writers x 50000 rows, 256 MiB budget"
mkdir -p "$work/spool"
"$build/bench/parquet/parquet_memory" "${PARQUET_MEM_WRITERS:-2000}" "${PARQUET_MEM_ROWS:-50000}" 256 "$work/spool"
