#include "router/engine/agent_registry.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "router/engine/case_lifecycle.h"
#include "router/model/validation.h"

namespace caserouter {

absl::StatusOr<AgentView> UpsertAgent(TickContext& ctx, Agent profile, bool create) {
  if (absl::Status s = ValidateAgentProfile(profile); !s.ok()) return s;
  Agent* existing = ctx.state.FindAgent(profile.id);
  if (create && existing != nullptr) {
    return absl::AlreadyExistsError(absl::StrCat("agent_id: agent '", profile.id, "' exists"));
  }
  if (!create && existing == nullptr) return UnknownAgent(profile.id);
  if (existing == nullptr) {
    Agent fresh;
    fresh.id = profile.id;
    fresh.idle_since = ctx.now;
    existing = &(ctx.state.agents[profile.id] = std::move(fresh));
  }
  existing->skills = std::move(profile.skills);
  existing->languages = std::move(profile.languages);
  existing->authority_limit = profile.authority_limit;
  existing->contact_address = profile.contact_address;
  existing->max_cases = profile.max_cases;
  ++ctx.state.profiles_version;
  ctx.Changed(*existing);
  ctx.Emit(create ? "agent_created" : "agent_updated", "", existing->id, "");
  return AgentViewOf(*existing, ctx.desks.Connected(existing->id));
}

absl::Status RemoveAgent(TickContext& ctx, const std::string& agent_id) {
  Agent* agent = ctx.state.FindAgent(agent_id);
  if (agent == nullptr) return UnknownAgent(agent_id);
  if (agent->TotalActive() > 0) {
    return absl::FailedPreconditionError(absl::StrCat(
        "agent_id: agent '", agent_id, "' holds cases; complete or wait for them first"));
  }
  if (ctx.desks.Connected(agent_id)) {
    DeskNotice notice;
    notice.kind = DeskNotice::Kind::kSessionEnded;
    notice.reason = "removed";
    ctx.Notify(agent_id, std::move(notice));
    ctx.desks.Close(agent_id);
  }
  ctx.state.agents.erase(agent_id);
  ctx.out.AgentRemoved(agent_id);
  ++ctx.state.profiles_version;
  ctx.AgentTouched(agent_id);
  ctx.state.disconnected_since.erase(agent_id);
  ctx.Emit("agent_removed", "", agent_id, "");
  return absl::OkStatus();
}

}  // namespace caserouter
