// BenchmarkConfig: two or more routing strategies sharing a routing domain so that their
// outcomes can be compared on the domain's own customers (issue 17). Plain value, no I/O;
// loaded by router/config/benchmark_section.h, assigned by router/policy/benchmark_arms.h.
//
// Two designs, both randomised so that nothing an operator or a busy hour does can choose
// which arm a case gets:
//   kSlots  arms alternate in time slots of `slot_length`; within each cycle (one slot per
//           arm) the order of the arms is a seeded shuffle, so an arm does not always get the
//           Monday morning. A case takes the arm of the slot it arrived in. The first
//           `stabilisation` of every slot is a gap: its cases are routed by the slot's arm but
//           excluded from the comparison, because the queue and the agents' load still carry
//           the previous arm's decisions.
//   kSplit  each case draws its arm at random (a seeded hash of its id), with the arms'
//           shares; both arms run at the same time, so there is no gap.
// The benchmark covers the scopes listed (topics today; a queue once the engine has named
// queues, issue 16): `BenchmarkScope` is the key an assignment is made for.
#ifndef CASEROUTER_ROUTER_MODEL_BENCHMARK_CONFIG_H_
#define CASEROUTER_ROUTER_MODEL_BENCHMARK_CONFIG_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "router/model/enum_names.h"

namespace caserouter {

enum class Strategy;  // engine_config.h

enum class BenchmarkMode {
  kSlots = 0,  // arms alternate in time slots
  kSplit = 1,  // a random split of cases
};

inline constexpr EnumName<BenchmarkMode> kBenchmarkModeNames[] = {{BenchmarkMode::kSlots, "slots"},
                                                                  {BenchmarkMode::kSplit, "split"}};

// What one assignment is made for: the case's topic today. Issue 16 adds named queues; a queue
// then becomes a second member, and `Key()` the one string the arms' randomisation mixes in.
struct BenchmarkScope {
  std::string topic;
  const std::string& Key() const { return topic; }
};

struct BenchmarkArm {
  std::string name;  // a metric label: [a-z0-9_.-], unique in the benchmark
  Strategy strategy{};
  double share = 1;  // kSplit: the relative share of cases (normalised over the arms)
};

struct BenchmarkConfig {
  bool enabled = false;
  BenchmarkMode mode = BenchmarkMode::kSlots;
  std::vector<BenchmarkArm> arms;
  absl::Duration slot_length = absl::Minutes(30);
  absl::Duration stabilisation = absl::Minutes(2);  // excluded at the start of every slot
  absl::Time start = absl::UnixEpoch();             // slot 0 begins here; no arm before it
  uint64_t seed = 17;                               // the randomisation (order, split)
  // Topics the benchmark covers; empty = every topic. Cases outside are routed as usual.
  std::vector<std::string> topics;
  // Guard rail (issue 17 item 4): an arm whose share of cases answered within SLA falls below
  // this floor, once it has `service_level_min_cases` answered or abandoned, is suspended.
  // 0 = no floor.
  double service_level_floor = 0;
  int service_level_min_cases = 50;

  bool Covers(const BenchmarkScope& scope) const {
    if (!enabled || arms.size() < 2) return false;
    if (topics.empty()) return true;
    for (const std::string& t : topics) {
      if (t == scope.topic) return true;
    }
    return false;
  }
  const BenchmarkArm* FindArm(const std::string& name) const {
    for (const BenchmarkArm& a : arms) {
      if (a.name == name) return &a;
    }
    return nullptr;
  }
};

}  // namespace caserouter

#endif  // CASEROUTER_ROUTER_MODEL_BENCHMARK_CONFIG_H_
