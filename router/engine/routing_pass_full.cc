// The full routing pass: every queued case against every agent at every tick. Kept only to
// check the incremental pass against (EngineConfig::full_routing_pass; the simulator's
// --full_pass): it is the engine's routing as it was before that pass, unchanged.
#include <algorithm>
#include <utility>

#include "router/engine/case_lifecycle.h"
#include "router/engine/routing_pass.h"
#include "router/engine/routing_tally.h"
#include "router/policy/priority.h"

namespace caserouter {

void RoutingPass::ExplainWaitingFull(TickContext& ctx, std::vector<AgentCandidate>& candidates) {
  // ExplainDecision must still say why a case waits. Decide again only the cases without a
  // decision since the agents last changed; skip the pass whole when nothing changed.
  const uint64_t epoch = ctx.state.agents_epoch;
  if (explained_agents_epoch_ == epoch && explained_queue_version_ == ctx.state.queue_version) {
    return;
  }
  explained_agents_epoch_ = epoch;
  explained_queue_version_ = ctx.state.queue_version;
  for (const auto& [id, open] : ctx.state.open_cases) {
    const Case& c = *open;
    if (c.state != CaseState::kQueued) continue;
    auto it = full_.find(c.id);
    if (it != full_.end() && it->second.agents_epoch == epoch) continue;
    Decision decision = Decide(ctx, c, candidates, ctx.now);
    decision.priority = ScorePriority(c, ctx.config, ctx.now);
    full_[c.id] = FullDecision{std::move(decision), epoch};
  }
}

void RoutingPass::RunFull(TickContext& ctx, Tally& tally) {
  std::vector<AgentCandidate> candidates;
  bool anyone_free = false;
  for (auto& [id, agent] : ctx.state.agents) {
    bool connected = ctx.desks.Connected(id);
    candidates.push_back(AgentCandidate{&agent, connected});
    if (connected && agent.presence == Presence::kAvailable) anyone_free = true;
  }
  if (!anyone_free) return ExplainWaitingFull(ctx, candidates);
  struct Waiting {
    Case* c;
    Score priority;
  };
  std::vector<Waiting> waiting;
  for (const auto& [id, open] : ctx.state.open_cases) {
    if (open->state == CaseState::kQueued) {
      waiting.push_back(Waiting{open, ScorePriority(*open, ctx.config, ctx.now)});
    }
  }
  std::sort(waiting.begin(), waiting.end(), [](const Waiting& a, const Waiting& b) {
    return RoutesBefore(a.priority, *a.c, b.priority, *b.c);
  });
  for (Waiting& w : waiting) {
    Case& c = *w.c;
    Decision decision = Decide(ctx, c, candidates, ctx.now);
    decision.priority = w.priority;
    tally.Count(decision);
    if (decision.winner) {
      Offered(ctx, c, decision, w.priority, tally);
    }
    full_[c.id] = FullDecision{std::move(decision), ctx.state.agents_epoch};
  }
}

}  // namespace caserouter
