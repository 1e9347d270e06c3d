#include "router/policy/hold_policy.h"

#include <algorithm>
#include <cmath>

namespace caserouter {

absl::Time HoldBound(absl::Time enqueued, absl::Duration sla, double bullseye_share) {
  // waited < share x (SLA - waited)  <=>  waited < share / (1 + share) x SLA.
  const double share = std::max(0.0, bullseye_share);
  return enqueued + absl::Seconds(share / (1 + share) * absl::ToDoubleSeconds(sla));
}

HoldDecision DecideHold(const HoldContext& x, const std::vector<HoldCandidate>& candidates) {
  HoldDecision best;
  const absl::Time bound = HoldBound(x.enqueued, x.sla, x.bullseye_share);
  if (x.now >= bound) return best;
  double best_net = 0;
  absl::Time until = absl::InfinitePast();
  for (const HoldCandidate& b : candidates) {
    const double difference = b.resolution.mean - x.best_free.mean;
    const double sd = std::hypot(b.resolution.sd, x.best_free.sd);
    if (!(difference > x.confidence * sd)) continue;  // about as good: no wait for them
    // When the agent is expected to be able to take the case, and until when that is early
    // enough for the bound.
    absl::Time free_at = b.free_at;
    absl::Time passes_until = bound;
    if (free_at == absl::InfiniteFuture()) {
      if (b.expected_wait == absl::InfiniteDuration()) continue;
      free_at = x.now + b.expected_wait;
      passes_until = bound - b.expected_wait;  // later, the agent would come too late
    }
    if (free_at >= bound || x.now >= passes_until) continue;
    const double gain = difference * x.failure_cost_seconds;
    const double cost = std::max(0.0, absl::ToDoubleSeconds(free_at - x.now));
    if (!(gain > cost)) continue;
    until = std::max(until, passes_until);
    const double net = gain - cost;
    if (!best.hold || net > best_net || (net == best_net && b.agent_id < best.agent_id)) {
      best.hold = true;
      best.agent_id = b.agent_id;
      best.gain_seconds = gain;
      best.cost_seconds = cost;
      best_net = net;
    }
  }
  if (best.hold) best.until = until;
  return best;
}

}  // namespace caserouter
