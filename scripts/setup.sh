#!/usr/bin/env bash
# Installs what caserouter needs on Debian 12 (only what is missing) and builds it.
# Usage: scripts/setup.sh [build-dir]    (default: build)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${1:-$root/build}"

packages=(build-essential cmake pkg-config curl clang-format python3 python3-yaml python3-jsonschema
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler libabsl-dev
  libhiredis-dev libjemalloc-dev prometheus-cpp-dev libgtest-dev libgmock-dev libbenchmark-dev libyaml-cpp-dev
  redis-server redis-sentinel prometheus gnuplot-nox)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  sudo_cmd=()
  [[ $(id -u) -eq 0 ]] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
fi
# The Debian redis-server and prometheus packages start system services; caserouter's scripts
# and tests start their own on free ports and never use those.

# buf (lint and breaking-change checks of the API in proto/) comes from the npm registry, pinned
# so that the lint rules do not change under the project; npm from Debian when there is none.
buf_version=1.75.0
if [[ "$(buf --version 2>/dev/null)" != "$buf_version" ]]; then
  sudo_cmd=()
  [[ $(id -u) -eq 0 ]] || sudo_cmd=(sudo)
  if ! command -v npm >/dev/null; then
    echo "setup: installing nodejs npm"
    "${sudo_cmd[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq nodejs npm >/dev/null
  fi
  echo "setup: installing buf $buf_version (npm @bufbuild/buf)"
  "${sudo_cmd[@]}" npm install --global --no-audit --no-fund --loglevel=error \
    "@bufbuild/buf@$buf_version" </dev/null
fi

cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCASEROUTER_WERROR="${CASEROUTER_WERROR:-OFF}" >/dev/null
cmake --build "$build" -j "$(nproc)"
