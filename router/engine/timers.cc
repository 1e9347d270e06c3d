#include "router/engine/timers.h"

#include <algorithm>
#include <string>
#include <vector>

#include "agents/agent_rules.h"
#include "router/engine/case_lifecycle.h"
#include "router/engine/desk_sessions.h"
#include "router/engine/queue_steps.h"

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
  if (ctx.config.heartbeat_timeout == absl::InfiniteDuration()) return;
  for (const std::string& agent_id :
       ctx.desks.SilentSince(ctx.now - ctx.config.heartbeat_timeout)) {
    DeskNotice notice;
    notice.kind = DeskNotice::Kind::kSessionEnded;
    notice.reason = "heartbeat_lost";
    ctx.Notify(agent_id, std::move(notice));
    CloseDeskSession(ctx, agent_id, "heartbeat_lost");
  }
}

void EndWrapUps(TickContext& ctx) {
  auto& ends = ctx.state.wrap_up_ends;
  std::vector<std::string> due;
  while (!ends.empty() && ends.begin()->first <= ctx.now) {
    due.push_back(ends.begin()->second);
    ends.erase(ends.begin());
  }
  std::sort(due.begin(), due.end());
  due.erase(std::unique(due.begin(), due.end()), due.end());
  for (const std::string& agent_id : due) {
    Agent* agent = ctx.state.FindAgent(agent_id);
    // The entry is stale when the agent left wrap-up otherwise, or got a later end.
    if (agent == nullptr || !WrapUpEnded(*agent, ctx.now)) continue;
    SetAgentPresence(ctx, *agent,
                     ctx.desks.Connected(agent_id) ? Presence::kAvailable : Presence::kOffline,
                     "wrap_up_ended", /*notify=*/true);
  }
}

// Assignments whose agent did not come back within the grace period: route them again,
// preferring that agent should they return first.
void ReassignAbandoned(TickContext& ctx) {
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
    for (Case* c : ctx.state.HeldBy(agent_id)) {
      if (c->state != CaseState::kAssigned) continue;
      ReleaseCapacity(*agent, c->spec.channel, ctx.now);
      ctx.Changed(*agent);
      c->preferred_agent = agent_id;
      Requeue(ctx, *c);
      ctx.Emit("reassigned", c->id, agent_id, "reconnect_grace_expired");
    }
  }
}

// Cases nobody could take within their channel's time to live.
void ExpireUntaken(TickContext& ctx) {
  for (const std::string& id : ctx.state.waiting.ExpiredBy(ctx.now)) {
    Case* c = ctx.state.FindCase(id);
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
  ctx.state.RefreshWaiting(ctx.config);  // time to live is read from the waiting index
  std::vector<std::string> lapsed;
  for (const auto& [deadline, id] : ctx.state.offer_deadlines) {
    if (deadline > ctx.now) break;
    lapsed.push_back(id);
  }
  std::sort(lapsed.begin(), lapsed.end());
  for (const std::string& id : lapsed) LapseOffer(ctx, ctx.state.cases.at(id));
  EndSilentSessions(ctx);
  EndWrapUps(ctx);
  ReassignAbandoned(ctx);
  ExpireUntaken(ctx);
  AdvanceQueueSteps(ctx);  // issue 16: nothing to do with no queue configured
}

}  // namespace caserouter
