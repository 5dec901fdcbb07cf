# Shared by bench/e2e scripts (sourced): start/stop the mock Kafka cluster and the registry, produce,
# count a topic's records, time a command. Needs: $build (a Release build dir), $work (scratch dir).
floe="$build/floe"
tools="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../tests/tools" && pwd)"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  [[ -n "${KEEP_WORK:-}" ]] || rm -rf "$work"
}
trap cleanup EXIT

# start_kafka TOPIC:PARTITIONS... ; sets $bootstrap
start_kafka() {
  local args=()
  for t in "$@"; do args+=(--topic "$t"); done
  "$floe" dev-kafka --brokers 1 "${args[@]}" --bootstrap-file "$work/bootstrap" >"$work/kafka.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 100); do [[ -s "$work/bootstrap" ]] && break; sleep 0.1; done
  bootstrap="$(cat "$work/bootstrap")"
}

# start_registry ; sets $registry
start_registry() {
  "$floe" registry serve --port 0 >"$work/registry.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 100); do grep -q 'listening on' "$work/registry.log" 2>/dev/null && break; sleep 0.1; done
  registry="$(grep -o 'listening on http://[^ ]*' "$work/registry.log" | head -1 | sed 's/listening on //')"
}

# topic_records TOPIC: records the cluster holds (high - low watermarks over all partitions).
topic_records() {
  /usr/bin/python3 - "$bootstrap" "$1" <<'PY'
import sys
from confluent_kafka import Consumer, TopicPartition
c = Consumer({'bootstrap.servers': sys.argv[1], 'group.id': 'floe-bench-count'})
md = c.list_topics(sys.argv[2], timeout=10)
n = 0
for p in md.topics[sys.argv[2]].partitions:
    lo, hi = c.get_watermark_offsets(TopicPartition(sys.argv[2], p), timeout=10)
    n += hi - lo
print(n)
c.close()
PY
}

# timed NAME CMD... : runs CMD under /usr/bin/time -v with its stdout to /dev/null (stderr to $work/NAME.log),
# keeps the report in $work/NAME.time; prints "wall_s cpu_s max_rss_kib".
timed() {
  local name="$1"; shift
  /usr/bin/time -v -o "$work/$name.time" "$@" >/dev/null 2>"$work/$name.log" || { cat "$work/$name.log" >&2; return 1; }
  awk -F': ' '
    /Elapsed \(wall clock\)/ { n = split($2, a, ":"); w = (n == 3) ? a[1] * 3600 + a[2] * 60 + a[3] : a[1] * 60 + a[2] }
    /User time/ { u = $2 } /System time/ { s = $2 } /Maximum resident/ { r = $2 }
    END { printf "%.2f %.2f %d\n", w, u + s, r }' "$work/$name.time"
}
