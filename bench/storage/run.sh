#!/usr/bin/env bash
# Upload throughput of floe's object stores, with peers: bench/storage/run.sh BUILD_DIR
# Starts s3rver (tests/tools/node_modules) on a free loopback port for the S3 figures and stops it after.
# Peers: `cp` + `sync` for the local store, `curl --aws-sigv4 -T` (one PUT) for S3.
set -euo pipefail
build="$1"
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
bin="$build/bench/storage/storage_bench"
work="$(mktemp -d)"
trap 'kill "$s3rver_pid" 2>/dev/null || true; rm -rf "$work"' EXIT

mkfifo "$work/in"
NODE_PATH="$root/tests/tools/node_modules" node --openssl-legacy-provider "$root/tests/storage/s3rver_main.js" \
  "$work/s3rver" floe-bench < "$work/in" > "$work/s3rver.out" &
s3rver_pid=$!
exec 3> "$work/in"  # s3rver exits when this closes
for _ in $(seq 100); do grep -q listening "$work/s3rver.out" 2>/dev/null && break; sleep 0.1; done
port="$(awk '/listening/ {print $2}' "$work/s3rver.out")"
echo "s3rver on port $port"

FLOE_BENCH_S3_ENDPOINT="http://127.0.0.1:$port" "$bin" --benchmark_min_time=0.5

echo "== peers"
head -c $((128 << 20)) /dev/urandom > "$work/peer.bin"
start=$(date +%s.%N)
cp "$work/peer.bin" "$work/peer-copy.bin" && sync "$work/peer-copy.bin"
end=$(date +%s.%N)
echo "cp+sync 128 MiB: $(echo "128 / ($end - $start)" | bc -l | cut -c1-6) MiB/s"
start=$(date +%s.%N)
curl -sf --aws-sigv4 "aws:amz:us-east-1:s3" --user S3RVER:S3RVER -H "x-amz-content-sha256: UNSIGNED-PAYLOAD" \
  -T "$work/peer.bin" \
  "http://127.0.0.1:$port/floe-bench/peer.bin" -o /dev/null
end=$(date +%s.%N)
echo "curl --aws-sigv4 single PUT 128 MiB to s3rver: $(echo "128 / ($end - $start)" | bc -l | cut -c1-6) MiB/s"
