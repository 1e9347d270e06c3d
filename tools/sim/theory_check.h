// Theory check: the simulator, driving the real engine, against Erlang C and Erlang A.
//
// A single-skill, single-channel (PHONE) centre with Poisson arrivals, exponential handle
// times, no wrap-up, identical agents always at their desks (equal in speed and, in the
// hidden truth, in how well they resolve: Erlang's agents are interchangeable) and, for
// Erlang A, exponential patience. The engine's own priority order is first come, first
// served here (every case has the same terms but its wait). Any strategy that never keeps a
// caller waiting while an equal agent is free must give the same figures, so the check runs
// for longest idle and for the default strategy alike.
//
// Measured per arrival after a warm-up, as erlang.h defines the figures: P(wait), P(abandon),
// the share answered within the threshold (abandoners count as failures) — and occupancy as
// the time average of the agents' busy time within the measurement window, from the moments
// agents accepted and completed cases (not the carried load divided by capacity, which would
// hold by construction). Each point of a check draws its own seeds (a hash of the model), so
// points are independent; strategies at the same point share them (paired).
//
//   TheoryCase c = PublishedErlangA();                 // 100 calls / 30 min, 3 min, 14 agents
//   TheoryOptions o;                                   // 8 runs of 12 h, longest idle
//   absl::StatusOr<std::vector<TheoryRow>> rows = CheckTheory(config, c, o);
//
// Errors: what erlang.h refuses (INVALID_ARGUMENT naming the field: no steady state, ...),
// INVALID_ARGUMENT for runs < 2 or hours not above the warm-up, and the simulator's errors.
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
  std::string name;  // "Erlang C, 14 agents (load 0.71)"
  QueueModel model;  // infinite patience: Erlang C; else Erlang A
};

// Names the model: "Erlang C, 14 agents (load 0.71)".
TheoryCase MakeTheoryCase(const QueueModel& model);

// The examples: 100 calls per 30 minutes, mean handle 3 minutes, threshold 20 s, on
// `agents` agents; Erlang A adds patience of mean 5 minutes.
TheoryCase PublishedErlangC(int agents = 14);
TheoryCase PublishedErlangA(int agents = 14);
// A heavily loaded point: `agents` agents offered `load` x agents Erlangs (3-minute calls).
TheoryCase HeavyErlangC(int agents, double load);
TheoryCase HeavyErlangA(int agents, double load);

struct TheoryOptions {
  int runs = 8;
  double hours = 12;         // of arrivals per run
  double warm_up_hours = 1;  // not measured
  Strategy strategy = Strategy::kLongestIdle;
  uint64_t seed_offset = 0;  // added to every point's seeds (another set of draws)
};

// The workload of one run: `hours` of arrivals of `model`, seeded.
Workload TheoryWorkload(const QueueModel& model, double hours, uint64_t seed);

// The first seed of a point: a hash of the model, so each point draws its own.
uint64_t TheorySeed(const QueueModel& model);

// `options.runs` independent runs; rows for P(wait), P(abandon) (Erlang A), service level and
// occupancy, each with the simulation's mean and 95% confidence interval over the runs.
absl::StatusOr<std::vector<TheoryRow>> CheckTheory(const EngineConfig& base,
                                                   const TheoryCase& theory_case,
                                                   const TheoryOptions& options);

// The report's theory section: Erlang C and A at 13, 14 and 16 agents and at a load of 0.95
// (20 agents), for each of `strategies`.
absl::StatusOr<std::vector<TheoryRow>> RunTheoryCheck(
    const EngineConfig& base, const std::vector<Strategy>& strategies, int runs, double hours,
    const std::function<void(const std::string&)>& progress);

// Whether a row's simulation agrees with its theory at 99% (the 95% half width scaled by the
// t quantiles' ratio), with a tolerance for the bias of finite runs.
bool TheoryAgrees(const TheoryRow& row);

}  // namespace caserouter

#endif  // CASEROUTER_TOOLS_SIM_THEORY_CHECK_H_
