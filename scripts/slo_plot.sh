#!/usr/bin/env bash
# Draws how the routing domain's figures grow with its size (docs/slo-growth.svg): the engine
# benchmarks of a real centre's shapes (a new case, an agent freed, at 100/1k, 1k/10k and
# 10k/100k agents/queued; the full pass where it finishes) and memory per queued case, from one
# run of build/router/engine/engine_benchmark. About 3 minutes on 2 cores.
# Usage: scripts/slo_plot.sh [OUT.svg]   (needs gnuplot: apt-get install gnuplot-nox)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out=${1:-$root/docs/slo-growth.svg}
build=${BUILD_DIR:-$root/build}
command -v gnuplot >/dev/null || { echo "slo_plot: gnuplot is missing (apt-get install gnuplot-nox)" >&2; exit 1; }
cmake --build "$build" --target engine_benchmark >/dev/null
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$build/router/engine/engine_benchmark" --benchmark_filter='BM_Centre(NewCase|AgentFreed|Memory)/' --benchmark_min_time=0.2 \
  --benchmark_format=json >"$work/bench.json"
python3 - "$work" <<'PY'
import json, sys
work = sys.argv[1]
runs = json.load(open(f"{work}/bench.json"))["benchmarks"]
sizes = {100: 1, 1000: 2, 10000: 3}
series = {}
memory = []
for r in runs:
    parts = r["name"].split("/")
    if parts[0] == "BM_CentreMemory":
        memory.append((int(parts[2]), int(parts[1]), r["bytes_per_queued_case"]))
        continue
    agents, share, full = int(parts[1]), int(parts[3]), int(parts[4])
    label = f'{parts[0][9:]}, {share}% with the skill, {"full pass" if full else "incremental"}'
    series.setdefault(label, []).append((sizes[agents], r["cpu_time"]))
with open(f"{work}/time.dat", "w") as f:
    for label, points in series.items():
        f.write(f'"{label}"\n')
        for x, y in points:
            f.write(f"{x} {y}\n")
        f.write("\n\n")
with open(f"{work}/memory.dat", "w") as f:
    for agents in sorted({a for _, a, _ in memory}):
        f.write(f'"{agents} agents"\n')
        for queued, a, b in sorted(memory):
            if a == agents:
                f.write(f"{queued} {b}\n")
        f.write("\n\n")
with open(f"{work}/count", "w") as f:
    f.write(f"{len(series)} {len({a for _, a, _ in memory})}\n")
PY
read -r nseries nmemory <"$work/count"
gnuplot <<GP
set terminal svg size 1100,480 dynamic font "sans,11"
set output "$out"
set multiplot layout 1,2 title "caserouter: one routing domain's engine as it grows (CPU time, $(date -u +%F), $(nproc) cores)"
set logscale y
set xtics ("100 agents / 1k queued" 1, "1k / 10k" 2, "10k / 100k" 3)
set xrange [0.7:3.3]
set ylabel "CPU time per tick (µs, log scale)"
set key top left font ",9"
plot for [i=0:$((nseries - 1))] "$work/time.dat" index i using 1:2 with linespoints title columnheader(1)
unset logscale y
set logscale x
set xtics auto
set xrange [*:*]
set xlabel "queued cases (log scale)"
set ylabel "bytes per queued case"
set key bottom right
set yrange [0:1200]
set arrow 1 from graph 0, first 1024 to graph 1, first 1024 nohead dashtype 2
set label 1 "objective: 1 KiB" at graph 0.02, first 1050
plot for [i=0:$((nmemory - 1))] "$work/memory.dat" index i using 1:2 with linespoints title columnheader(1)
unset multiplot
GP
echo "slo_plot: wrote $out"
