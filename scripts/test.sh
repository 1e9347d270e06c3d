#!/usr/bin/env bash
# Sets up, builds and runs the whole test suite: unit tests, the store contract suite against a
# real redis-server, end-to-end tests over real gRPC, the operations checks (promtool, chart and
# deploy checks) and the dashboard test against a real prometheus. Tests start and stop their
# own servers on free loopback ports.
# Usage: scripts/test.sh [ctest arguments...]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="$root/build"
bash "$root/scripts/setup.sh" "$build"
cd "$build"
# A test whose server binary (redis-server, prometheus) is missing fails instead of skipping:
# a green run here means the store, end-to-end and dashboard tests really ran.
export CASEROUTER_REQUIRE_SERVERS=1
ctest --output-on-failure -j "$(nproc)" --timeout 300 "$@"
