// The context an agent needs on a case (issue 14, item 6): who the customer is to this centre
// and why the case came to this agent. Asked on the desk stream (GetContext); answered for
// the agent's own case only (offered to them, assigned to them, or a consult asking them),
// and with the agent's own figures only — the caller's credential names the agent
// (router/service/access_rules.h: agents are bound to their identity), so no agent can read
// another's.
//
//   - the case itself, with its messages (all of them; later ones also arrive as CaseMessage);
//   - the customer's other cases kept by this domain (closed cases stay for
//     retention.closed_case_seconds), newest first, at most kMaxCustomerCases, with their
//     outcomes, and the repeat link (the earlier case this one repeats);
//   - the channel history: the channels of the customer's cases, oldest first, ending with
//     this case's channel;
//   - why this agent: the routing decision's strategy, this agent's score and its terms, or
//     that a supervisor chose (NOT_FOUND-free: empty when this replica did not decide it);
//   - the agent's own track record on the case's topic: cases completed, resolved, resolution
//     rate, first-contact resolutions, mean CSAT (all outcomes this domain kept, repeats taken
//     back).
//
// Runs on the engine thread inside a tick; it reads only. The customer's cases are found by
// a walk over the cases kept (cost: the cases in memory, per call). Errors: NOT_FOUND for an
// unknown case; PERMISSION_DENIED for a case that is not the agent's.
#ifndef CASEROUTER_ROUTER_ENGINE_AGENT_CONTEXT_H_
#define CASEROUTER_ROUTER_ENGINE_AGENT_CONTEXT_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "agents/channel.h"
#include "router/engine/tick_context.h"
#include "router/engine/views.h"
#include "router/model/case.h"
#include "router/model/score.h"
#include "router/policy/matching.h"

namespace caserouter {

inline constexpr int kMaxCustomerCases = 10;

struct PastCase {
  std::string case_id;
  Channel channel = Channel::kPhone;
  std::string topic;
  CaseState state = CaseState::kQueued;
  Outcome outcome;
  std::string disposition;
  std::string end_reason;
  absl::Time created_time = absl::InfinitePast();
  absl::Time closed_time = absl::InfinitePast();
};

struct AgentTopicFigures {
  std::string topic;
  int64_t completed = 0;
  int64_t resolved = 0;
  int64_t first_contact_resolutions = 0;
  int64_t csat_sum = 0;
  int64_t csat_count = 0;
};

struct AgentContext {
  CaseView view;                         // with the customer's text: the agent's own case
  std::vector<PastCase> customer_cases;  // newest first
  std::vector<Channel> channel_history;  // oldest first, this case's channel last
  // Why this agent: the decision that offered the case, when this replica made it.
  std::optional<Decision> decision;
  std::optional<ScoredAgent> this_agent;  // this agent's score in it
  AgentTopicFigures own;                  // the asking agent's own figures on the topic
};

// `decision`: the routing decision of the case, if any (RoutingPass::Explain).
absl::StatusOr<AgentContext> ContextFor(TickContext& ctx, const std::string& agent_id,
                                        const std::string& case_id,
                                        std::optional<Decision> decision);

}  // namespace caserouter

#endif  // CASEROUTER_ROUTER_ENGINE_AGENT_CONTEXT_H_
