#!/usr/bin/env bash
# Regenerates docs/evaluation.md and its figures: every routing strategy and the oracle on the
# bank, tweet and incident replays (when ../shared/data holds them; each seed resamples their
# days) and on the synthetic centre, with differences paired by seed; the default strategy's
# sweep; the Erlang C/A theory check for longest idle and the default strategy; and the live
# benchmark's coverage of the true gain over 40 seeded runs per design (issue 17; alone:
# build/tools/caserouter-sim benchmark, a few minutes). Takes
# 35-45 minutes on 2 cores.
# The report ends with the synthetic centre run again with a share of its needs transferred by
# their first agent (--report_transfer_share, 0.15; issue 14): FCR per strategy with transfers.
# Usage: scripts/evaluate.sh [caserouter-sim flags...]   e.g. --seeds=3, --quick, truth flags
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="$root/build"
bash "$root/scripts/setup.sh" "$build" >/dev/null
cmake --build "$build" -j "$(nproc)" --target caserouter-sim >/dev/null
mkdir -p "$root/docs/evaluation"
"$build/tools/caserouter-sim" report --out="$root/docs/evaluation.md" \
  --figures="$root/docs/evaluation" "$@"
cd "$root/docs/evaluation"
gnuplot figures.gp
echo "evaluate: wrote docs/evaluation.md and $(ls *.png | wc -l) figures"
