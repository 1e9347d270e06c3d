// Eligibility: may this agent be offered this case now? If not, the one reason why.
//
// Pure function. Checks in a fixed order so that each exclusion is counted once, by its first
// reason: presence (AVAILABLE with an open desk session), capacity on the case's channel
// (per-channel maximum, and a shared attention budget of 1.0 where a call costs 1.0 — so a call
// blocks other work — while chats and posts share it), required skills at minimum proficiency,
// language, authority, and "declined or missed this case in this pass" (which also covers
// an agent who transferred the case away: they never get it back, issue 14).
#ifndef CASEROUTER_ROUTER_POLICY_ELIGIBILITY_H_
#define CASEROUTER_ROUTER_POLICY_ELIGIBILITY_H_

#include <optional>

#include "absl/time/time.h"
#include "agents/agent.h"
#include "router/model/case.h"
#include "router/model/engine_config.h"
#include "router/model/reasons.h"

namespace caserouter {

// Share of the agent's attention in use (0..1 normally).
double AttentionLoad(const Agent& agent, const EngineConfig& config);

// Whether the agent has room for one more case on `channel`.
bool HasCapacity(const Agent& agent, Channel channel, const EngineConfig& config);

// nullopt when eligible. `check_authority` is false when the case may go past its authority
// need (its SLA is breached; the case is then marked for supervisor help).
std::optional<Exclusion> CheckEligibility(const Case& c, const Agent& agent, bool connected,
                                          const EngineConfig& config, absl::Time now,
                                          bool check_authority = true);

}  // namespace caserouter

#endif  // CASEROUTER_ROUTER_POLICY_ELIGIBILITY_H_
