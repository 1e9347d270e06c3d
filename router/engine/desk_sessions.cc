#include "router/engine/desk_sessions.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "agents/agent_rules.h"
#include "router/engine/case_lifecycle.h"
#include "router/engine/tick_context.h"
#include "router/model/validation.h"

namespace caserouter {
namespace {

// Every offer the agent has not answered yet goes back to the queue.
void RevokeOffersOf(TickContext& ctx, Agent& agent, RevocationReason reason) {
  for (Case* held : ctx.state.HeldBy(agent.id)) {
    if (held->state == CaseState::kOffered) RevokeOffer(ctx, *held, agent, reason);
  }
}

}  // namespace

const DeskSessions::Session* DeskSessions::Find(const std::string& agent_id) const {
  auto it = sessions_.find(agent_id);
  return it == sessions_.end() ? nullptr : &it->second;
}

bool DeskSessions::IsCurrent(const std::string& agent_id, const DeskSession* desk) const {
  const Session* s = Find(agent_id);
  return s != nullptr && s->desk.get() == desk;
}

void DeskSessions::Open(const std::string& agent_id, std::shared_ptr<DeskSession> desk,
                        absl::Time now) {
  Close(agent_id);
  sessions_[agent_id] = Session{std::move(desk), now};
  by_last_seen_.insert({now, agent_id});
}

void DeskSessions::Close(const std::string& agent_id) {
  auto it = sessions_.find(agent_id);
  if (it == sessions_.end()) return;
  by_last_seen_.erase({it->second.last_seen, agent_id});
  sessions_.erase(it);
}

void DeskSessions::Heard(const std::string& agent_id, absl::Time now) {
  auto it = sessions_.find(agent_id);
  if (it == sessions_.end()) return;
  by_last_seen_.erase({it->second.last_seen, agent_id});
  it->second.last_seen = now;
  by_last_seen_.insert({now, agent_id});
}

std::vector<std::string> DeskSessions::SilentSince(absl::Time cutoff) const {
  std::vector<std::string> out;
  for (auto it = by_last_seen_.begin(); it != by_last_seen_.end() && it->first <= cutoff; ++it) {
    out.push_back(it->second);
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::shared_ptr<DeskSession>> DeskSessions::CloseAll() {
  std::vector<std::shared_ptr<DeskSession>> desks;
  desks.reserve(sessions_.size());
  for (auto& [agent_id, session] : sessions_) desks.push_back(std::move(session.desk));
  sessions_.clear();
  by_last_seen_.clear();
  return desks;
}

void SetAgentPresence(TickContext& ctx, Agent& agent, Presence presence, absl::string_view reason,
                      bool notify) {
  if (!ChangePresence(agent, presence, ctx.now)) return;
  ctx.Changed(agent);
  ctx.Emit("presence", "", agent.id, absl::StrCat(PresenceName(presence), ":", reason));
  if (notify) {
    DeskNotice notice;
    notice.kind = DeskNotice::Kind::kPresenceChanged;
    notice.presence = presence;
    notice.reason = std::string(reason);
    ctx.Notify(agent.id, std::move(notice));
  }
}

absl::StatusOr<Welcome> OpenDeskSession(TickContext& ctx, const std::string& agent_id,
                                        std::shared_ptr<DeskSession> desk) {
  if (absl::Status s = ValidateAgentId("hello.agent_id", agent_id); !s.ok()) return s;
  Agent* agent = ctx.state.FindAgent(agent_id);
  if (agent == nullptr) return UnknownAgent(agent_id);
  if (ctx.desks.Connected(agent_id)) {
    DeskNotice notice;
    notice.kind = DeskNotice::Kind::kSessionEnded;
    notice.reason = "replaced";
    ctx.Notify(agent_id, std::move(notice));
  }
  ctx.desks.Open(agent_id, std::move(desk), ctx.now);
  ctx.AgentTouched(agent_id);
  ctx.state.disconnected_since.erase(agent_id);
  if (agent->presence == Presence::kOffline) {
    SetAgentPresence(ctx, *agent, Presence::kAway, "connected", /*notify=*/false);
  }
  ctx.Emit("connected", "", agent_id, "");
  Welcome welcome;
  welcome.presence = agent->presence;
  welcome.heartbeat_interval = ctx.config.heartbeat_timeout / 3;
  for (const Case* held : ctx.state.HeldBy(agent_id)) {
    if (held->state == CaseState::kAssigned) {
      welcome.assigned.push_back(ViewOf(*held, ctx.config, ctx.now));
    }
  }
  return welcome;
}

void CloseDeskSession(TickContext& ctx, const std::string& agent_id, absl::string_view reason) {
  ctx.desks.Close(agent_id);
  ctx.AgentTouched(agent_id);
  Agent* agent = ctx.state.FindAgent(agent_id);
  if (agent == nullptr) return;
  RevokeOffersOf(ctx, *agent,
                 reason == "heartbeat_lost" ? RevocationReason::kHeartbeatLost
                                            : RevocationReason::kDisconnected);
  SetAgentPresence(ctx, *agent, Presence::kOffline, reason, /*notify=*/false);
  if (agent->TotalActive() > 0) ctx.state.disconnected_since[agent_id] = ctx.now;
  ctx.Emit("disconnected", "", agent_id, std::string(reason));
}

absl::Status CheckDeskSession(const TickContext& ctx, const std::string& agent_id,
                              const DeskSession* desk) {
  if (!ctx.desks.IsCurrent(agent_id, desk)) {
    return absl::FailedPreconditionError(
        "agent_id: this stream is not the agent's open session (send hello first, or it was "
        "replaced by a newer one)");
  }
  return absl::OkStatus();
}

absl::Status SetDeskPresence(TickContext& ctx, const std::string& agent_id, Presence presence) {
  if (absl::Status s = ValidateSettablePresence("set_presence.presence", presence); !s.ok()) {
    return s;
  }
  Agent* agent = ctx.state.FindAgent(agent_id);
  if (agent == nullptr) return UnknownAgent(agent_id);
  if (presence == Presence::kAvailable) ResetMissedOffers(*agent);
  SetAgentPresence(ctx, *agent, presence, "agent", /*notify=*/false);
  // An agent who steps away keeps assignments but gives back pending offers.
  if (presence != Presence::kAvailable) RevokeOffersOf(ctx, *agent, RevocationReason::kPresence);
  return absl::OkStatus();
}

}  // namespace caserouter
