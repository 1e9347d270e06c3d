#include "router/engine/pending_cases.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "agents/agent_rules.h"
#include "router/engine/case_lifecycle.h"
#include "router/policy/eligibility.h"
#include "router/policy/priority.h"

namespace caserouter {
namespace {

// How often the pending cases are looked at: a returned case waits at most this long more
// for its agent to be seen able.
constexpr absl::Duration kScanEvery = absl::Milliseconds(200);

void Count(TickContext& ctx, const Case& c, PendingStep step) {
  const Channel channel = c.spec.channel;
  ctx.Observe([channel, step](EngineObserver& o) { o.CasePending(channel, step); });
}

// Offers `c` to its own agent when they can take it now; true when it did.
bool BackToItsAgent(TickContext& ctx, Case& c) {
  Agent* agent = ctx.state.FindAgent(c.agent_id);
  if (agent == nullptr) return false;
  if (CheckEligibility(c, *agent, ctx.desks.Connected(agent->id), ctx.config, ctx.now)
          .has_value()) {
    return false;
  }
  c.pending_since = absl::InfinitePast();
  c.pending_return_until = absl::InfinitePast();
  MakeOffer(ctx, c, *agent, ScorePriority(c, ctx.config, ctx.now));
  ctx.Emit("pending_returned", c.id, agent->id, "agent");
  Count(ctx, c, PendingStep::kBackToAgent);
  return true;
}

}  // namespace

absl::StatusOr<CaseView> MarkPending(TickContext& ctx, const std::string& agent_id,
                                     const std::string& case_id) {
  Case* c = ctx.state.FindCase(case_id);
  if (c == nullptr) return UnknownCase(case_id);
  if (IsOpen(c->state) && !c->agent_id.empty() && c->agent_id != agent_id) {
    return absl::PermissionDeniedError(
        absl::StrCat("case_id: case '", case_id, "' is offered to or held by another agent"));
  }
  if (c->state != CaseState::kAssigned || c->agent_id != agent_id) {
    return absl::FailedPreconditionError(
        absl::StrCat("case_id: case '", case_id, "' is not assigned to this agent"));
  }
  if (c->spec.channel == Channel::kPhone) {
    return absl::FailedPreconditionError(
        absl::StrCat("case_id: case '", case_id,
                     "' is a phone call: only chat, social and email cases wait on the customer"));
  }
  Agent* agent = ctx.state.FindAgent(agent_id);
  if (agent == nullptr) return UnknownAgent(agent_id);
  ReleaseCapacity(*agent, c->spec.channel, ctx.now);
  ctx.Changed(*agent);
  c->pending_since = ctx.now;
  c->pending_return_until = absl::InfinitePast();
  SetState(ctx, *c, CaseState::kPending);  // still theirs (agent_id kept), held by nobody
  ctx.Emit("pending", c->id, agent_id, "");
  Count(ctx, *c, PendingStep::kMarked);
  return ViewOf(*c, ctx.config, ctx.now);
}

void ResumePending(TickContext& ctx, Case& c) {
  if (c.state != CaseState::kPending || c.pending_return_until != absl::InfinitePast()) return;
  if (BackToItsAgent(ctx, c)) return;
  c.pending_return_until = ctx.now + ctx.config.floor.pending_return_wait;
  ctx.Changed(c);
}

void AdvancePendingCases(TickContext& ctx) {
  if (ctx.now < ctx.state.next_pending_scan) return;
  ctx.state.next_pending_scan = ctx.now + kScanEvery;
  std::vector<Case*> pending;
  for (const auto& [id, c] : ctx.state.open_cases) {
    if (c->state == CaseState::kPending) pending.push_back(c);
  }
  for (Case* c : pending) {
    if (c->pending_return_until != absl::InfinitePast()) {
      // The customer came back: their agent first, then anyone able.
      if (BackToItsAgent(ctx, *c)) continue;
      if (ctx.now < c->pending_return_until) continue;
      const std::string agent_id = c->agent_id;
      c->preferred_agent = agent_id;
      c->pending_since = absl::InfinitePast();
      c->pending_return_until = absl::InfinitePast();
      Requeue(ctx, *c);  // at its age
      ctx.Emit("pending_returned", c->id, agent_id, "queue");
      Count(ctx, *c, PendingStep::kBackToQueue);
    } else if (ctx.now >= c->pending_since + ctx.config.floor.pending_close_after) {
      const std::string agent_id = c->agent_id;
      c->end_reason = std::string(EndReasonName(EndReason::kPendingTimeout));
      c->closed_time = ctx.now;
      SetState(ctx, *c, CaseState::kCancelled);
      ctx.Emit("pending_closed", c->id, agent_id, c->end_reason);
      Count(ctx, *c, PendingStep::kClosed);
    }
  }
}

}  // namespace caserouter
