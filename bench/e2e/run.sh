#!/usr/bin/env bash
# End-to-end benchmarks: bench/e2e/run.sh BUILD_DIR (a Release build; needs kcat, python3-confluent-kafka, node)
#  1. throughput.sh: mock Kafka -> floe run -> Parquet zstd on local disk, Avro events, side by side with kcat
#     consuming the same topic to /dev/null (events/s, MB/s, CPU, peak RSS)
#  2. memory.sh: 64 partitions, events over 48 hours (~3000 open Parquet files) under the memory budget
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
"$here/throughput.sh" "$1"
"$here/memory.sh" "$1"
