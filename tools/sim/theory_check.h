// Theory check: the simulator, driving the real engine, against Erlang C and Erlang A.
//
// A single-skill, single-channel (PHONE) centre with Poisson arrivals, exponential handle
// times, no wrap-up, identical agents always at their desks, the longest-idle strategy (any
// work-conserving one would do) and, for Erlang A, exponential patience. The engine's own
// priority order is first come, first served here (every case has the same terms but its
// wait). The simulation measures every figure per arrival, as erlang.h defines them, and the
// check puts each beside the theory computed by erlang.h (not copied numbers).
//
//   TheoryCase c = PublishedErlangA();                 // 100 calls / 30 min, 3 min, 14 agents
//   absl::StatusOr<std::vector<TheoryRow>> rows = CheckTheory(config, c, 5, 24, 1);
//
// Thread safety: pure functions (the runs happen in the caller's thread).
#ifndef CASEROUTER_TOOLS_SIM_THEORY_CHECK_H_
#define CASEROUTER_TOOLS_SIM_THEORY_CHECK_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "router/model/engine_config.h"
#include "tools/sim/erlang.h"
#include "tools/sim/report.h"
#include "tools/sim/workload.h"

namespace caserouter {

struct TheoryCase {
  std::string name;  // "Erlang C, 14 agents"
  QueueModel model;  // infinite patience: Erlang C; else Erlang A
};

// The examples: 100 calls per 30 minutes, mean handle 3 minutes, threshold 20 s, on
// `agents` agents; Erlang A adds patience of mean 5 minutes.
TheoryCase PublishedErlangC(int agents = 14);
TheoryCase PublishedErlangA(int agents = 14);

// The workload of one run: `hours` of arrivals of `model`, seeded.
Workload TheoryWorkload(const QueueModel& model, double hours, uint64_t seed);

// `runs` independent runs of `hours` each (the first hour is warm-up, not measured); rows for
// P(wait), P(abandon) (Erlang A), service level and occupancy, each with the simulation's
// mean and 95% confidence interval over the runs.
absl::StatusOr<std::vector<TheoryRow>> CheckTheory(const EngineConfig& base,
                                                   const TheoryCase& theory_case, int runs,
                                                   double hours, uint64_t first_seed);

// The report's theory section: Erlang C and A at 13, 14 and 16 agents.
absl::StatusOr<std::vector<TheoryRow>> RunTheoryCheck(
    const EngineConfig& base, int runs, double hours,
    const std::function<void(const std::string&)>& progress);

}  // namespace caserouter

#endif  // CASEROUTER_TOOLS_SIM_THEORY_CHECK_H_
