// The case's life cycle after intake: offered, taken back, accepted, declined, completed.
//
// Every path that ends an offer the agent has not answered (timeout, the customer leaving,
// the agent stepping away, the desk going away) goes through RevokeOffer, so each gives the
// capacity back, tells the desk, counts the offer and writes an offer_revoked event alike.
// The functions run on the engine thread inside a tick and record their changes in the
// context's outbox.
//
// Errors: NOT_FOUND for unknown ids; FAILED_PRECONDITION when the case is not offered to
// (Accept, Decline) or assigned to (Complete) this agent; INVALID_ARGUMENT for a bad outcome.
#ifndef CASEROUTER_ROUTER_ENGINE_CASE_LIFECYCLE_H_
#define CASEROUTER_ROUTER_ENGINE_CASE_LIFECYCLE_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "agents/agent.h"
#include "router/engine/tick_context.h"
#include "router/engine/views.h"
#include "router/model/case.h"
#include "router/model/reasons.h"
#include "router/model/score.h"

namespace caserouter {

// Sets the case's state, keeping the domain's indexes, and records the change.
void SetState(TickContext& ctx, Case& c, CaseState state);
// Back to the queue at its original age, offered to nobody.
void Requeue(TickContext& ctx, Case& c);
// Reserves `c` for `agent` until the offer timeout; the desk gets the offer after the commit.
void MakeOffer(TickContext& ctx, Case& c, Agent& agent, const Score& priority);
// Takes the unanswered offer of `c` back from `agent` (see the file comment). The case goes
// back to the queue unless `requeue` is false (the caller is ending it). A timed-out offer is
// counted as kTimedOut, every other revocation as kRevoked.
void RevokeOffer(TickContext& ctx, Case& c, Agent& agent, RevocationReason reason,
                 bool requeue = true);
// The agent will not take `c` in this pass: not offered to them again until the pass ends.
void RememberDecline(TickContext& ctx, Case& c, const std::string& agent_id);

absl::StatusOr<CaseView> AcceptOffer(TickContext& ctx, const std::string& agent_id,
                                     const std::string& case_id);
absl::Status DeclineOffer(TickContext& ctx, const std::string& agent_id,
                          const std::string& case_id);
// `disposition`: a code of the topic's configured list, or empty (issue 14).
absl::StatusOr<CaseView> CompleteCase(TickContext& ctx, const std::string& agent_id,
                                      const std::string& case_id, const Outcome& outcome,
                                      const std::string& disposition = "");

// NOT_FOUND naming the id only when it passes the id rule (errors go to logs and clients and
// must not carry arbitrary caller bytes).
absl::Status UnknownCase(absl::string_view id);
absl::Status UnknownAgent(absl::string_view id);
std::string QuotedId(absl::string_view id);

}  // namespace caserouter

#endif  // CASEROUTER_ROUTER_ENGINE_CASE_LIFECYCLE_H_
