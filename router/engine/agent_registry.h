// Agent registry: supervisors create, update and remove the domain's agents. Runs on the
// engine thread inside a tick.
//
// Errors: INVALID_ARGUMENT naming the field; ALREADY_EXISTS for a taken id on create;
// NOT_FOUND for an unknown id; FAILED_PRECONDITION when removing an agent who holds cases.
#ifndef CASEROUTER_ROUTER_ENGINE_AGENT_REGISTRY_H_
#define CASEROUTER_ROUTER_ENGINE_AGENT_REGISTRY_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "agents/agent.h"
#include "router/engine/tick_context.h"
#include "router/engine/views.h"

namespace caserouter {

// Creates (`create`) or updates the agent's profile: skills, languages, authority, capacity.
// What the agent is doing (presence, load) is the engine's and stays as it is.
absl::StatusOr<AgentView> UpsertAgent(TickContext& ctx, Agent profile, bool create);
absl::Status RemoveAgent(TickContext& ctx, const std::string& agent_id);

}  // namespace caserouter

#endif  // CASEROUTER_ROUTER_ENGINE_AGENT_REGISTRY_H_
