#include "router/engine/case_release.h"

#include "absl/strings/str_cat.h"
#include "agents/agent_rules.h"
#include "router/engine/case_lifecycle.h"

namespace caserouter {

absl::StatusOr<CaseView> ReleaseCase(TickContext& ctx, const std::string& agent_id,
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
  Agent* agent = ctx.state.FindAgent(agent_id);
  if (agent == nullptr) return UnknownAgent(agent_id);
  const Channel channel = c->spec.channel;
  ReleaseCapacity(*agent, channel, ctx.now);
  ctx.Changed(*agent);
  Requeue(ctx, *c);  // at its original age
  RememberDecline(ctx, *c, agent_id);
  std::string topic = ctx.TopicLabel(c->spec.topic);
  ctx.Observe([channel, topic](EngineObserver& o) { o.CaseReleased(channel, topic); });
  ctx.Emit("released", c->id, agent_id, "");
  CaseView view = ViewOf(*c, ctx.config, ctx.now);
  HideText(view);  // no longer theirs to read
  return view;
}

}  // namespace caserouter
