// GroundTruth: what really happens in the simulated contact centre, hidden from the engine.
//
// A router only ever sees what agents report ("resolved", a CSAT) and who comes back. The
// simulator needs the truth behind those reports to judge a routing strategy honestly, so it
// draws, from one seed:
//  - each agent's true probability of resolving a case per topic: a general skill per agent
//    plus a topic-specific part, around `mean_resolution` with standard deviation `spread`;
//  - each agent's speed: a handle-time factor, log-normal with `speed_spread`, correlated with
//    quality by `speed_quality_correlation` (> 0: the thorough agents are the slower ones, so
//    fast-but-sloppy agents exist and "calls per hour" routing favours them);
//  - a relationship effect: an agent who served the customer before resolves with
//    `relationship_bonus` more probability (no need to explain it all again);
//  - how agents report: a truly unresolved case is still reported resolved with probability
//    `false_resolution` (agents believe they solved it; the truth shows only if the customer
//    comes back, as in real life);
//  - how customers behave when unresolved: they come back with probability `return_probability`
//    after an exponential delay of mean `return_delay`, on another channel with probability
//    `channel_switch`, at most `max_returns` times.
// The engine never reads any of this: only the simulator's customers and agents do.
//
//   GroundTruthOptions options;  // defaults: see below and docs/simulator.md
//   GroundTruth truth(options, /*seed=*/7);
//   double p = truth.ResolutionProbability("ana", "billing", /*knows_customer=*/true);
//
// Thread safety: const methods are thread-safe; the draws (Resolve, ...) take the caller's
// random engine.
#ifndef CASEROUTER_TOOLS_SIM_GROUND_TRUTH_H_
#define CASEROUTER_TOOLS_SIM_GROUND_TRUTH_H_

#include <cstdint>
#include <map>
#include <random>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/time/time.h"

namespace caserouter {

struct GroundTruthOptions {
  double mean_resolution = 0.70;           // team mean of the true resolution probability
  double spread = 0.12;                    // its standard deviation between agents (and topics)
  double topic_share = 0.35;               // share of the spread's variance that is topic-specific
  double speed_spread = 0.30;              // standard deviation of log(handle-time factor)
  double speed_quality_correlation = 0.5;  // corr(quality, handle time); > 0: fast = sloppy
  double relationship_bonus = 0.10;        // added when the agent served this customer before
  double false_resolution = 0.70;          // P(reported resolved | truly unresolved)
  double return_probability = 0.80;        // P(customer comes back | truly unresolved)
  absl::Duration return_delay = absl::Hours(6);  // mean delay before coming back
  double channel_switch = 0.30;                  // P(the return uses another channel)
  int max_returns = 3;                           // a customer gives up after this many returns
  double csat_response = 0.35;                   // P(the customer leaves a CSAT score)
};

// INVALID_ARGUMENT naming the option (probabilities in [0, 1], spreads >= 0, correlation in
// [-1, 1], positive delay, max_returns >= 0).
absl::Status ValidateGroundTruthOptions(const GroundTruthOptions& options);

class GroundTruth {
 public:
  GroundTruth(GroundTruthOptions options, uint64_t seed);

  // The true probability that `agent` resolves a case on `topic`, in [0.02, 0.98]. Drawn on
  // first use of the (agent, topic) pair from a hash of the seed and the names, so it does not
  // depend on the order in which the simulation asks.
  double ResolutionProbability(const std::string& agent, const std::string& topic,
                               bool knows_customer) const;
  // Multiplies a case's base handle time for this agent (mean about 1).
  double HandleFactor(const std::string& agent) const;

  const GroundTruthOptions& options() const { return options_; }

 private:
  // Standard normal draws keyed by name: the same name always gives the same value.
  double Normal(const std::string& key) const;

  GroundTruthOptions options_;
  uint64_t seed_;
  mutable std::map<std::string, double> normals_;
};

}  // namespace caserouter

#endif  // CASEROUTER_TOOLS_SIM_GROUND_TRUTH_H_
