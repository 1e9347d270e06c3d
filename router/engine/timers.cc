#include "router/engine/timers.h"

#include <string>
#include <vector>

#include "agents/agent_rules.h"
#include "router/engine/case_lifecycle.h"
#include "router/engine/desk_sessions.h"

namespace caserouter {
namespace {

// An offer nobody answered in time: back to the queue, skipped by that agent in this pass,
// and a missed offer on the agent's run (too many in a row set them AWAY).
void LapseOffer(TickContext& ctx, Case& c) {
  std::string agent_id = c.agent_id;
  Agent* agent = ctx.state.FindAgent(agent_id);
  if (agent == nullptr) return;
  RevokeOffer(ctx, c, *agent, RevocationReason::kTimedOut);
  RememberDecline(ctx, c, agent_id);
  ctx.Emit(OfferResultName(OfferResult::kTimedOut), c.id, agent_id, "");
  if (RecordMissedOffer(*agent, ctx.config.max_missed_offers)) {
    SetAgentPresence(ctx, *agent, Presence::kAway, "missed_offers", /*notify=*/true);
  }
  ctx.Changed(*agent);
}

void EndSilentSessions(TickContext& ctx) {
  std::vector<std::string> silent;
  for (const auto& [agent_id, session] : ctx.desks.all()) {
    if (session.last_seen + ctx.config.heartbeat_timeout <= ctx.now) silent.push_back(agent_id);
  }
  for (const std::string& agent_id : silent) {
    DeskNotice notice;
    notice.kind = DeskNotice::Kind::kSessionEnded;
    notice.reason = "heartbeat_lost";
    ctx.Notify(agent_id, std::move(notice));
    CloseDeskSession(ctx, agent_id, "heartbeat_lost");
  }
}

void EndWrapUps(TickContext& ctx) {
  for (auto& [agent_id, agent] : ctx.state.agents) {
    if (WrapUpEnded(agent, ctx.now)) {
      SetAgentPresence(ctx, agent,
                       ctx.desks.Connected(agent_id) ? Presence::kAvailable : Presence::kOffline,
                       "wrap_up_ended", /*notify=*/true);
    }
  }
}

// Assignments whose agent did not come back within the grace period: route them again,
// preferring that agent should they return first.
void ReassignAbandoned(TickContext& ctx, const std::vector<Case*>& open) {
  auto& since = ctx.state.disconnected_since;
  for (auto it = since.begin(); it != since.end();) {
    if (it->second + ctx.config.reconnect_grace > ctx.now) {
      ++it;
      continue;
    }
    const std::string agent_id = it->first;
    it = since.erase(it);
    Agent* agent = ctx.state.FindAgent(agent_id);
    if (agent == nullptr) continue;
    for (Case* c : open) {
      if (c->state != CaseState::kAssigned || c->agent_id != agent_id) continue;
      ReleaseCapacity(*agent, c->spec.channel, ctx.now);
      ctx.Changed(*agent);
      c->preferred_agent = agent_id;
      Requeue(ctx, *c);
      ctx.Emit("reassigned", c->id, agent_id, "reconnect_grace_expired");
    }
  }
}

// Cases nobody could take within their channel's time to live.
void ExpireUntaken(TickContext& ctx, const std::vector<Case*>& open) {
  for (Case* c : open) {
    if (c->state != CaseState::kQueued) continue;
    if (c->created_time + ctx.config.channels[ChannelIndex(c->spec.channel)].ttl > ctx.now) {
      continue;
    }
    c->closed_time = ctx.now;
    c->end_reason = std::string(EndReasonName(EndReason::kNoAgentWithinTtl));
    SetState(ctx, *c, CaseState::kExpired);
    Channel channel = c->spec.channel;
    ctx.Observe([channel](EngineObserver& o) { o.CaseExpired(channel); });
    ctx.Emit("expired", c->id, "", c->end_reason);
  }
}

}  // namespace

void AdvanceTimers(TickContext& ctx) {
  std::vector<Case*> open = ctx.state.OpenSnapshot();
  for (Case* c : open) {
    if (c->state == CaseState::kOffered && c->offer_expires <= ctx.now) LapseOffer(ctx, *c);
  }
  EndSilentSessions(ctx);
  EndWrapUps(ctx);
  ReassignAbandoned(ctx, open);
  ExpireUntaken(ctx, open);
}

}  // namespace caserouter
