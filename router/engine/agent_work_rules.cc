#include "router/engine/agent_work_rules.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "agents/agent_rules.h"
#include "router/engine/case_lifecycle.h"
#include "router/engine/desk_sessions.h"

namespace caserouter {
namespace {

bool Listed(const std::vector<std::string>& words, const std::string& word) {
  return std::find(words.begin(), words.end(), word) != words.end();
}

absl::StatusOr<Agent*> InWrapUp(TickContext& ctx, const std::string& agent_id) {
  Agent* agent = ctx.state.FindAgent(agent_id);
  if (agent == nullptr) return UnknownAgent(agent_id);
  if (agent->presence != Presence::kWrapUp) {
    return absl::FailedPreconditionError(
        absl::StrCat("agent_id: agent '", agent_id, "' is not in wrap-up"));
  }
  return agent;
}

}  // namespace

absl::Status CheckDisposition(const FloorConfig& floor, const std::string& topic,
                              const std::string& disposition) {
  if (disposition.empty()) return absl::OkStatus();
  auto codes = floor.dispositions.find(topic);
  if (codes == floor.dispositions.end() || codes->second.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "outcome.disposition_code: the case's topic has no disposition codes configured "
        "(floor.dispositions)"));
  }
  if (!Listed(codes->second, disposition)) {
    // The caller's word is not echoed: only the configured codes are.
    return absl::InvalidArgumentError(absl::StrCat(
        "outcome.disposition_code: not a disposition code of the case's topic (one of: ",
        absl::StrJoin(codes->second, ", "), ")"));
  }
  return absl::OkStatus();
}

absl::Status EndWrapUpEarly(TickContext& ctx, const std::string& agent_id) {
  absl::StatusOr<Agent*> agent = InWrapUp(ctx, agent_id);
  if (!agent.ok()) return agent.status();
  SetAgentPresence(ctx, **agent, Presence::kAvailable, "wrap_up_ended_early", /*notify=*/false);
  return absl::OkStatus();
}

absl::Status ExtendWrapUp(TickContext& ctx, const std::string& agent_id, absl::Duration extra) {
  if (extra <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("extend_wrap_up.seconds: must be positive");
  }
  absl::StatusOr<Agent*> agent = InWrapUp(ctx, agent_id);
  if (!agent.ok()) return agent.status();
  // The bound: the longest configured wrap-up plus the extension allowed, from the start of
  // this wrap-up (the agent's presence_since).
  absl::Duration longest = absl::ZeroDuration();
  for (const ChannelConfig& channel : ctx.config.channels)
    longest = std::max(longest, channel.wrap_up);
  const absl::Time latest =
      (*agent)->presence_since + longest + ctx.config.floor.max_wrap_up_extension;
  const absl::Time until = (*agent)->wrap_up_until + extra;
  if (until > latest) {
    return absl::InvalidArgumentError(absl::StrCat(
        "extend_wrap_up.seconds: at most ",
        absl::ToInt64Seconds(std::max(absl::ZeroDuration(), latest - (*agent)->wrap_up_until)),
        " s more (floor.wrap_up.max_extension_seconds)"));
  }
  ScheduleWrapUp(**agent, until);
  ctx.state.wrap_up_ends.insert({until, agent_id});
  ctx.Changed(**agent);
  ctx.Emit("wrap_up_extended", "", agent_id, "");
  return absl::OkStatus();
}

absl::Status SetAway(TickContext& ctx, const std::string& agent_id, const std::string& reason) {
  if (!Listed(ctx.config.floor.away_reasons, reason)) {
    return absl::InvalidArgumentError(
        absl::StrCat("set_presence.away_reason: must be one of: ",
                     absl::StrJoin(ctx.config.floor.away_reasons, ", ")));
  }
  Agent* agent = ctx.state.FindAgent(agent_id);
  if (agent == nullptr) return UnknownAgent(agent_id);
  const bool changed = agent->presence != Presence::kAway;
  SetAgentPresence(ctx, *agent, Presence::kAway, reason, /*notify=*/false);
  for (Case* held : ctx.state.HeldBy(agent_id)) {
    if (held->state == CaseState::kOffered) {
      RevokeOffer(ctx, *held, *agent, RevocationReason::kPresence);
    }
  }
  if (changed) ctx.Observe([reason](EngineObserver& o) { o.AgentAway(reason); });
  return absl::OkStatus();
}

}  // namespace caserouter
