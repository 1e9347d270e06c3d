// Simulator: the real Engine driven by a discrete-event loop on a virtual clock.
//
// The simulator plays the customers and the agents around an unmodified Engine (the one the
// server runs, with the in-memory store): customers arrive as the workload says, wait, give up
// after their patience, and — when the hidden GroundTruth says their problem was not really
// solved — come back later, perhaps on another channel. Agents work their shifts, accept every
// offer at once, take the handle time the truth gives them, and report outcomes as they believe
// them. The engine sees only what a real one would: submissions, cancellations, accepts and
// reported outcomes. Time is virtual (FakeClock): a month of traffic runs in seconds.
//
// Between events the engine is ticked while cases wait, every `tick` or 5% of the most urgent
// waiting channel's SLA (whichever is longer), so its timers (bullseye widening, time to live)
// act as they would in real time, to within a twentieth of the SLA.
//
//   SimOptions options;
//   options.config = *LoadEngineConfigFile("deploy/caserouter.yaml");
//   options.config.strategy = Strategy::kLongestIdle;
//   absl::StatusOr<SimResult> r = Simulate(workload, options);
//
// Measures (SimResult): per channel arrivals, answers, waits, SLA, abandonment and expiry;
// true first-contact resolution of customer needs; contacts that came back; occupancy per
// agent; queue depth over the day; routing decisions per wall-clock second.
//
// Errors: INVALID_ARGUMENT naming the option for bad options; INTERNAL if the engine refuses
// something a correct simulation never asks for (it names the call). Thread safety: Simulate
// is reentrant; each call owns its engine, clock and store.
#ifndef CASEROUTER_TOOLS_SIM_SIMULATOR_H_
#define CASEROUTER_TOOLS_SIM_SIMULATOR_H_

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "agents/channel.h"
#include "router/engine/benchmark_tracking.h"
#include "router/model/engine_config.h"
#include "tools/sim/ground_truth.h"
#include "tools/sim/workload.h"

namespace caserouter {

struct SimOptions {
  EngineConfig config;  // as loaded from the configuration file; the strategy is the caller's
  GroundTruthOptions truth;
  uint64_t seed = 1;                       // the ground truth and every draw of a run
  absl::Duration tick = absl::Seconds(1);  // shortest engine tick while cases wait
  absl::Duration depth_sample = absl::Minutes(10);
  // Only arrivals at or after this offset are measured (the engine's history still learns
  // from the warm-up); for the theory check, which wants the steady state.
  absl::Duration warm_up = absl::ZeroDuration();
  // End of the window over which agents' busy time is measured (busy_seconds_in_window), as
  // an offset from the start; the window opens at warm_up.
  absl::Duration measure_until = absl::InfiniteDuration();
  // When set, every offer the engine makes is written here as one line: the virtual time in
  // microseconds since the run's start, the agent and the case. Two engines that route alike
  // write the same lines (how a refactor of the routing path is checked against the last one).
  std::ostream* offer_log = nullptr;
  // The oracle: the engine is handed the ground truth (EngineConfig::oracle) and gives every
  // case to the free eligible agent most likely to truly resolve it, holding none. What no
  // router can do: the bound on what routing by outcome can gain on this workload.
  bool oracle = false;
  // Issue 14: the share of needs whose first agent cannot solve them: at the end of their
  // handle time that agent transfers the case back to routing (the engine's Transfer, same
  // requirements), and another agent works it. A need resolved after a transfer is not a
  // first-contact resolution (docs/design.md, outcome attribution). 0 = none (and no draw).
  double transfer_share = 0;
};

struct ChannelResult {
  int64_t arrivals = 0;  // contacts submitted (first contacts and returns)
  int64_t answered = 0;  // accepted by an agent
  int64_t answered_in_sla = 0;
  int64_t abandoned = 0;      // the customer left before an agent took the case
  int64_t expired = 0;        // nobody took it within the channel's time to live
  std::vector<double> waits;  // seconds from arrival to answer, answered contacts
};

struct SimResult {
  PerChannel<ChannelResult> channels;
  int64_t needs = 0;                    // customer needs (first contacts in the trace)
  int64_t needs_served = 0;             // ... whose first contact an agent completed
  int64_t first_contact_resolved = 0;   // ... and truly resolved there
  int64_t completed = 0;                // contacts completed
  int64_t returns = 0;                  // contacts that came back because the need was not resolved
  int64_t transfers = 0;                // hand-overs the trace asked for (incident reassignments)
  int64_t engine_transfers = 0;         // first agents who could not solve it (transfer_share)
  int64_t resolved_after_transfer = 0;  // ... whose need the next agent truly resolved
  int64_t joined = 0;                   // arrivals that joined the customer's open case
  int64_t reported_resolved = 0;        // completions the agent reported as resolved
  int64_t truly_resolved = 0;
  int64_t never_queued = 0;  // trace callers who hung up before asking for an agent
  int64_t decisions = 0;     // offers the engine made
  // Answered contacts for which another agent was on shift, idle (no case in hand) and able
  // (skills, language) when the case was answered: how often the strategy had a real choice.
  int64_t answered_with_alternative = 0;
  // Offers whose winner the exploration term chose over the agent the estimates alone
  // preferred (the default strategy), and what they cost in true resolution: the sum over
  // them of P(resolve | the estimates' choice) - P(resolve | the agent chosen), by the truth.
  int64_t explored_offers = 0;
  double exploration_cost = 0;
  // Evidence behind decisions: the chosen agent's completed contacts on the case's topic
  // before the offer, summed over answered contacts (divide by answered for the mean).
  double prior_cases_on_topic = 0;
  double wall_seconds = 0;        // real time the run took
  absl::Duration simulated;       // virtual time covered
  std::vector<double> occupancy;  // per agent who worked: busy attention / time on shift
  // Mean number of cases waiting by hour of the day (trace zone), 24 entries.
  std::array<double, 24> depth_by_hour = {};
  // Attention agents spent working, counted within [warm_up, measure_until) whatever contact
  // it was for: the time average of busy agents × the window (the theory check's occupancy).
  double busy_seconds_in_window = 0;
  // Issue 17, when options.config.benchmark is enabled: the engine's own benchmark report,
  // read one repeat window after the run's last event (so every completion's FCR is counted),
  // and per arm the hidden truth behind it: the contacts the comparison counts that an agent
  // completed, and the sum of the truth's P(resolve) for the agent who took each (0 for a
  // hand-over). Their means' difference is the true gain the report estimates.
  std::optional<BenchmarkReport> benchmark;
  std::map<std::string, std::pair<int64_t, double>> benchmark_truth;
};

absl::StatusOr<SimResult> Simulate(const Workload& workload, const SimOptions& options);

}  // namespace caserouter

#endif  // CASEROUTER_TOOLS_SIM_SIMULATOR_H_
