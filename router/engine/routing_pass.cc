#include "router/engine/routing_pass.h"

#include <algorithm>
#include <optional>
#include <set>
#include <utility>

#include "router/engine/case_lifecycle.h"
#include "router/engine/pass_order.h"
#include "router/engine/routing_tally.h"
#include "router/policy/eligibility.h"
#include "router/policy/priority.h"

namespace caserouter {
namespace {

// Stored decisions keep their agent lists short: memory per case must not grow with the
// number of agents. The counts stay whole.
constexpr size_t kMaxListed = 32;

void CapLists(Decision& d) {
  if (d.excluded.size() > kMaxListed) d.excluded.resize(kMaxListed);
  if (d.over_occupancy_cap.size() > kMaxListed) d.over_occupancy_cap.resize(kMaxListed);
  if (d.preferred_ring.size() > kMaxListed) d.preferred_ring.resize(kMaxListed);
}

bool Present(const TickContext& ctx, const Agent& a) {
  return a.presence != Presence::kOffline && ctx.desks.Connected(a.id);
}

// Could take a case of `channel` now, authority and declines aside.
bool Able(const TickContext& ctx, const Agent& a, Channel channel) {
  return a.presence == Presence::kAvailable && ctx.desks.Connected(a.id) &&
         HasCapacity(a, channel, ctx.config);
}

bool SlaBreached(const Case& c, const EngineConfig& config, absl::Time now) {
  return now - c.enqueued_time > config.channels[ChannelIndex(c.spec.channel)].sla;
}

// When time alone may turn a waiting case's "nobody" into an offer: its decline pass ending,
// its SLA breached (a case needing authority is then routed past it), the hold for its ring
// running out (`hold_until`, from the policy; InfiniteFuture() when not held).
absl::Time RecheckAt(const TickContext& ctx, const Case& c, absl::Time hold_until) {
  absl::Time at = absl::InfiniteFuture();
  if (!c.declined_by.empty() && c.declined_pass_until > ctx.now) at = c.declined_pass_until;
  const absl::Duration sla = ctx.config.channels[ChannelIndex(c.spec.channel)].sla;
  if (c.spec.authority_needed > 0 && !SlaBreached(c, ctx.config, ctx.now)) {
    at = std::min(at, c.enqueued_time + sla + absl::Nanoseconds(1));
  }
  if (hold_until != absl::InfiniteFuture()) {
    // A millisecond early, and again at every tick until it has run out, so that rounding
    // never makes the pass later than the hold's end itself.
    at = std::min(at, std::max(hold_until - absl::Milliseconds(1), ctx.now + absl::Nanoseconds(1)));
  }
  return at;
}

}  // namespace

void RoutingPass::Clear() {
  offered_.clear();
  full_.clear();
  teams_.clear();
  matching_.clear();
  matching_version_ = ~uint64_t{0};
  explained_agents_epoch_ = explained_queue_version_ = ~uint64_t{0};
}

void RoutingPass::Run(TickContext& ctx, Clock& clock) {
  teams_.clear();
  nobody_able_.clear();
  Tally tally;
  absl::Time start = clock.Now();
  if (ctx.config.full_routing_pass) {
    RunFull(ctx, tally);
    (void)ctx.state.waiting.TakeTouched();
  } else {
    RunIncremental(ctx, tally);
  }
  // What the pass changed itself (offers) needs no second look: loads only grew.
  ctx.state.agents_touched.clear();
  ctx.state.topics_touched.clear();
  ctx.state.customers_touched.clear();
  decided_last_pass_ = tally.decided;
  if (tally.decided == 0) return;
  absl::Duration latency = clock.Now() - start;
  ctx.Observe([tally, latency](EngineObserver& o) {
    for (int i = 0; i < kExclusionCount; ++i) {
      if (tally.excluded[i] > 0) o.Excluded(static_cast<Exclusion>(i), tally.excluded[i]);
    }
    for (int i = 0; i < tally.sticky_hits; ++i) o.StickyRouting(true);
    for (int i = 0; i < tally.sticky_misses; ++i) o.StickyRouting(false);
    o.RoutingPass(latency);
  });
}

const TeamRecord& RoutingPass::TeamOf(TickContext& ctx, const std::string& topic) {
  auto team = teams_.find(topic);
  if (team == teams_.end()) {
    team = teams_.emplace(topic, ctx.state.records.TeamRecordFor(topic)).first;
  }
  return team->second;
}

Decision RoutingPass::Decide(TickContext& ctx, const Case& c,
                             std::vector<AgentCandidate>& candidates, absl::Time at) {
  const TrackRecord::ByAgent& topic_quality = ctx.state.records.QualityOn(c.spec.topic);
  const TrackRecord::RelationshipsByAgent& customer_relationships =
      ctx.state.records.RelationshipsOf(c.spec.customer_id);
  for (AgentCandidate& candidate : candidates) {
    auto qi = topic_quality.find(candidate.agent->id);
    candidate.quality = qi == topic_quality.end() ? nullptr : &qi->second;
    auto ri = customer_relationships.find(candidate.agent->id);
    candidate.relationship = ri == customer_relationships.end() ? nullptr : &ri->second;
    candidate.overall = ctx.state.records.AgentOverall(candidate.agent->id);
  }
  return ChooseAgent(c, candidates, TeamOf(ctx, c.spec.topic), ctx.config, at);
}

const std::vector<Agent*>& RoutingPass::MatchingAgents(TickContext& ctx,
                                                       const std::string& signature,
                                                       const Requirements& requirements) {
  if (matching_version_ != ctx.state.profiles_version) {
    matching_.clear();
    matching_version_ = ctx.state.profiles_version;
  }
  auto it = matching_.find(signature);
  if (it != matching_.end()) return it->second;
  std::vector<Agent*>& agents = matching_[signature];
  for (auto& [id, agent] : ctx.state.agents) {
    if (requirements.Matches(agent)) agents.push_back(&agent);
  }
  return agents;
}

std::vector<AgentCandidate> RoutingPass::Candidates(TickContext& ctx, const Case& c,
                                                    const std::vector<Agent*>& agents) {
  (void)c;
  std::vector<AgentCandidate> candidates;
  candidates.reserve(agents.size());
  for (Agent* agent : agents) {
    if (Present(ctx, *agent)) candidates.push_back(AgentCandidate{agent, true});
  }
  return candidates;
}

void RoutingPass::Offered(TickContext& ctx, Case& c, Decision decision, const Score& priority,
                          Tally& tally) {
  if (!decision.relationship_agent.empty()) {
    decision.winner->agent_id == decision.relationship_agent ? ++tally.sticky_hits
                                                             : ++tally.sticky_misses;
  }
  if (decision.authority_waived && !c.needs_supervisor) {
    c.needs_supervisor = true;
    ctx.Emit("supervisor_help", c.id, decision.winner->agent_id, "authority_sla_breached");
  }
  MakeOffer(ctx, c, ctx.state.agents.at(decision.winner->agent_id), priority);
  CapLists(decision);
  offered_[c.id] = std::move(decision);
}

const Agent* RoutingPass::DecideAndAct(TickContext& ctx, Case& c, const Score& priority,
                                       Tally& tally) {
  const WaitingIndex::Waiting* waiting = ctx.state.waiting.Find(c.id);
  const WaitingIndex::Group* group = ctx.state.waiting.FindGroup(waiting->group);
  const std::vector<Agent*>& matching = MatchingAgents(ctx, waiting->group, group->requirements);
  // Within a pass agents only get busier, so a group nobody could serve stays so: after a
  // recovery (every desk still away) a million cases cost one look at the agents per group.
  bool anyone_able = nobody_able_.count(waiting->group) == 0 &&
                     std::any_of(matching.begin(), matching.end(),
                                 [&](const Agent* a) { return Able(ctx, *a, c.spec.channel); });
  if (!anyone_able) nobody_able_.insert(waiting->group);
  ++tally.decided;
  if (!anyone_able) {
    // Nobody with the skills and language can take the channel now, authority or not: the
    // policy would find nobody eligible. Its explanation is computed when asked for.
    ctx.state.waiting.Record(c.id, WaitReason::kNobodyEligible, ctx.now,
                             RecheckAt(ctx, c, absl::InfiniteFuture()));
    return nullptr;
  }
  std::vector<AgentCandidate> candidates = Candidates(ctx, c, matching);
  Decision decision = Decide(ctx, c, candidates, ctx.now);
  decision.priority = priority;
  for (int i = 0; i < kExclusionCount; ++i) tally.excluded[i] += decision.excluded_by[i];
  if (decision.winner) {
    const Agent* agent = &ctx.state.agents.at(decision.winner->agent_id);
    Offered(ctx, c, std::move(decision), priority, tally);
    return agent;
  }
  const bool for_ring = decision.waiting_for_preferred;
  ctx.state.waiting.Record(
      c.id, for_ring ? WaitReason::kWaitingForRing : WaitReason::kNobodyEligible, ctx.now,
      RecheckAt(ctx, c, for_ring ? decision.hold_until : absl::InfiniteFuture()));
  return nullptr;
}

std::map<std::string, std::vector<const Agent*>> RoutingPass::TouchWhatChanged(TickContext& ctx) {
  std::map<std::string, std::vector<const Agent*>> streams;
  DomainState& state = ctx.state;
  if (state.agents_touched.empty() && state.topics_touched.empty() &&
      state.customers_touched.empty()) {
    return streams;
  }
  std::vector<const Agent*> changed;
  bool removed = false;
  for (const std::string& id : state.agents_touched) {
    if (const Agent* a = state.FindAgent(id)) {
      changed.push_back(a);
    } else {
      removed = true;  // a ring may have lost its member
    }
  }
  WaitingIndex& waiting = state.waiting;
  // Cases waiting for their ring depend on every agent who could be in it, on the topic's
  // records (who is top quality) and on the customer's relationships.
  waiting.TouchWaitingForRing([&](const WaitingIndex::Waiting& w, const std::string& id) {
    if (removed) return true;
    const Case* c = state.FindCase(id);
    if (state.topics_touched.count(c->spec.topic) > 0) return true;
    if (state.customers_touched.count(c->spec.customer_id) > 0) return true;
    const Requirements& r = waiting.FindGroup(w.group)->requirements;
    return std::any_of(changed.begin(), changed.end(),
                       [&](const Agent* a) { return r.Matches(*a); });
  });
  // An agent able to take a group's cases now: its cases in priority order until the agent
  // is taken (an agent without the group's authority only for cases past their SLA).
  for (const auto& [signature, group] : waiting.groups()) {
    const Requirements& r = group.requirements;
    for (const Agent* a : changed) {
      if (!r.Matches(*a) || !Able(ctx, *a, r.channel)) continue;
      if (a->authority_limit >= r.authority_needed) {
        streams[signature].push_back(a);
        continue;
      }
      const absl::Duration sla = ctx.config.channels[ChannelIndex(r.channel)].sla;
      for (const auto& [enqueued, id] : group.by_age) {
        if (ctx.now - enqueued <= sla) break;
        waiting.Touch(id);
      }
    }
  }
  return streams;
}

void RoutingPass::RunIncremental(TickContext& ctx, Tally& tally) {
  DomainState& state = ctx.state;
  WaitingIndex& waiting = state.waiting;
  state.RefreshWaiting(ctx.config);
  waiting.TouchDue(ctx.now);
  std::map<std::string, std::vector<const Agent*>> streams = TouchWhatChanged(ctx);
  std::vector<std::string> touched = waiting.TakeTouched();
  if (touched.empty() && streams.empty()) return;
  PassOrder order(ctx);
  for (const std::string& id : touched) {
    Case* c = state.FindCase(id);
    if (c != nullptr && c->state == CaseState::kQueued) order.List(c);
  }
  for (auto& [signature, agents] : streams) order.OpenStream(signature, std::move(agents));
  while (std::optional<PassOrder::Head> head = order.Next()) {
    const Agent* offered = DecideAndAct(ctx, *head->c, head->priority, tally);
    if (offered == nullptr) continue;
    // The offer adds load to its agent, and more load can let a case waiting for its ring
    // have it after all (the occupancy cap holds over-cap agents back only while someone
    // below it is eligible). The ring waiters the agent could serve are decided again: later
    // in this pass those after this case in the order, in the next pass those before it.
    waiting.TouchWaitingForRing([&](const WaitingIndex::Waiting& w, const std::string& id) {
      if (order.Decided(id)) return true;
      if (!waiting.FindGroup(w.group)->requirements.Matches(*offered)) return false;
      Case* c = state.FindCase(id);
      if (PassOrder::Before(order.HeadOf(c), *head)) return true;
      order.List(c);
      return false;
    });
  }
}

absl::StatusOr<Decision> RoutingPass::Explain(TickContext& ctx, const Case& c) {
  auto not_found = [&] {
    return absl::NotFoundError(
        absl::StrCat("case_id: no routing decision for case", QuotedId(c.id), " on this replica"));
  };
  if (ctx.config.full_routing_pass) {
    auto it = full_.find(c.id);
    if (it == full_.end()) return not_found();
    return it->second.decision;
  }
  if (c.state == CaseState::kQueued) {
    const WaitingIndex::Waiting* w = ctx.state.waiting.Find(c.id);
    if (w == nullptr || w->reason == WaitReason::kUndecided) return not_found();
    // Nothing it depends on changed since its last decision (or it would have been decided
    // again), so deciding it now over every agent, at that time, says why it waits.
    std::vector<AgentCandidate> everyone;
    for (auto& [id, agent] : ctx.state.agents) {
      everyone.push_back(AgentCandidate{&agent, ctx.desks.Connected(id)});
    }
    teams_.clear();
    Decision d = Decide(ctx, c, everyone, w->decided);
    d.priority = ScorePriority(c, ctx.config, w->decided);
    return d;
  }
  auto it = offered_.find(c.id);
  if (it == offered_.end()) return not_found();
  return it->second;
}

}  // namespace caserouter
