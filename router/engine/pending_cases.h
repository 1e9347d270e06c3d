// Pending cases (issue 14, item 2): waiting on the customer. On chat, social and email an
// agent who has answered marks the case pending: it frees their capacity and leaves the
// queue, still theirs. The customer's next message (AddMessage) brings it back to the same
// agent first — offered to them at once when they can take it, or as soon as they can within
// floor.pending.return_wait_seconds — and then to anyone able (queued at its age, that agent
// preferred). A pending case the customer does not come back to closes itself after
// floor.pending.close_after_seconds: cancelled, end reason pending_timeout.
//
// Each step is an event (pending, pending_returned agent|queue, pending_closed) and a count
// (EngineObserver::CasePending: caserouter_pending_total{step}). Case::pending_since and
// Case::pending_return_until are stored, so a pending case and a customer's return survive a
// failover; AdvancePendingCases looks at the pending cases at most every 200 ms.
//
// Runs on the engine thread inside a tick. Errors: NOT_FOUND for unknown ids;
// PERMISSION_DENIED for a case another agent holds; FAILED_PRECONDITION when the case is not
// assigned to this agent, or is a phone call (a call cannot wait on the customer).
#ifndef CASEROUTER_ROUTER_ENGINE_PENDING_CASES_H_
#define CASEROUTER_ROUTER_ENGINE_PENDING_CASES_H_

#include <string>

#include "absl/status/statusor.h"
#include "router/engine/tick_context.h"
#include "router/engine/views.h"
#include "router/model/case.h"

namespace caserouter {

// The agent marks their assigned case pending.
absl::StatusOr<CaseView> MarkPending(TickContext& ctx, const std::string& agent_id,
                                     const std::string& case_id);
// The customer wrote on the pending case `c` (AddMessage): back to its agent, or soon.
void ResumePending(TickContext& ctx, Case& c);
// Offers returned cases to their agents when they can take them, queues those whose wait is
// over, and closes those the customer never came back to.
void AdvancePendingCases(TickContext& ctx);

}  // namespace caserouter

#endif  // CASEROUTER_ROUTER_ENGINE_PENDING_CASES_H_
