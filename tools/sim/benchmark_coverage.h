// Benchmark coverage (issue 17): does the live benchmark's interval cover the truth?
//
// Each run simulates one seeded workload with the engine in benchmark mode (two arms: the
// baseline and the strategy compared with it, split or in slots, as in production), reads the
// engine's own report at the end (SimResult::benchmark) and compares its estimated FCR gain —
// the second arm minus the first, stratified, with its 95 % interval — with the true gain the
// simulator's hidden truth knows: the difference between the arms' mean true probability of
// resolving, over the contacts the comparison counts (SimResult::benchmark_truth). Over many
// seeds, an honest interval covers the true gain in about 95 % of the runs.
//
// The engine measures first-contact resolution as agents report it, corrected by customers who
// come back within the window; the truth is what really happened. An agent who reports
// "resolved" when it was not, and a customer who does not come back, pass for a resolution
// (GroundTruthOptions: false_resolution x (1 - return_probability) of the failures), so the
// measured gain is the true gain shrunk by that share: the coverage figure shows what that
// costs.
//
// Thread safety: reentrant. Errors: the simulator's.
#ifndef CASEROUTER_TOOLS_SIM_BENCHMARK_COVERAGE_H_
#define CASEROUTER_TOOLS_SIM_BENCHMARK_COVERAGE_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "router/model/benchmark_config.h"
#include "router/model/engine_config.h"
#include "tools/sim/simulator.h"
#include "tools/sim/workload.h"

namespace caserouter {

struct CoverageOptions {
  SimOptions base;                         // config, truth; the seed is set per run
  std::function<Workload(uint64_t)> make;  // the workload of a seed
  std::string workload_name;
  int runs = 40;
  uint64_t first_seed = 1;
  BenchmarkMode mode = BenchmarkMode::kSplit;
  absl::Duration slot_length = absl::Minutes(30);
  absl::Duration stabilisation = absl::Minutes(2);
  Strategy baseline = Strategy::kLongestIdle;
  Strategy compared = Strategy::kOutcome;
};

struct CoverageRun {
  uint64_t seed = 0;
  double true_gain = 0;   // compared - baseline, mean true P(resolve)
  double estimate = 0;    // the engine's stratified FCR difference
  double half_width = 0;  // its 95 % half-width
  double raw_estimate = 0;
  int64_t cases = 0;  // contacts in the comparison (both arms)
  bool covered = false;
};

struct CoverageResult {
  CoverageOptions options;
  std::vector<CoverageRun> runs;
  int covered = 0;
};

// The engine configuration of one benchmark run: `config` with the two arms.
EngineConfig BenchmarkRunConfig(const CoverageOptions& options, uint64_t seed);

absl::StatusOr<CoverageResult> RunBenchmarkCoverage(
    const CoverageOptions& options, const std::function<void(const std::string&)>& progress);

// A Markdown section: the design, the coverage with its binomial interval, and each run.
std::string RenderBenchmarkCoverage(const std::vector<CoverageResult>& results);

}  // namespace caserouter

#endif  // CASEROUTER_TOOLS_SIM_BENCHMARK_COVERAGE_H_
