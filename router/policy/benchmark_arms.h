// Benchmark arms: which strategy of a running benchmark routes a case (issue 17).
//
// Pure functions of the configuration, the case's scope, its id and the time it arrived: no
// clock, no state. The randomisation is a seeded hash (SplitMix64 over the seed, the scope and
// the slot's cycle or the case's id), so every replica and every restart computes the same
// schedule and the same split without storing either; the arm a case got is still stored with
// the case (its record), because a reload may change the schedule.
//
//   ArmAssignment a = AssignArm(config.benchmark, BenchmarkScope{c.spec.topic}, c.id, now);
//   if (a.in_benchmark) { c.arm = a.arm; c.arm_excluded = a.excluded; }
//
// Slots (BenchmarkMode::kSlots): slot k covers [start + k x L, start + (k+1) x L); cycle
// k / n holds one slot per arm in the order of a seeded shuffle of the arms for that cycle and
// scope; a case arriving in the first `stabilisation` of a slot is excluded. Split: the arm
// whose cumulative share interval holds the case's uniform draw in [0, 1).
//
// Suspended arms (the service-level guard rail) take no new cases: their slots go to the
// first arm not suspended, excluded from the comparison; their split share is spread over
// the others.
#ifndef CASEROUTER_ROUTER_POLICY_BENCHMARK_ARMS_H_
#define CASEROUTER_ROUTER_POLICY_BENCHMARK_ARMS_H_

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "router/model/benchmark_config.h"
#include "router/model/case.h"
#include "router/model/engine_config.h"

namespace caserouter {

struct ArmAssignment {
  bool in_benchmark = false;  // the benchmark runs and covers the scope at that time
  std::string arm;            // the arm's name
  bool excluded = false;      // in a stabilisation gap, or moved off a suspended arm
  int64_t slot = -1;          // kSlots: the slot index
};

ArmAssignment AssignArm(const BenchmarkConfig& config, const BenchmarkScope& scope,
                        absl::string_view case_id, absl::Time arrived,
                        const std::set<std::string>& suspended = {});

// The order of the arms (indexes into config.arms) in slot cycle `cycle` for `scope`.
std::vector<int> SlotOrder(const BenchmarkConfig& config, const BenchmarkScope& scope,
                           int64_t cycle);

// The uniform draw in [0, 1) that places a case in the split.
double SplitDraw(uint64_t seed, const BenchmarkScope& scope, absl::string_view case_id);

// The strategy that routes `c`: its arm's while the benchmark still has that arm, otherwise
// the configuration's for the case's topic. So a reload that ends the benchmark (or drops an
// arm) puts every case still waiting back on the usual strategy at once.
Strategy StrategyOf(const Case& c, const EngineConfig& config);

// The arm that routes `c` under `config`, or empty: as StrategyOf decides it.
const BenchmarkArm* ActiveArmOf(const Case& c, const EngineConfig& config);

}  // namespace caserouter

#endif  // CASEROUTER_ROUTER_POLICY_BENCHMARK_ARMS_H_
