#include "router/engine/agent_pools.h"

#include "router/policy/eligibility.h"
#include "router/policy/matching.h"

namespace caserouter {

bool AgentPools::Present(const TickContext& ctx, const Agent& a) {
  return a.presence != Presence::kOffline && ctx.desks.Connected(a.id);
}

AgentPools::Status AgentPools::StatusOf(const TickContext& ctx, const Agent& a) {
  Status s;
  s.present = Present(ctx, a);
  s.available = s.present && a.presence == Presence::kAvailable;
  if (s.available) {
    for (Channel ch : kAllChannels) s.able[ChannelIndex(ch)] = HasCapacity(a, ch, ctx.config);
  }
  return s;
}

void AgentPools::Count(Pool& pool, Agent* agent, const Status& s, int sign) {
  pool.present += sign * s.present;
  pool.available += sign * s.available;
  if (!s.able[ChannelIndex(pool.requirements.channel)]) return;
  if (sign > 0) {
    pool.able.insert(agent);
  } else {
    pool.able.erase(agent);
  }
}

AgentPools::Pool& AgentPools::For(const TickContext& ctx, const std::string& signature,
                                  const Requirements& r) {
  auto it = pools_.find(signature);
  if (it != pools_.end()) return it->second;
  Pool& pool = pools_[signature];
  pool.requirements = r;
  for (auto& [id, agent] : ctx.state.agents) {
    if (!r.Matches(agent)) continue;
    // Agent records are std::map nodes: they do not move while the pool lives (a removal
    // changes the profiles, and the pools are cleared).
    Agent* a = &agent;
    pool.matching.push_back(a);
    auto [status, inserted] = statuses_.try_emplace(id, Status{});
    if (inserted) status->second = StatusOf(ctx, agent);
    Count(pool, a, status->second, +1);
  }
  return pool;
}

void AgentPools::Update(const TickContext& ctx, const std::string& agent_id, Agent* agent) {
  auto it = statuses_.find(agent_id);
  const Status before = it == statuses_.end() ? Status{} : it->second;
  const Status now = agent == nullptr ? Status{} : StatusOf(ctx, *agent);
  if (agent == nullptr) {
    if (it != statuses_.end()) statuses_.erase(it);
  } else {
    statuses_[agent_id] = now;
  }
  if (before == now || agent == nullptr) return;
  for (auto& [signature, pool] : pools_) {
    if (!pool.requirements.Matches(*agent)) continue;
    Count(pool, agent, before, -1);
    Count(pool, agent, now, +1);
    if (before.present != now.present) pool.top_quality.clear();  // the ring's members
  }
}

void AgentPools::TopicChanged(const std::string& topic) {
  for (auto& [signature, pool] : pools_) pool.top_quality.erase(topic);
}

void AgentPools::AgentRecordChanged(const Agent& agent) {
  for (auto& [signature, pool] : pools_) {
    if (pool.requirements.Matches(agent)) pool.top_quality.clear();
  }
}

const std::vector<AgentCandidate>& AgentPools::TopQuality(const TickContext& ctx, Pool& pool,
                                                          const std::string& topic,
                                                          const TeamRecord& team) {
  auto it = pool.top_quality.find(topic);
  if (it != pool.top_quality.end()) return it->second;
  const TrackRecord::ByAgent& quality = ctx.state.records.QualityOn(topic);
  std::vector<AgentCandidate> present_qualified;
  for (Agent* a : pool.matching) {
    auto s = statuses_.find(a->id);
    if (s == statuses_.end() || !s->second.present) continue;
    if (a->authority_limit < pool.requirements.authority_needed) continue;
    auto q = quality.find(a->id);
    present_qualified.push_back(AgentCandidate{a, true, q == quality.end() ? nullptr : &q->second,
                                               nullptr, ctx.state.records.AgentOverall(a->id)});
  }
  return pool.top_quality[topic] = TopQualityRing(present_qualified, team, ctx.config.matching);
}

void AgentPools::Clear() {
  pools_.clear();
  statuses_.clear();
}

}  // namespace caserouter
