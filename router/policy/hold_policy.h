// HoldPolicy: whether a case should wait for a better agent than the best one free now.
//
// Waiting for the better agent buys resolution and costs time. The rule weighs both in the
// same unit, seconds, as the literature on routing with service failures does: an unresolved
// customer comes back, so a failure costs another contact — the callback term of de Véricourt
// & Zhou (2005), whose p·μ rule routes by the rate of *successful* service, and the speed /
// resolution trade-off of Mehrotra, Ross, Ryder & Zhou (2012), where routing for resolution
// pays only while it does not slow service more than the callbacks it saves. Here:
//
//   gain = (p_better - p_free) x failure_cost      expected seconds of contacts saved
//   cost = the seconds the case expects to wait until the better agent can take it
//
// and the case is held for an agent only when
//   1. the agent is better beyond doubt: p_better - p_free > confidence x sd(difference), so
//      a case (a live caller above all) never waits while an agent about as good is free;
//   2. gain > cost;
//   3. the agent is expected to be free before the hold's bound: while waited <
//      bullseye_share x (SLA - waited), as before; the bound shrinks as the SLA runs out and
//      is zero past it.
// When an agent will be free is known for one in wrap-up (its end); for one busy with a case
// it is not, and the wait is taken as a whole mean handle time plus the wrap-up (handle times
// are far from regular: the time left of a case in progress is about a mean handle time),
// so holds for busy agents pay only for very large differences. The queue behind the case is
// not a cost of its own: while the case waits, the free agent serves the next case in the
// queue, which gains what this one loses.
//
// Every input is a value; the decision depends on time only through `now` against times that
// do not move (the wrap-up's end, the bound), and it stays a hold until `until` unless
// something it depends on changes: the engine re-decides a held case at `until` (see
// routing_pass.h) or when an agent, the topic's records or the customer's relationships change.
//
//   HoldContext context{now, c.enqueued_time, sla, best_free, failure_cost, weights};
//   HoldDecision hold = DecideHold(context, candidates);
//   if (hold.hold) ... wait for hold.agent_id until hold.until
//
// Pure function; no I/O, clock or randomness.
#ifndef CASEROUTER_ROUTER_POLICY_HOLD_POLICY_H_
#define CASEROUTER_ROUTER_POLICY_HOLD_POLICY_H_

#include <string>
#include <vector>

#include "absl/time/time.h"
#include "router/model/engine_config.h"

namespace caserouter {

// An agent's estimated chance of resolving the case, with its uncertainty.
struct ResolutionView {
  double mean = 0;
  double sd = 0;
};

// An agent the case could wait for: present and qualified, but not able to take it now.
struct HoldCandidate {
  std::string agent_id;
  ResolutionView resolution;
  // When the agent can take the case, if known (the end of their wrap-up); InfiniteFuture()
  // when not known: then the wait is `expected_wait` from whenever the case is decided.
  absl::Time free_at = absl::InfiniteFuture();
  absl::Duration expected_wait = absl::InfiniteDuration();
};

struct HoldContext {
  absl::Time now;
  absl::Time enqueued;              // the case's age in the queue starts here
  absl::Duration sla;               // the case's channel
  ResolutionView best_free;         // the best agent free now, by estimated resolution
  double failure_cost_seconds = 0;  // what a failure costs: hold_failure_cost x mean handle
  double confidence = 1;            // standard deviations (hold_confidence)
  double bullseye_share = 0.5;      // the bound (bullseye_share)
};

struct HoldDecision {
  bool hold = false;
  std::string agent_id;                       // the agent the case waits for
  absl::Time until = absl::InfiniteFuture();  // decide again by then at the latest
  double gain_seconds = 0;                    // of the chosen agent
  double cost_seconds = 0;
};

// The time until which a case may be held at all: when waited = share x (SLA - waited).
absl::Time HoldBound(absl::Time enqueued, absl::Duration sla, double bullseye_share);

// Holds for the candidate with the largest gain - cost among those that pass the rule; `until`
// is the latest time at which any of them still passes it without a change of inputs.
HoldDecision DecideHold(const HoldContext& context, const std::vector<HoldCandidate>& candidates);

}  // namespace caserouter

#endif  // CASEROUTER_ROUTER_POLICY_HOLD_POLICY_H_
