// Transfers (issue 14, item 1): an agent hands an assigned case on — cold to another agent
// (offered to them at once), warm (a consult first: the case moves when the other agent
// accepts, and stays with the first when they decline or the consult lapses), or back to
// routing with new requirements (skills, language, topic).
//
// What a transfer keeps and changes:
//   - the case keeps its age (enqueued_time), its answer time, messages and history;
//   - the transferring agent's capacity is free again, and they are added to
//     Case::transferred_by: the routing pass never offers the case back to them
//     (eligibility: excluded as declined, for good), nor can it be transferred to them;
//   - Case::transfers counts the hand-overs (a declined consult is not one).
// Outcome attribution: the agent who completes the case gets its outcome in their track
// record (resolution, CSAT, handle time); the agents who transferred it get nothing for it.
// A case resolved after a transfer is not a first-contact resolution, neither in the
// resolving agent's record nor in caserouter_first_contact_resolutions_total (both follow
// Case::transfers), so the two agree.
//
// A consult is in memory only (Case::consult_agent): it reserves nothing, the consulted
// agent must still be eligible when they accept, and it lapses after offers.timeout_seconds
// (checked when they answer). A failover forgets it: the case stays with its agent.
//
// Runs on the engine thread inside a tick. Errors: NOT_FOUND for unknown ids;
// PERMISSION_DENIED for a case another agent holds; INVALID_ARGUMENT naming the field;
// FAILED_PRECONDITION when the case is not assigned to this agent, the other agent is not
// eligible (naming the reason), or the consult is over.
#ifndef CASEROUTER_ROUTER_ENGINE_CASE_TRANSFER_H_
#define CASEROUTER_ROUTER_ENGINE_CASE_TRANSFER_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "router/engine/supervisor_controls.h"
#include "router/engine/tick_context.h"
#include "router/engine/views.h"
#include "router/model/reasons.h"

namespace caserouter {

struct TransferRequest {
  TransferKind kind = TransferKind::kCold;       // kCold, kWarm or kRouting
  std::string to_agent_id;                       // kCold, kWarm
  WaitingCaseChange::Requirements requirements;  // kRouting
};

// The agent hands the case on. The answer is the case after it (no customer text: it is no
// longer theirs, except for a warm transfer, where it still is).
absl::StatusOr<CaseView> TransferCase(TickContext& ctx, const std::string& agent_id,
                                      const std::string& case_id, const TransferRequest& request);
// True when `agent_id` is consulted on `case_id` (their Accept and Decline answer the
// consult).
bool IsConsulted(TickContext& ctx, const std::string& agent_id, const std::string& case_id);
// The consulted agent takes the case over / declines it.
absl::StatusOr<CaseView> AcceptConsult(TickContext& ctx, const std::string& agent_id,
                                       const std::string& case_id);
absl::Status DeclineConsult(TickContext& ctx, const std::string& agent_id,
                            const std::string& case_id);

}  // namespace caserouter

#endif  // CASEROUTER_ROUTER_ENGINE_CASE_TRANSFER_H_
