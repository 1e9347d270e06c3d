#!/usr/bin/env bash
# The load matrix of issue 10 on this machine, in one command: builds the router and the load
# generator if needed, then runs `caserouter-load matrix`, which starts its own redis-server,
# echo service and routers on free loopback ports, drives them over gRPC, stops them, and
# prints the markdown report (the tables of docs/benchmarks.md, "Service"). About 5-6 minutes
# on 2 cores. Progress goes to stderr.
# Usage: scripts/load.sh [--out FILE] [caserouter-load matrix flags...]
#   e.g. scripts/load.sh --out /tmp/load.md
#        scripts/load.sh --desk_levels=10,100 --rounds=1     # a shorter matrix
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${CASEROUTER_BUILD:-$root/build}"

args=()
while (($#)); do
  case "$1" in
    --out) args+=("--out=$2"); shift 2 ;;
    -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
    *) args+=("$1"); shift ;;
  esac
done

if [[ ! -f "$build/CMakeCache.txt" ]]; then
  bash "$root/scripts/setup.sh" "$build"
fi
# Only what the matrix runs; two jobs at most, the machine is shared.
cmake --build "$build" -j2 --target caserouter caserouter-load >/dev/null

exec "$build/tools/caserouter-load" matrix --router="$build/router/caserouter" "${args[@]}"
