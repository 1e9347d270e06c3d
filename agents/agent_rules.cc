#include "agents/agent_rules.h"

#include <algorithm>

namespace caserouter {

void TakeCapacity(Agent& agent, Channel channel, absl::Time now) {
  ++agent.active_cases[ChannelIndex(channel)];
  agent.last_offer_time = now;
}

void ReleaseCapacity(Agent& agent, Channel channel, absl::Time now) {
  int& active = agent.active_cases[ChannelIndex(channel)];
  active = std::max(0, active - 1);
  if (agent.TotalActive() == 0) agent.idle_since = now;
}

bool ChangePresence(Agent& agent, Presence presence, absl::Time now) {
  if (agent.presence == presence) return false;
  if (presence == Presence::kAvailable && agent.TotalActive() == 0) agent.idle_since = now;
  agent.presence = presence;
  agent.presence_since = now;
  return true;
}

bool RecordMissedOffer(Agent& agent, int max_in_row) {
  ++agent.missed_offers_in_row;
  return agent.missed_offers_in_row >= max_in_row && agent.presence == Presence::kAvailable;
}

}  // namespace caserouter
