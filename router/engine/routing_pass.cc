#include "router/engine/routing_pass.h"

#include <algorithm>
#include <array>
#include <utility>

#include "router/engine/case_lifecycle.h"
#include "router/policy/priority.h"

namespace caserouter {

const Decision* RoutingPass::LastDecision(const std::string& case_id) const {
  auto it = decisions_.find(case_id);
  return it == decisions_.end() ? nullptr : &it->second.decision;
}

void RoutingPass::Clear() {
  decisions_.clear();
  teams_.clear();
  explained_agents_epoch_ = explained_queue_version_ = ~uint64_t{0};
}

Decision RoutingPass::Decide(TickContext& ctx, const Case& c,
                             std::vector<AgentCandidate>& candidates) {
  auto team = teams_.find(c.spec.topic);
  if (team == teams_.end()) {
    team = teams_.emplace(c.spec.topic, ctx.state.records.TeamRecordFor(c.spec.topic)).first;
  }
  const TrackRecord::ByAgent& topic_quality = ctx.state.records.QualityOn(c.spec.topic);
  const TrackRecord::RelationshipsByAgent& customer_relationships =
      ctx.state.records.RelationshipsOf(c.spec.customer_id);
  for (AgentCandidate& candidate : candidates) {
    auto qi = topic_quality.find(candidate.agent->id);
    candidate.quality = qi == topic_quality.end() ? nullptr : &qi->second;
    auto ri = customer_relationships.find(candidate.agent->id);
    candidate.relationship = ri == customer_relationships.end() ? nullptr : &ri->second;
  }
  return ChooseAgent(c, candidates, team->second, ctx.config, ctx.now);
}

void RoutingPass::ExplainWaiting(TickContext& ctx, std::vector<AgentCandidate>& candidates) {
  // ExplainDecision must still say why a case waits (which agents are excluded, and why).
  // A quiet queue costs one lookup per case per tick, and a full evaluation happens only for
  // a new case or after an agent changed. When neither happened since the last such pass,
  // the pass is skipped whole (an idle tick stays cheap with a long queue).
  const uint64_t epoch = ctx.state.agents_epoch;
  if (explained_agents_epoch_ == epoch && explained_queue_version_ == ctx.state.queue_version) {
    return;
  }
  explained_agents_epoch_ = epoch;
  explained_queue_version_ = ctx.state.queue_version;
  for (const auto& [id, open] : ctx.state.open_cases) {
    const Case& c = *open;
    if (c.state != CaseState::kQueued) continue;
    auto it = decisions_.find(c.id);
    if (it != decisions_.end() && it->second.agents_epoch == epoch) continue;
    Decision decision = Decide(ctx, c, candidates);
    decision.priority = ScorePriority(c, ctx.config, ctx.now);
    decisions_[c.id] = RecordedDecision{std::move(decision), epoch};
  }
}

void RoutingPass::Run(TickContext& ctx, Clock& clock) {
  std::vector<AgentCandidate> candidates;
  bool anyone_free = false;
  for (auto& [id, agent] : ctx.state.agents) {
    bool connected = ctx.desks.Connected(id);
    candidates.push_back(AgentCandidate{&agent, connected});
    if (connected && agent.presence == Presence::kAvailable) anyone_free = true;
  }
  teams_.clear();
  if (!anyone_free) return ExplainWaiting(ctx, candidates);

  absl::Time start = clock.Now();
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
  if (waiting.empty()) return;
  std::sort(waiting.begin(), waiting.end(), [](const Waiting& a, const Waiting& b) {
    if (a.priority.total != b.priority.total) return a.priority.total > b.priority.total;
    if (a.c->enqueued_time != b.c->enqueued_time) return a.c->enqueued_time < b.c->enqueued_time;
    return a.c->id < b.c->id;
  });
  std::array<int, kExclusionCount> excluded = {};
  int sticky_hits = 0, sticky_misses = 0;
  for (Waiting& w : waiting) {
    Case& c = *w.c;
    Decision decision = Decide(ctx, c, candidates);
    decision.priority = w.priority;
    for (int i = 0; i < kExclusionCount; ++i) excluded[i] += decision.excluded_by[i];
    if (decision.winner) {
      if (!decision.relationship_agent.empty()) {
        decision.winner->agent_id == decision.relationship_agent ? ++sticky_hits
                                                                 : ++sticky_misses;
      }
      if (decision.authority_waived && !c.needs_supervisor) {
        c.needs_supervisor = true;
        ctx.Emit("supervisor_help", c.id, decision.winner->agent_id, "authority_sla_breached");
      }
      MakeOffer(ctx, c, ctx.state.agents.at(decision.winner->agent_id), w.priority);
    }
    decisions_[c.id] = RecordedDecision{std::move(decision), ctx.state.agents_epoch};
  }
  absl::Duration latency = clock.Now() - start;
  ctx.Observe([=](EngineObserver& o) {
    for (int i = 0; i < kExclusionCount; ++i) {
      if (excluded[i] > 0) o.Excluded(static_cast<Exclusion>(i), excluded[i]);
    }
    for (int i = 0; i < sticky_hits; ++i) o.StickyRouting(true);
    for (int i = 0; i < sticky_misses; ++i) o.StickyRouting(false);
    o.RoutingPass(latency);
  });
}

}  // namespace caserouter
