#!/usr/bin/env bash
# The fault suite's long soak: runs the fault scenarios (tests/faults) round after round, with
# CASEROUTER_SOAK_SECONDS (default 5) of load around each fault instead of CI's 2, for the given
# number of minutes (the kill -9 scenario kills the leader CASEROUTER_SOAK_KILLS times, default
# 10, per round), and prints the figures docs/reliability.md records: rounds, faults injected,
# requests, submissions, acknowledged cases, violations, and the failover time of kill -9 of the
# leader (first OK from the standby) against the target of lease TTL (1 s here) + 1 s.
#
# Usage: scripts/soak.sh [minutes] [gtest filter]
#   minutes      default 10
#   gtest filter default: every scenario ('*')
# Histories of the last round are kept in build/soak-histories/ (JSON lines, history.proto).
# SOAK_LONG=1 also runs, once, the scenarios too long for CI (tests/faults/fault_long_test.cc:
# the joined-key retry after its case aged out of a 60 s retention).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="$root/build"
minutes="${1:-10}"
filter="${2:-*}"
cmake --build "$build" -j 2 --target caserouter caserouter_fault_test caserouter_fault_long_test \
  >/dev/null
export CASEROUTER_SOAK_SECONDS="${CASEROUTER_SOAK_SECONDS:-5}"
export CASEROUTER_SOAK_KILLS="${CASEROUTER_SOAK_KILLS:-10}"  # leader kills per kill -9 round
export CASEROUTER_REQUIRE_SERVERS=1
export CASEROUTER_FAULT_HISTORY_DIR="$build/soak-histories"
mkdir -p "$CASEROUTER_FAULT_HISTORY_DIR"
log="$build/soak.log"
: >"$log"
end=$((SECONDS + minutes * 60))
rounds=0
failed=0
while ((SECONDS < end)); do
  rounds=$((rounds + 1))
  if ! "$build/tests/faults/caserouter_fault_test" --gtest_filter="$filter" >>"$log" 2>&1; then
    failed=$((failed + 1))
  fi
done
if [[ "${SOAK_LONG:-0}" == 1 ]]; then
  if "$build/tests/faults/caserouter_fault_long_test" >>"$log" 2>&1; then
    echo "soak: long scenarios passed"
  else
    echo "soak: long scenarios FAILED (see $log)"
  fi
fi
echo "soak: $rounds rounds in $minutes min, $failed with a failed test; log: $log"
grep '^fault-figures' "$log" | python3 -c '
import sys, statistics
tot = {"faults": 0, "requests": 0, "submits": 0, "acknowledged": 0, "violations": 0}
runs, failover = 0, []
for line in sys.stdin:
    kv = dict(w.split("=", 1) for w in line.split()[1:] if "=" in w)
    runs += 1
    for k in tot:
        tot[k] += int(kv.get(k, 0))
    if "failover_ms" in kv:
        failover.extend(int(x) for x in kv["failover_ms"].split(",") if x)
print("soak: scenario runs=%d faults=%d requests=%d submits=%d acknowledged=%d violations=%d"
      % (runs, tot["faults"], tot["requests"], tot["submits"], tot["acknowledged"], tot["violations"]))
if failover:
    failover.sort()
    p90 = failover[min(len(failover) - 1, int(0.9 * len(failover)))]
    within = sum(1 for f in failover if f <= 2000)
    print("soak: leader kill -9 failover (first OK) n=%d min=%dms median=%dms p90=%dms max=%dms, "
          "within lease TTL + 1 s: %d/%d" % (len(failover), failover[0], statistics.median(failover),
                                            p90, failover[-1], within, len(failover)))
'
