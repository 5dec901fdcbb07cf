#!/usr/bin/env bash
# Installs what floe needs to build, test and run its demo on Debian 12, and nothing that is already there.
# Idempotent: a second run does no network work. Works as root or through sudo.
#   scripts/install-deps.sh            Debian packages + npm test tools
#   scripts/install-deps.sh --no-npm   Debian packages only
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
want_npm=1
[[ "${1:-}" == "--no-npm" ]] && want_npm=0

packages=(
  # toolchain
  build-essential g++ cmake ninja-build ccache pkg-config git clang libclang-rt-14-dev
  # libraries floe links
  librdkafka-dev libjemalloc-dev libcurl4-openssl-dev libssl-dev libzstd-dev libsnappy-dev liblz4-dev zlib1g-dev
  libsqlite3-dev libpq-dev libyaml-cpp-dev nlohmann-json3-dev libsimdjson-dev libspdlog-dev libfmt-dev
  libcli11-dev libcpp-httplib-dev prometheus-cpp-dev libgtest-dev libgmock-dev libbenchmark-dev
  # peers and oracles used by tests and benchmarks
  kcat libavro-dev python3 python3-avro python3-confluent-kafka python3-botocore
  postgresql-15 procps
)
# Node.js may come from elsewhere (NodeSource bundles npm and conflicts with Debian's npm): only ask for
# Debian's when there is no npm at all.
if ! command -v npm >/dev/null 2>&1; then packages+=(nodejs npm); fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if ((${#missing[@]})); then
  echo "install-deps: installing ${missing[*]}"
  sudo=""
  if [[ $(id -u) -ne 0 ]]; then
    command -v sudo >/dev/null || { echo "install-deps: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
    sudo="sudo"
  fi
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if ((want_npm)); then
  tools="$here/tests/tools"
  # package-lock.json pins every version and `npm install --no-save` installs exactly those, only when
  # node_modules is stale. (Not `npm ci`: npm 11 rejects locks that omit other platforms' optional packages.)
  stamp="$tools/node_modules/.floe-lock-stamp"
  if [[ ! -f "$stamp" ]] || ! cmp -s "$tools/package-lock.json" "$stamp"; then
    echo "install-deps: installing npm test tools (tests/tools)"
    (cd "$tools" && npm install --no-save --no-audit --no-fund --loglevel=error)
    cp "$tools/package-lock.json" "$stamp"
  fi
fi
