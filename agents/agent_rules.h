// The agent's own rules: capacity taken and given back, presence changes, wrap-up and missed
// offers. Functions over an Agent value and `now`; the engine decides when they apply and
// records what they change.
//
//   TakeCapacity(agent, Channel::kChat, now);      // an offer reserves one chat slot
//   ReleaseCapacity(agent, Channel::kChat, now);   // idle again from `now` when nothing is left
//   if (RecordMissedOffer(agent, config.max_missed_offers)) { /* set the agent AWAY */ }
//
// Thread safety: none (plain values). Errors: none.
#ifndef CASEROUTER_AGENTS_AGENT_RULES_H_
#define CASEROUTER_AGENTS_AGENT_RULES_H_

#include "absl/time/time.h"
#include "agents/agent.h"
#include "agents/channel.h"

namespace caserouter {

// One more case in hand on `channel` (an offer made); remembered for round robin.
void TakeCapacity(Agent& agent, Channel channel, absl::Time now);
// One case fewer in hand on `channel`; with nothing left in hand the agent is idle from `now`.
void ReleaseCapacity(Agent& agent, Channel channel, absl::Time now);
// Sets the presence; false when it was already so (nothing changed). An agent who becomes
// AVAILABLE with nothing in hand is idle from `now`.
bool ChangePresence(Agent& agent, Presence presence, absl::Time now);
// The agent let an offer time out: true when that makes `max_in_row` in a row while AVAILABLE,
// and the agent must be set AWAY.
bool RecordMissedOffer(Agent& agent, int max_in_row);
// The agent answered (accepted or declined) or set themselves AVAILABLE: the run is broken.
inline void ResetMissedOffers(Agent& agent) { agent.missed_offers_in_row = 0; }
// Wrap-up after a completed case: until `until` (the channel's wrap-up time after `now`).
inline void ScheduleWrapUp(Agent& agent, absl::Time until) { agent.wrap_up_until = until; }
inline bool WrapUpEnded(const Agent& agent, absl::Time now) {
  return agent.presence == Presence::kWrapUp && agent.wrap_up_until <= now;
}

}  // namespace caserouter

#endif  // CASEROUTER_AGENTS_AGENT_RULES_H_
