// The evaluation: every routing strategy on every workload, over several seeds, side by side;
// the default strategy's weight sweep; the theory check; and the page that shows them
// (docs/evaluation.md) with its figures (gnuplot scripts and their data).
//
//   EvaluationOptions options;  // seeds, strategies, base SimOptions
//   WorkloadEvaluation bank = EvaluateWorkload("bank", [&](uint64_t) { return bank; }, options);
//   std::string page = RenderEvaluation({bank, ...}, sweep, theory, meta);
//
// Thread safety: pure functions over their arguments (the simulations run in the caller's
// thread, one after the other).
#ifndef CASEROUTER_TOOLS_SIM_REPORT_H_
#define CASEROUTER_TOOLS_SIM_REPORT_H_

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "router/model/engine_config.h"
#include "tools/sim/sim_stats.h"
#include "tools/sim/simulator.h"
#include "tools/sim/workload.h"

namespace caserouter {

struct EvaluationOptions {
  SimOptions base;  // configuration, ground truth, tick; the seed is set per run
  std::vector<Strategy> strategies = {Strategy::kOutcome, Strategy::kLongestIdle,
                                      Strategy::kRoundRobin, Strategy::kLeastOccupied,
                                      Strategy::kFastestHandle};
  // Adds the oracle (SimOptions::oracle): the bound every strategy's gain is measured against.
  bool oracle = true;
  int seeds = 5;
  uint64_t first_seed = 1;
};

// The oracle's label in tables and figures.
inline constexpr char kOracleLabel[] = "oracle";

struct StrategyRuns {
  std::string label;  // strategy name, "oracle", or a sweep point's label
  std::vector<RunMetrics> runs;
  std::array<double, 24> depth_by_hour = {};  // mean over the runs
};

struct WorkloadEvaluation {
  std::string key;   // "synthetic", "bank", ...: names the figure files
  std::string name;  // the workload's description
  std::vector<StrategyRuns> strategies;
  double simulated_hours = 0;  // of one run
};

// Runs every strategy of `options` on `make(seed)` for each seed. `progress` (may be empty)
// gets one line per run.
absl::StatusOr<WorkloadEvaluation> EvaluateWorkload(
    std::string key, const std::function<Workload(uint64_t seed)>& make,
    const EvaluationOptions& options, const std::function<void(const std::string&)>& progress);

// The default strategy with its hold rule's worth of a failure and its exploration bound
// varied: the trade-off between time to answer and first-contact resolution. One StrategyRuns
// per point.
absl::StatusOr<std::vector<StrategyRuns>> SweepOutcomeWeights(
    const std::function<Workload(uint64_t seed)>& make, const EvaluationOptions& options,
    const std::function<void(const std::string&)>& progress);

// One line of the theory check: a figure of queueing theory against the simulation.
struct TheoryRow {
  std::string model;     // "Erlang C, 14 agents", ...
  std::string strategy;  // the strategy that routed the runs
  std::string measure;   // "P(wait)", ...
  double theory = 0;
  Estimate simulated;
};

struct EvaluationPage {
  std::vector<WorkloadEvaluation> workloads;
  std::vector<StrategyRuns> sweep;  // on the workload named by sweep_key
  std::string sweep_key;
  std::vector<TheoryRow> theory;
  // The same replay made longer (more evidence per agent): how the share of the oracle's gain
  // grows with it. The workload of the same key in `workloads` is the first point.
  std::vector<WorkloadEvaluation> evidence;
  std::vector<std::string> skipped;  // workloads left out, with the reason
  // Issue 14: the synthetic centre with `transfer_share` of its needs transferred by their
  // first agent (SimOptions::transfer_share), beside the same centre without.
  std::optional<WorkloadEvaluation> with_transfers;
  double transfer_share = 0;
  std::string command;  // how to regenerate the page
};

// The theory rows as a markdown table (model, strategy, measure, theory, simulated, agrees).
std::string RenderTheory(const std::vector<TheoryRow>& rows);

// The markdown page; figures are referenced as `evaluation/<file>.png`.
std::string RenderEvaluation(const EvaluationPage& page);

// gnuplot data and script for the page's figures: files (name, content) to write into the
// figure folder; running `gnuplot figures.gp` there draws the PNGs.
std::vector<std::pair<std::string, std::string>> RenderFigures(const EvaluationPage& page);

}  // namespace caserouter

#endif  // CASEROUTER_TOOLS_SIM_REPORT_H_
