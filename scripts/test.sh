#!/usr/bin/env bash
# Sets up, builds and runs the whole test suite: the API checks (buf lint and buf breaking),
# unit tests, the store contract suite against a real redis-server, end-to-end tests over real
# gRPC, the operations checks (promtool, chart and deploy checks) and the dashboard test
# against a real prometheus. Tests start and stop their own servers on free loopback ports.
# Usage: scripts/test.sh [ctest arguments...]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="$root/build"
# Warnings are errors here: the tree builds without one with Debian 12's GCC.
CASEROUTER_WERROR=ON bash "$root/scripts/setup.sh" "$build"
bash "$root/scripts/check_format.sh"

# caserouter.v1 only grows compatibly from the commit that gave it its lint-clean shape: buf
# breaking compares the API with that commit (FILE rules, buf.yaml). The baseline must be in
# this clone's history (CI clones main with its full history).
api_baseline=c2ecd6f814aecd660fc623725c1762155dda6653
git_dir="$(git -C "$root" rev-parse --path-format=absolute --git-common-dir)"
if ! git -C "$root" cat-file -e "$api_baseline^{commit}" 2>/dev/null; then
  echo "test: the API baseline $api_baseline is not in this clone's history" >&2
  exit 1
fi
(cd "$root" && buf lint && buf breaking --against "$git_dir#ref=$api_baseline")
echo "test: buf lint and buf breaking (against $api_baseline) passed"

cd "$build"
# A test whose server binary (redis-server, prometheus) is missing fails instead of skipping:
# a green run here means the store, end-to-end and dashboard tests really ran.
export CASEROUTER_REQUIRE_SERVERS=1
ctest --output-on-failure -j "$(nproc)" --timeout 300 "$@"
