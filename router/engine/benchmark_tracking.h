// Benchmark tracking: the engine's side of a live benchmark of routing strategies (issue 17).
//
// Three jobs, each a function over the tick's context:
//   - at intake, a new case in the benchmark's scope gets its arm (router/policy/
//     benchmark_arms.h), stored in its record, announced as an `arm_assigned` event and
//     counted per arm; the arm's strategy then routes it (StrategyOf) and every decision
//     names the arm (Decision::arm, in ExplainDecision);
//   - the report: outcomes per arm, attributed from the cases the domain keeps (open ones and
//     the closed ones within the retention) the way the simulator attributes them, compared
//     by router/policy/benchmark_stats.h;
//   - the guard rail: every kGuardInterval of engine time, an arm whose service level is
//     below the configured floor (with enough cases to say so) is suspended: it takes no new
//     case (its slots and share go to the other arms, excluded from the comparison), a
//     `benchmark_arm_suspended` event and the observer's BenchmarkArmSuspended tell operators.
//     A configuration reload lifts every suspension (and can end the benchmark at once); the
//     guard then judges only the cases that arrive after the reload. After a failover the new
//     leader judges every case kept, so a suspension holds across it.
//
// Attribution, per case of an arm that was not excluded (gap or suspension):
//   fcr             completed cases whose repeat window has closed: 1 when resolved and the
//                   customer did not come back on the topic within it, 0 otherwise; a case
//                   still inside its window is counted as pending, not guessed;
//   csat            the case's satisfaction from `CsatSource` (today the score the agent's
//                   desk reports with the outcome; issue 13 brings survey CSAT: pass its source);
//   answer_seconds  from arrival to the first accept;
//   abandonment     1 for a case that ended unanswered (cancelled, expired), 0 once answered;
//   service_level   1 answered within the channel's SLA, 0 answered later or abandoned.
// Strata are topic x channel.
//
// Thread safety: engine thread only. Errors: none.
#ifndef CASEROUTER_ROUTER_ENGINE_BENCHMARK_TRACKING_H_
#define CASEROUTER_ROUTER_ENGINE_BENCHMARK_TRACKING_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "router/engine/domain_state.h"
#include "router/engine/tick_context.h"
#include "router/model/case.h"
#include "router/model/engine_config.h"
#include "router/policy/benchmark_stats.h"

namespace caserouter {

inline constexpr absl::Duration kGuardInterval = absl::Seconds(10);

// Where a case's satisfaction score comes from; nullopt when it has none.
using CsatSource = std::function<std::optional<double>(const Case&)>;
// The score reported with the outcome (1..5; 0 = none).
std::optional<double> OutcomeCsat(const Case& c);

struct BenchmarkArmCounts {
  std::string arm;
  Strategy strategy = Strategy::kOutcome;
  int64_t assigned = 0;     // cases kept that this arm routes, excluded ones included
  int64_t excluded = 0;     // in a stabilisation gap or moved off a suspended arm
  int64_t open = 0;         // still queued, offered or assigned
  int64_t fcr_pending = 0;  // completed, repeat window still open
  bool suspended = false;
};

struct BenchmarkReport {
  bool running = false;  // enabled with at least two arms
  BenchmarkMode mode = BenchmarkMode::kSlots;
  absl::Time time;
  std::vector<BenchmarkArmCounts> arms;
  BenchmarkComparison comparison;
  BenchmarkPrecision precision = kDefaultPrecision;
};

// Sets the new case's arm (before it is stored) and announces it.
void AssignBenchmarkArm(TickContext& ctx, Case& c);

// The samples the comparison counts, one per case of an arm, not excluded, that arrived at
// `since` or later.
std::vector<BenchmarkSample> BenchmarkSamples(const DomainState& state, const EngineConfig& config,
                                              absl::Time now, const CsatSource& csat,
                                              absl::Time since = absl::InfinitePast());

BenchmarkReport BenchmarkReportOf(const DomainState& state, const EngineConfig& config,
                                  absl::Time now, const BenchmarkPrecision& precision,
                                  const CsatSource& csat = OutcomeCsat);

// The guard rail, and the per-arm figures for the observer; at most every kGuardInterval, and
// only when there is a floor to guard or an observer that WantsBenchmarkReports: each costs a
// walk over every case kept, on the engine thread.
void CheckBenchmarkGuard(TickContext& ctx);

}  // namespace caserouter

#endif  // CASEROUTER_ROUTER_ENGINE_BENCHMARK_TRACKING_H_
