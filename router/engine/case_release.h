// Releasing an accepted case (issue 14, item 3): the agent who holds a case finds they cannot
// handle it after all and gives it back to the queue.
//
// The case keeps its age (enqueued_time) and history; the agent's capacity is free again;
// the release is counted (EngineObserver::CaseReleased, an event `released`) and the agent
// is remembered as having declined the case in this pass (RememberDecline: the decline rules
// of router/policy/eligibility.h), so the routing pass does not offer it back to them until
// the pass ends (offers.decline_pass_seconds).
//
// Runs on the engine thread inside a tick. Errors: NOT_FOUND for unknown ids;
// PERMISSION_DENIED for a case another agent holds; FAILED_PRECONDITION when the case is not
// assigned to this agent.
#ifndef CASEROUTER_ROUTER_ENGINE_CASE_RELEASE_H_
#define CASEROUTER_ROUTER_ENGINE_CASE_RELEASE_H_

#include <string>

#include "absl/status/statusor.h"
#include "router/engine/tick_context.h"
#include "router/engine/views.h"

namespace caserouter {

absl::StatusOr<CaseView> ReleaseCase(TickContext& ctx, const std::string& agent_id,
                                     const std::string& case_id);

}  // namespace caserouter

#endif  // CASEROUTER_ROUTER_ENGINE_CASE_RELEASE_H_
