#include "router/policy/eligibility.h"

#include <algorithm>

namespace caserouter {

double AttentionLoad(const Agent& agent, const EngineConfig& config) {
  double load = 0;
  for (Channel ch : kAllChannels) {
    load += agent.active_cases[ChannelIndex(ch)] * config.channels[ChannelIndex(ch)].capacity_cost;
  }
  return load;
}

bool HasCapacity(const Agent& agent, Channel channel, const EngineConfig& config) {
  int i = ChannelIndex(channel);
  if (agent.active_cases[i] >= agent.max_cases[i]) return false;
  // A small tolerance: three chats at 0.34 each are meant to fit in 1.0 with rounding.
  return AttentionLoad(agent, config) + config.channels[i].capacity_cost <= 1.0 + 0.03;
}

std::optional<Exclusion> CheckEligibility(const Case& c, const Agent& agent, bool connected,
                                          const EngineConfig& config, absl::Time now,
                                          bool check_authority) {
  if (!connected || agent.presence != Presence::kAvailable) return Exclusion::kPresence;
  if (!HasCapacity(agent, c.spec.channel, config)) return Exclusion::kCapacity;
  for (const SkillRequirement& r : c.spec.required_skills) {
    if (agent.ProficiencyOf(r.skill) < r.min_proficiency) return Exclusion::kSkill;
  }
  if (!c.spec.language.empty() && !agent.Speaks(c.spec.language)) return Exclusion::kLanguage;
  if (check_authority && c.spec.authority_needed > agent.authority_limit) {
    return Exclusion::kAuthority;
  }
  // An agent who transferred the case never gets it back (issue 14): as declined, for good.
  if (std::find(c.transferred_by.begin(), c.transferred_by.end(), agent.id) !=
      c.transferred_by.end()) {
    return Exclusion::kDeclined;
  }
  if (now < c.declined_pass_until &&
      std::find(c.declined_by.begin(), c.declined_by.end(), agent.id) != c.declined_by.end()) {
    return Exclusion::kDeclined;
  }
  return std::nullopt;
}

}  // namespace caserouter
