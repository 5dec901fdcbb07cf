#!/usr/bin/env bash
# Memory of `floe run` with many open Parquet files: 64 partitions, Avro events whose business times spread
# over 48 hours, so each partition holds ~48 open files (~3000 in all) until the run ends (no rotation).
# bench/e2e/memory.sh BUILD_DIR
#   E2E_MEM_EVENTS (2500000: the mock cluster keeps ~50,000 of these events per partition), E2E_MEM_BUDGET_MIB (256: parquet.memory.budget.bytes), E2E_MEM_LOW_MIB (64)
# The same run is made twice, with the budget and with a low budget: what does not depend on the budget
# (binary, librdkafka's fetch queues, decoder, the archiver's per-file state) is the baseline
# peak RSS(low) - low; the claim checked is peak RSS(budget) <= budget + baseline.
set -euo pipefail
build="$(cd "$1" && pwd)"
here="$(cd "$(dirname "$0")" && pwd)"
events="${E2E_MEM_EVENTS:-2500000}"
budget_mib="${E2E_MEM_BUDGET_MIB:-256}"
low_mib="${E2E_MEM_LOW_MIB:-64}"
work="$(mktemp -d /tmp/floe-e2e-mem.XXXXXX)"
source "$here/lib.sh"

start_kafka "events:64"
start_registry
echo "-- produce: $events Avro events over 48 hours, zstd, 64 partitions"
"$floe" produce --bootstrap "$bootstrap" --topic events --count "$events" --format avro --registry "$registry" \
  --evolve-at 1 --compression zstd --seed 11 --spread-hours 48 2>&1 | grep -o 'produced.*' || true
held="$(topic_records events)"
if [[ "$held" != "$events" ]]; then
  echo "the mock cluster holds $held of $events events (retention): lower E2E_MEM_EVENTS" >&2
  exit 1
fi

run() {  # BUDGET_MIB -> "wall cpu rss"
  cat >"$work/b$1.yaml" <<YAML
kafka: { bootstrap.servers: "$bootstrap", group.id: bench-mem-$1 }
store.url: "file://$work/lake-$1"
schema.registry.url: "$registry"
topics: [events]
input.format: avro
format: parquet
parquet.memory.budget.bytes: $(($1 << 20))
timestamp.fields: [occurred_at]
flush.size: 100000000
file.max.bytes: 100000000000
rotate.schedule.interval.ms: 0
max.open.files.per.partition: 64
log.level: warn
YAML
  timed "b$1" "$floe" run --config "$work/b$1.yaml" --exit-when-idle
}
for b in "$budget_mib" "$low_mib"; do
  echo "-- floe run, Parquet, budget $b MiB"
  read -r wall cpu rss <<<"$(run "$b")"
  files="$(find "$work/lake-$b/default" -name '*.parquet' | wc -l)"
  if ! node "$here/count_rows.mjs" "$work/lake-$b/default/events/*/*/*/*.parquet" "$events"; then
    KEEP_WORK=1  # a wrong count is worth examining: the lake, the config and floe's log stay
    echo "wrong row count: lake, config and log kept in $work (the group's committed offsets are in the mock cluster, gone with it)" >&2
    exit 1
  fi
  echo "budget $b MiB: $files files open at once, peak RSS $((rss / 1024)) MiB, wall $wall s, CPU $cpu s"
  eval "rss_$b=$rss"
  rm -rf "$work/lake-$b"
done
rss_hi="rss_$budget_mib"; rss_lo="rss_$low_mib"
awk -v hi="${!rss_hi}" -v lo="${!rss_lo}" -v b="$budget_mib" -v l="$low_mib" 'BEGIN {
  base = lo / 1024 - l
  printf "baseline (peak RSS at %d MiB budget - %d MiB) %.1f MiB; peak RSS at %d MiB budget %.1f MiB = baseline + %.1f MiB: %s\n",
    l, l, base, b, hi / 1024, hi / 1024 - base, (hi / 1024 - base <= b) ? "within the budget" : "OVER the budget" }'
