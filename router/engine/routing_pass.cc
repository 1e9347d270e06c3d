#include "router/engine/routing_pass.h"

#include <algorithm>
#include <optional>
#include <set>
#include <utility>

#include "router/engine/case_lifecycle.h"
#include "router/engine/pass_order.h"
#include "router/engine/queue_steps.h"
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
  by_supervisor_.clear();
  full_.clear();
  teams_.clear();
  pools_.Clear();
  pools_version_ = ~uint64_t{0};
  book_version_ = ~uint64_t{0};
  explained_agents_epoch_ = explained_queue_version_ = ~uint64_t{0};
}

void RoutingPass::Run(TickContext& ctx, Clock& clock) {
  teams_.clear();
  Tally tally;
  absl::Time start = clock.Now();
  if (ctx.config.full_routing_pass) {
    pools_.Clear();  // not kept up to date by the full pass
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

void RoutingPass::AttachRecords(TickContext& ctx, const Case& c,
                                std::vector<AgentCandidate>& candidates) {
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
}

Decision RoutingPass::Decide(TickContext& ctx, const Case& c,
                             std::vector<AgentCandidate>& candidates, absl::Time at) {
  AttachRecords(ctx, c, candidates);
  return ChooseAgent(c, candidates, TeamOf(ctx, c.spec.topic), ctx.config, at);
}

void RoutingPass::UpdatePools(TickContext& ctx) {
  DomainState& state = ctx.state;
  // waiting_stale: a new configuration (capacity costs, weights) or a recovery.
  if (pools_version_ != state.profiles_version || state.waiting_stale) {
    pools_.Clear();
    pools_version_ = state.profiles_version;
  }
  for (const std::string& id : state.agents_touched) pools_.Update(ctx, id, state.FindAgent(id));
  for (const std::string& topic : state.topics_touched) pools_.TopicChanged(topic);
  // An agent's overall record moves their estimate on every topic: the top-quality rings of
  // the pools they match are found again.
  for (const auto& [topic, agent] : state.records.changed_quality()) {
    if (const Agent* a = state.FindAgent(agent)) pools_.AgentRecordChanged(*a);
  }
}

CandidatePool RoutingPass::PoolFor(TickContext& ctx, const Case& c, const AgentPools::Pool& pool) {
  CandidatePool p;
  p.candidates.reserve(pool.able.size());
  for (Agent* a : pool.able) p.candidates.push_back(AgentCandidate{a, true});
  p.not_available = pool.present - pool.available;
  p.without_capacity = pool.available - static_cast<int>(pool.able.size());
  p.max_listed = kMaxListed;
  // Present agents of the group that the customer has a relationship with, or its previous
  // agent: few, and found from the customer's side.
  auto related = [&](const std::string& id) {
    Agent* a = ctx.state.FindAgent(id);
    if (a == nullptr || !AgentPools::Present(ctx, *a) || !pool.requirements.Matches(*a)) return;
    for (const AgentCandidate& r : p.related) {
      if (r.agent == a) return;
    }
    p.related.push_back(AgentCandidate{a, true});
  };
  for (const auto& [id, relationship] : ctx.state.records.RelationshipsOf(c.spec.customer_id)) {
    related(id);
  }
  if (!c.preferred_agent.empty()) related(c.preferred_agent);
  std::sort(
      p.related.begin(), p.related.end(),
      [](const AgentCandidate& x, const AgentCandidate& y) { return x.agent->id < y.agent->id; });
  AttachRecords(ctx, c, p.candidates);
  AttachRecords(ctx, c, p.related);
  return p;
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

bool RoutingPass::NobodyAble(TickContext& ctx, const Case& c, Tally& tally) {
  const WaitingIndex::Group* group = ctx.state.waiting.Find(c.id)->group;
  if (!pools_.For(ctx, *group->signature, group->requirements).able.empty()) return false;
  // Nobody with the skills and language can take the channel now, authority or not: the
  // policy would find nobody eligible. Its explanation is computed when asked for.
  ++tally.decided;
  ctx.state.waiting.Record(c.id, WaitReason::kNobodyEligible, ctx.now,
                           RecheckAt(ctx, c, absl::InfiniteFuture()));
  return true;
}

const Agent* RoutingPass::DecideAndAct(TickContext& ctx, Case& c, const Score& priority,
                                       Tally& tally) {
  if (NobodyAble(ctx, c, tally)) return nullptr;
  const WaitingIndex::Group* group = ctx.state.waiting.Find(c.id)->group;
  AgentPools::Pool& pool = pools_.For(ctx, *group->signature, group->requirements);
  ++tally.decided;
  const TeamRecord& team = TeamOf(ctx, c.spec.topic);
  Decision decision =
      ChooseAgentFrom(c, PoolFor(ctx, c, pool), team, ConfigFor(ctx, c, queue_configs_), ctx.now,
                      [&]() -> const std::vector<AgentCandidate>& {
                        return pools_.TopQuality(ctx, pool, c.spec.topic, team);
                      });
  decision.priority = priority;
  DescribeQueue(ctx, c, ctx.now, decision);
  for (int i = 0; i < kExclusionCount; ++i) tally.excluded[i] += decision.excluded_by[i];
  if (decision.winner) {
    Agent* agent = &ctx.state.agents.at(decision.winner->agent_id);
    Offered(ctx, c, std::move(decision), priority, tally);
    pools_.Update(ctx, agent->id, agent);  // the offer took some of the agent's capacity
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
  waiting.TouchWaitingForRing([&](const WaitingIndex::Waiting& w, absl::string_view id) {
    if (removed) return true;
    const Case* c = state.FindCase(id);
    if (state.topics_touched.count(c->spec.topic) > 0) return true;
    if (state.customers_touched.count(c->spec.customer_id) > 0) return true;
    const Requirements& r = w.group->requirements;
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
        if (ctx.now - FromNanos(enqueued) <= sla) break;
        waiting.Touch(id);
      }
    }
  }
  return streams;
}

void RoutingPass::RunIncremental(TickContext& ctx, Tally& tally) {
  DomainState& state = ctx.state;
  WaitingIndex& waiting = state.waiting;
  UpdatePools(ctx);
  state.RefreshWaiting(ctx.config);
  if (book_version_ != waiting.book_version()) {
    // Issue 16: the queues were compiled again, so the groups' requirements changed.
    pools_.Clear();
    book_version_ = waiting.book_version();
    queue_configs_ = ConfigsByQueue(ctx.config, waiting.book());
  }
  waiting.TouchDue(ctx.now);
  std::map<std::string, std::vector<const Agent*>> streams = TouchWhatChanged(ctx);
  std::vector<absl::string_view> touched = waiting.TakeTouched();
  if (touched.empty() && streams.empty()) return;
  PassOrder order(ctx);
  for (absl::string_view id : touched) {
    Case* c = state.FindCase(id);
    if (c == nullptr || c->state != CaseState::kQueued) continue;
    // A group nobody can serve now stays so for the whole pass (agents only get busier in
    // one), so its cases are decided here, in any order, without a place in the pass's
    // order: after a recovery with every desk away, a million cases cost a look each.
    if (!NobodyAble(ctx, *c, tally)) order.List(c);
  }
  for (auto& [signature, agents] : streams) order.OpenStream(signature, std::move(agents));
  while (std::optional<PassOrder::Head> head = order.Next()) {
    const Agent* offered = DecideAndAct(ctx, *head->c, head->priority, tally);
    if (offered == nullptr) continue;
    // The offer adds load to its agent, and more load can let a case waiting for its ring
    // have it after all (the occupancy cap holds over-cap agents back only while someone
    // below it is eligible). The ring waiters the agent could serve are decided again: later
    // in this pass those after this case in the order, in the next pass those before it.
    waiting.TouchWaitingForRing([&](const WaitingIndex::Waiting& w, absl::string_view id) {
      if (order.Decided(id)) return true;
      if (!w.group->requirements.Matches(*offered)) return false;
      Case* c = state.FindCase(id);
      if (PassOrder::Before(order.HeadOf(c), *head)) return true;
      order.List(c);
      return false;
    });
  }
}

void RoutingPass::RecordSupervisorDecision(Decision decision) {
  std::string id = decision.case_id;
  by_supervisor_[id] = std::move(decision);
}

absl::StatusOr<Decision> RoutingPass::Explain(TickContext& ctx, const Case& c) {
  auto not_found = [&] {
    return absl::NotFoundError(
        absl::StrCat("case_id: no routing decision for case", QuotedId(c.id), " on this replica"));
  };
  // A supervisor's choice stands for as long as the case is with the agent they chose.
  if (auto it = by_supervisor_.find(c.id); it != by_supervisor_.end()) {
    if (c.state != CaseState::kQueued && it->second.winner.has_value() &&
        it->second.winner->agent_id == c.agent_id) {
      return it->second;
    }
  }
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
    // With queues, the agents who serve the case's queue at its step (issue 16).
    const QueueBook& book = ctx.state.waiting.book();
    std::vector<AgentCandidate> everyone;
    for (auto& [id, agent] : ctx.state.agents) {
      if (!book.is_default() && !book.Serves(w->anchor, agent)) continue;
      everyone.push_back(AgentCandidate{&agent, ctx.desks.Connected(id)});
    }
    teams_.clear();
    AttachRecords(ctx, c, everyone);
    Decision d = ChooseAgent(c, everyone, TeamOf(ctx, c.spec.topic),
                             ConfigFor(ctx, c, queue_configs_), w->decided_time());
    d.priority = ScorePriority(c, ctx.config, w->decided_time());
    AddQueuePriority(ctx, c, d.priority);
    DescribeQueue(ctx, c, w->decided_time(), d);
    return d;
  }
  auto it = offered_.find(c.id);
  if (it == offered_.end()) return not_found();
  return it->second;
}

}  // namespace caserouter
