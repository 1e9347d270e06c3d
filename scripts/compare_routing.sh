#!/usr/bin/env bash
# Compares two builds' routing decision by decision: runs the simulator of each on the same
# fixed-seed workloads (every strategy; the real traces when ../shared/data is present) and
# checks that both made the same offers, at the same virtual times, to the same agents, and
# reported the same tables (decisions per wall-clock second aside).
# Usage: scripts/compare_routing.sh OLD_SIM NEW_SIM [WORKDIR]
#   OLD_SIM, NEW_SIM: caserouter-sim binaries (build one from the last landed commit).
set -uo pipefail
old=$1; new=$2; work=${3:-$(mktemp -d)}
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
config="$work/caserouter.yaml"
mkdir -p "$work/old" "$work/new"
# CONFIG: another configuration (for an old binary that does not know a newer key).
cp "${CONFIG:-$root/deploy/caserouter.yaml}" "$config"
runs=(
  "synthetic --workload=synthetic --days=1 --seeds=2"
  "synth_big --workload=synthetic --days=0.5 --rate=400 --agents_per_shift=30 --seeds=1"
  "bank --workload=bank --max_cases=6000 --seeds=2"
  "twcs --workload=twcs --max_cases=3000 --seeds=1"
  "incident --workload=incident --max_cases=3000 --seeds=1"
)
status=0
for run in "${runs[@]}"; do
  read -r name args <<<"$run"
  for side in old new; do
    sim=$old; [[ $side == new ]] && sim=$new
    # shellcheck disable=SC2086
    if ! "$sim" run --config="$config" --strategies=all --offer_log="$work/$side/$name.offers" \
        $args >"$work/$side/$name.md" 2>"$work/$side/$name.err"; then
      if grep -q "not present\|cannot open\|No such file" "$work/$side/$name.err"; then
        echo "$name: skipped (data set absent)"; continue 2
      fi
      echo "$name: $side failed: $(tail -1 "$work/$side/$name.err")"; status=1; continue 2
    fi
  done
  offers=$(wc -l <"$work/old/$name.offers")
  if cmp -s "$work/old/$name.offers" "$work/new/$name.offers" &&
     diff -q <(sed 's/| [0-9]* |$/|/' "$work/old/$name.md") \
             <(sed 's/| [0-9]* |$/|/' "$work/new/$name.md") >/dev/null; then
    echo "$name: identical ($offers offers)"
  else
    echo "$name: DIFFERENT (see $work/{old,new}/$name.*)"; status=1
  fi
done
exit $status
