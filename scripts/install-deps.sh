#!/usr/bin/env bash
# Installs the Debian packages Keel builds and tests with, only those that are missing.
# Idempotent and quiet when everything is present; works as root or through sudo.
set -euo pipefail

# What the build finds today. Later layers add theirs here.
packages=(
  build-essential cmake ccache
  librocksdb-dev libcapnp-dev capnproto libssl-dev
  nlohmann-json3-dev libcaf-dev catch2
  libboost1.81-dev libboost-system1.81-dev prometheus-cpp-dev libjemalloc-dev libspdlog-dev
  libjs-chart.js chromium libcli11-dev libsodium-dev pkg-config
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
# Node.js and npm come with the machine; install Debian's only where they are missing.
command -v npm >/dev/null 2>&1 || missing+=(nodejs npm)

if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ]; then
    sudo=()
  elif command -v sudo >/dev/null 2>&1; then
    sudo=(sudo)
  else
    echo "install-deps: missing packages (${missing[*]}) and neither root nor sudo is available" >&2
    exit 1
  fi
  echo "install-deps: installing ${missing[*]}"
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# The Node tools the suite runs (tools/README.md: the OpenAPI linter, the dashboard's browser driver),
# pinned in tools/npm.
repo="$(cd "$(dirname "$0")/.." && pwd)"
if [ ! -x "$repo/tools/npm/node_modules/.bin/redocly" ] || [ ! -d "$repo/tools/npm/node_modules/playwright-core" ]; then
  echo "install-deps: installing the Node tools in tools/npm"
  (cd "$repo/tools/npm" && npm install --no-audit --no-fund --silent >/dev/null)
fi
