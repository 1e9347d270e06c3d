#include "router/engine/agent_context.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "router/engine/case_lifecycle.h"

namespace caserouter {

absl::StatusOr<AgentContext> ContextFor(TickContext& ctx, const std::string& agent_id,
                                        const std::string& case_id,
                                        std::optional<Decision> decision) {
  const Case* c = ctx.state.FindCase(case_id);
  if (c == nullptr) return UnknownCase(case_id);
  const bool own = (c->agent_id == agent_id &&
                    (c->state == CaseState::kOffered || c->state == CaseState::kAssigned)) ||
                   (c->state == CaseState::kAssigned && c->consult_agent == agent_id);
  if (!own) {
    return absl::PermissionDeniedError(absl::StrCat("get_context.case_id: case '", case_id,
                                                    "' is not offered to or held by this agent"));
  }
  AgentContext out;
  out.view = ViewOf(*c, ctx.config, ctx.now);
  // The customer's other cases (ids order creation time within a domain's cases).
  std::vector<const Case*> others;
  for (const auto& [id, other] : ctx.state.cases) {
    if (other.spec.customer_id == c->spec.customer_id && other.id != c->id) {
      others.push_back(&other);
    }
  }
  std::sort(others.begin(), others.end(),
            [](const Case* a, const Case* b) { return a->created_time < b->created_time; });
  for (const Case* other : others) out.channel_history.push_back(other->spec.channel);
  out.channel_history.push_back(c->spec.channel);
  for (auto it = others.rbegin(); it != others.rend(); ++it) {
    if (static_cast<int>(out.customer_cases.size()) >= kMaxCustomerCases) break;
    const Case& other = **it;
    out.customer_cases.push_back(PastCase{other.id, other.spec.channel, other.spec.topic,
                                          other.state, other.outcome, other.disposition,
                                          other.end_reason, other.created_time, other.closed_time});
  }
  if (decision.has_value()) {
    for (const std::optional<ScoredAgent>* scored : {&decision->winner, &decision->runner_up}) {
      if (scored->has_value() && (*scored)->agent_id == agent_id) out.this_agent = **scored;
    }
    out.decision = std::move(decision);
  }
  out.own.topic = c->spec.topic;
  const TrackRecord::ByAgent& records = ctx.state.records.QualityOn(c->spec.topic);
  if (auto mine = records.find(agent_id); mine != records.end()) {
    const QualityRecord& q = mine->second;
    out.own.completed = q.completed;
    out.own.resolved = q.resolved;
    out.own.first_contact_resolutions = q.first_contact_resolutions;
    out.own.csat_sum = q.csat_sum;
    out.own.csat_count = q.csat_count;
  }
  return out;
}

}  // namespace caserouter
