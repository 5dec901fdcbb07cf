#!/usr/bin/env bash
# mock Kafka -> `floe run` -> Parquet zstd on local disk, side by side with kcat reading the same topic to
# /dev/null. bench/e2e/throughput.sh BUILD_DIR
#   E2E_EVENTS (10000000) Avro events produced with zstd compression over E2E_PARTITIONS (256) partitions
#   (the mock cluster keeps only the newest ~5 MiB per partition: the script checks every event is there).
#   The producer lingers 2 s so each partition's batches are large: the mock cluster returns one batch per
#   partition per fetch, so with small batches over many partitions it, not the readers, sets the pace.
# kcat runs twice: assigned every partition (-C, no group) and as a consumer group member (-G), which pays the
# group join floe pays too.
# Each side reads the whole topic from the beginning and exits at its end (kcat -e, floe --exit-when-idle);
# /usr/bin/time -v gives wall time, CPU and peak RSS. floe's row count is checked in the lake with DuckDB.
#   E2E_BASELINE_FLOE: another floe binary (e.g. a build of an older commit) run the same way on the same
#   topic before this build's, for a before/after comparison under the same load.
#   E2E_BASELINE_EXTRA: YAML lines appended to the baseline's config only, e.g. this build as its own
#   baseline with another setting: E2E_BASELINE_FLOE=BUILD_DIR/floe E2E_BASELINE_EXTRA='parquet.compression.level: 3'.
set -euo pipefail
build="$(cd "$1" && pwd)"
here="$(cd "$(dirname "$0")" && pwd)"
events="${E2E_EVENTS:-10000000}"
partitions="${E2E_PARTITIONS:-256}"
work="$(mktemp -d /tmp/floe-e2e.XXXXXX)"
source "$here/lib.sh"

start_kafka "events:$partitions"
start_registry
echo "-- produce: $events Avro events, zstd, $partitions partitions"
"$floe" produce --bootstrap "$bootstrap" --topic events --count "$events" --format avro --registry "$registry" \
  --evolve-at 1 --compression zstd --seed 7 --spread-hours 2 --linger-ms 2000 2>&1 | grep -o 'produced.*' || true
held="$(topic_records events)"
if [[ "$held" != "$events" ]]; then
  echo "the mock cluster holds $held of $events events (retention): raise E2E_PARTITIONS" >&2
  exit 1
fi
bytes="$(kcat -C -b "$bootstrap" -t events -o beginning -e -q -f '%S\n' | awk '{ s += $1 } END { print s }')"
echo "topic: $events events, $bytes bytes of Avro values (Confluent framing included)"

report() {  # NAME "wall cpu rss"
  read -r wall cpu rss <<<"$2"
  awk -v n="$1" -v e="$events" -v b="$bytes" -v w="$wall" -v c="$cpu" -v r="$rss" 'BEGIN {
    printf "%-5s wall %6.2f s  %9.0f events/s  %7.1f MB/s  CPU %6.2f s (%3.0f%% of one core)  peak RSS %6.1f MiB\n",
      n, w, e / w, b / w / 1e6, c, 100 * c / w, r / 1024 }'
}

echo "-- kcat -C -e to /dev/null"
k="$(timed kcat kcat -C -b "$bootstrap" -t events -o beginning -e -q -X enable.partition.eof=true)"
report kcat "$k"
# The same reader as a member of a consumer group, as floe is: it pays the group join (the mock cluster
# delays the first rebalance by 3 s) and nothing else. No group consumer can be faster: floe's ceiling.
echo "-- kcat -G (a consumer group, as floe joins one) -e to /dev/null"
g="$(timed kcatg kcat -b "$bootstrap" -G bench-e2e-kcat -e -q -X enable.partition.eof=true \
  -X auto.offset.reset=earliest events)"
report kcatg "$g"

run_floe() {  # NAME BINARY [EXTRA YAML] -> "wall cpu rss"; lake in $work/lake-NAME
  cat >"$work/$1.yaml" <<YAML
kafka: { bootstrap.servers: "$bootstrap", group.id: bench-e2e-$1 }
store.url: "file://$work/lake-$1"
schema.registry.url: "$registry"
topics: [events]
input.format: avro
format: parquet
parquet.codec: zstd
timestamp.fields: [occurred_at]
flush.size: 1000000
log.level: warn
${3:-}
YAML
  timed "$1" "$2" run --config "$work/$1.yaml" --exit-when-idle
}
read -r kw _ _ <<<"$k"
read -r gw _ _ <<<"$g"
awk -v k="$kw" -v g="$gw" 'BEGIN { printf "kcat -G / kcat events/s: %.2fx (the most any group consumer reaches here)\n", k / g }'
if [[ -n "${E2E_BASELINE_FLOE:-}" ]]; then
  echo "-- baseline $E2E_BASELINE_FLOE run --exit-when-idle (Parquet zstd, local disk)"
  b="$(run_floe base "$E2E_BASELINE_FLOE" "${E2E_BASELINE_EXTRA:-}")"
  report base "$b"
  read -r bw _ _ <<<"$b"
  awk -v k="$kw" -v f="$bw" 'BEGIN { printf "baseline / kcat events/s: %.2fx\n", k / f }'
  node "$here/count_rows.mjs" "$work/lake-base/default/events/*/*/*/*.parquet" "$events"
  # Kept until the exit's cleanup: deleting ~2,300 files right before the next run would make it pay for them
  # (ext4 without a journal scans past recently deleted inodes for every file it creates).
fi
echo "-- floe run --exit-when-idle (Parquet zstd, local disk)"
f="$(run_floe floe "$floe")"
report floe "$f"
read -r fw _ _ <<<"$f"
awk -v k="$kw" -v f="$fw" 'BEGIN { printf "floe / kcat events/s: %.2fx\n", k / f }'
awk -v g="$gw" -v f="$fw" 'BEGIN { printf "floe / kcat -G events/s: %.2fx\n", g / f }'

node "$here/count_rows.mjs" "$work/lake-floe/default/events/*/*/*/*.parquet" "$events" --metadata
echo "lake: $(du -sb "$work/lake-floe/default" | cut -f1) bytes of Parquet in $(find "$work/lake-floe/default" -name '*.parquet' | wc -l) files"
