#!/usr/bin/env bash
# Avro decode benchmark: floe vs avro-c on the same 1M pre-encoded events.
#   bench/avro/run.sh BUILD_DIR [ROUNDS]     wall clock: ROUNDS (default 5) interleaved runs of each side,
#                                             medians of events/s (CPU time) and the ratio of the medians
#   bench/avro/run.sh BUILD_DIR --callgrind  instructions per event of each side's decode call alone
#                                             (valgrind callgrind, 100,000 events): a noise-free comparison
# BUILD_DIR must be a Release build with -DFLOE_BENCH=ON.
set -euo pipefail
build="$1"
mode="${2:-5}"
bin="$build/bench/avro/avro_decode_bench"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

if [[ "$mode" == "--callgrind" ]]; then
  events=100000
  # Only the decode calls are counted: corpus generation, schema compilation and batch draining are not.
  FLOE_AVRO_BENCH_EVENTS=$events valgrind --tool=callgrind --callgrind-out-file="$tmp/floe.out" \
    --collect-atstart=no \
    --toggle-collect='floe::avro::RecordDecoder::Decode(unsigned char const*, unsigned long, floe::columnar::ColumnarBatch&)' \
    "$bin" --benchmark_filter=BM_FloeDecodeToColumns >/dev/null 2>"$tmp/floe.log"
  FLOE_AVRO_BENCH_EVENTS=$events valgrind --tool=callgrind --callgrind-out-file="$tmp/avroc.out" \
    --collect-atstart=no --toggle-collect='AvroCPeerRead*' \
    "$bin" --benchmark_filter=BM_AvroCGenericValueRead >/dev/null 2>"$tmp/avroc.log"
  /usr/bin/python3 - "$tmp" "$events" <<'PY'
import re, sys
tmp, events = sys.argv[1], int(sys.argv[2])
def ir(name):
    text = open(f"{tmp}/{name}.out").read()
    return int(re.search(r"^totals: (\d+)", text, re.M).group(1))
floe, avroc = ir("floe"), ir("avroc")
print(f"floe   decode: {floe / events:8.0f} instructions/event")
print(f"avro-c decode: {avroc / events:8.0f} instructions/event")
print(f"floe runs {avroc / floe:.2f}x fewer instructions than avro-c  ({events:,} events, one pass each)")
PY
  exit 0
fi

rounds="$mode"
pin=(taskset -c 0)
"${pin[@]}" true 2>/dev/null || pin=()
for ((i = 0; i < rounds; i++)); do
  for b in BM_FloeDecodeToColumns BM_AvroCGenericValueRead; do
    "${pin[@]}" "$bin" --benchmark_filter="^$b" --benchmark_format=json \
      --benchmark_out="$tmp/$b.$i.json" --benchmark_out_format=json >/dev/null
  done
done
/usr/bin/python3 - "$tmp" "$rounds" <<'PY'
import json, statistics, sys
tmp, rounds = sys.argv[1], int(sys.argv[2])
med, per_round = {}, {}
for name, label in (("BM_FloeDecodeToColumns", "floe RecordDecoder -> ColumnarBatch"),
                    ("BM_AvroCGenericValueRead", "avro-c avro_value_read (generic value)")):
    runs = [json.load(open(f"{tmp}/{name}.{i}.json"))["benchmarks"][0] for i in range(rounds)]
    per_round[name] = [r["items_per_second"] for r in runs]
    eps = sorted(per_round[name])
    med[name] = statistics.median(eps)
    mbs = statistics.median(r["bytes_per_second"] for r in runs) / 1e6
    print(f"{label:42s} median {med[name]/1e6:6.2f} M events/s {mbs:7.1f} MB/s"
          f"   (runs: {', '.join(f'{e/1e6:.2f}' for e in eps)})")
print(f"floe / avro-c: {med['BM_FloeDecodeToColumns'] / med['BM_AvroCGenericValueRead']:.2f}x"
      f"  (ratio of medians of {rounds} interleaved runs; per core, CPU time)")
paired = [f / a for f, a in zip(per_round["BM_FloeDecodeToColumns"], per_round["BM_AvroCGenericValueRead"])]
print(f"floe / avro-c per round: median {statistics.median(paired):.2f}x  (runs: {', '.join(f'{x:.2f}' for x in sorted(paired))})")
PY
