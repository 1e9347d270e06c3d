#include "router/policy/matching.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include "router/policy/benchmark_arms.h"
#include "router/policy/eligibility.h"
#include "router/policy/hold_policy.h"
#include "router/policy/resolution_estimate.h"

namespace caserouter {
namespace {

constexpr double kNever = 1e9;  // seconds since "never": sorts before any real time

double IdleSeconds(const Agent& agent, absl::Time now) {
  if (agent.TotalActive() > 0 || agent.idle_since == absl::InfinitePast()) return 0;
  return std::max(0.0, absl::ToDoubleSeconds(now - agent.idle_since));
}

double MeanProficiency(const Case& c, const Agent& agent) {
  if (c.spec.required_skills.empty()) return 0;
  double sum = 0;
  for (const SkillRequirement& r : c.spec.required_skills) sum += agent.ProficiencyOf(r.skill);
  return sum / c.spec.required_skills.size();
}

// The relationship counts from the case's arrival, so that a decision to hold does not
// drift while the case waits (the engine re-decides a held case only when its inputs change).
double RelationshipAt(const Case& c, const AgentCandidate& a, const MatchWeights& w) {
  return RelationshipStrength(a.relationship, w, c.enqueued_time);
}

double PreviousAgent(const Case& c, const AgentCandidate& a, const MatchWeights& w) {
  return !c.preferred_agent.empty() && c.preferred_agent == a.agent->id ? w.relationship * 0.5 : 0;
}

// The agent's chance of resolving this case: the estimate on the topic plus what the
// customer's history with the agent adds, in probability.
ResolutionView ResolutionOf(const Case& c, const AgentCandidate& a, const TeamRecord& team,
                            const MatchWeights& w, ResolutionEstimate* estimate = nullptr) {
  ResolutionEstimate e = EstimateResolution(a.quality, a.overall, team, w);
  if (estimate) *estimate = e;
  const double scale = w.quality > 0 ? w.quality : 100;
  return ResolutionView{e.mean + (RelationshipAt(c, a, w) + PreviousAgent(c, a, w)) / scale, e.sd};
}

Score ScoreOutcome(const Case& c, const AgentCandidate& a, const TeamRecord& team,
                   const EngineConfig& config, absl::Time now) {
  const MatchWeights& w = config.matching;
  const Agent& agent = *a.agent;
  ResolutionEstimate e;
  ResolutionOf(c, a, team, w, &e);
  Score s;
  s.Add("relationship", RelationshipAt(c, a, w));
  if (double previous = PreviousAgent(c, a, w); previous > 0) s.Add("previous_agent", previous);
  s.Add("quality", w.quality * e.mean);
  s.Add("exploration", w.exploration * std::min(1.0, e.sd / std::max(e.prior_sd, 1e-9)));
  s.Add("proficiency", w.proficiency * MeanProficiency(c, agent) / 10);
  s.Add("idle", w.idle * std::min(1.0, IdleSeconds(agent, now) / 600));
  s.Add("load", 0.0 - w.load * std::min(1.0, AttentionLoad(agent, config)));  // no "-0"
  return s;
}

double TermOf(const Score& s, absl::string_view name) {
  for (const ScoreTerm& t : s.terms) {
    if (t.name == name) return t.value;
  }
  return 0;
}

Score ScoreClassic(Strategy strategy, const AgentCandidate& a, const TeamRecord& team,
                   const EngineConfig& config, absl::Time now) {
  const Agent& agent = *a.agent;
  Score s;
  switch (strategy) {
    case Strategy::kLongestIdle:
      s.Add("idle_seconds", IdleSeconds(agent, now));
      break;
    case Strategy::kRoundRobin:
      s.Add("seconds_since_last_offer", agent.last_offer_time == absl::InfinitePast()
                                            ? kNever
                                            : absl::ToDoubleSeconds(now - agent.last_offer_time));
      break;
    case Strategy::kLeastOccupied:
      s.Add("load", 0.0 - AttentionLoad(agent, config));
      s.Add("idle_tiebreak", 1e-6 * IdleSeconds(agent, now));
      break;
    case Strategy::kFastestHandle: {
      const QualityRecord* q = a.quality;
      double mean = q && q->completed > 0
                        ? static_cast<double>(q->handle_seconds_sum) / q->completed
                        : team.mean_handle_seconds;
      s.Add("mean_handle_seconds_negated", -mean);
      break;
    }
    case Strategy::kOutcome:
      break;
  }
  return s;
}

// The simulator's all-knowing bound: the true resolution probability, idle time breaking ties.
Score ScoreOracle(const Case& c, const AgentCandidate& a, const EngineConfig& config,
                  absl::Time now) {
  Score s;
  s.Add("true_resolution",
        config.oracle->Probability(a.agent->id, c.spec.topic, c.spec.customer_id));
  s.Add("idle_tiebreak", 1e-9 * IdleSeconds(*a.agent, now));
  return s;
}

struct Scored {
  const AgentCandidate* candidate;
  ScoredAgent scored;
  bool over_cap;
};

bool Better(const Scored& a, const Scored& b) {
  if (a.scored.score.total != b.scored.score.total) {
    return a.scored.score.total > b.scored.score.total;
  }
  int la = a.candidate->agent->TotalActive(), lb = b.candidate->agent->TotalActive();
  if (la != lb) return la < lb;
  return a.scored.agent_id < b.scored.agent_id;
}

bool SlaBreached(const Case& c, const EngineConfig& config, absl::Time now) {
  return now - c.enqueued_time > config.channels[ChannelIndex(c.spec.channel)].sla;
}

// Agents who could take the case but for their present load or presence: on the case's
// skills, language and authority, connected and not offline.
bool PresentAndQualified(const Case& c, const AgentCandidate& a) {
  if (!a.connected || a.agent->presence == Presence::kOffline) return false;
  for (const SkillRequirement& r : c.spec.required_skills) {
    if (a.agent->ProficiencyOf(r.skill) < r.min_proficiency) return false;
  }
  if (!c.spec.language.empty() && !a.agent->Speaks(c.spec.language)) return false;
  return c.spec.authority_needed <= a.agent->authority_limit;
}

// The customer's strongest relationship among the candidates (or the previous agent).
std::string RelationshipAgent(const Case& c, const std::vector<AgentCandidate>& agents,
                              const MatchWeights& w, absl::Time now) {
  std::string best_id;
  double best = 0;
  for (const AgentCandidate& a : agents) {
    if (a.relationship == nullptr) continue;
    double strength = RelationshipStrength(a.relationship, w, now);
    if (strength > best) {
      best = strength;
      best_id = a.agent->id;
    }
  }
  return best_id.empty() ? c.preferred_agent : best_id;
}

// The preferred ring: the relationship or previous agent among `related` (qualified for the
// case) and the top-quality agents, each once (its `related` entry, with the relationship),
// in id order, with each one's resolution.
std::vector<std::pair<const AgentCandidate*, ResolutionView>> PreferredRing(
    const Case& c, const std::vector<AgentCandidate>& related,
    const std::vector<AgentCandidate>& top, const TeamRecord& team, const MatchWeights& w) {
  std::vector<std::pair<const AgentCandidate*, ResolutionView>> ring;
  for (const AgentCandidate& a : related) {
    if (!PresentAndQualified(c, a)) continue;
    if (RelationshipAt(c, a, w) > 0 || a.agent->id == c.preferred_agent) {
      ring.emplace_back(&a, ResolutionOf(c, a, team, w));
    }
  }
  for (const AgentCandidate& a : top) {
    auto in_related = std::find_if(related.begin(), related.end(),
                                   [&](const AgentCandidate& r) { return r.agent == a.agent; });
    const AgentCandidate* entry = in_related != related.end() ? &*in_related : &a;
    ring.emplace_back(entry, ResolutionOf(c, *entry, team, w));
  }
  std::sort(ring.begin(), ring.end(),
            [](const auto& x, const auto& y) { return x.first->agent->id < y.first->agent->id; });
  ring.erase(
      std::unique(ring.begin(), ring.end(),
                  [](const auto& x, const auto& y) { return x.first->agent == y.first->agent; }),
      ring.end());
  return ring;
}

// When a ring agent who cannot take the case now is expected to be able to: at the end of
// their wrap-up; after about a mean handle time and a wrap-up when busy with cases; never
// known for an agent away or who declined the case.
bool HoldTiming(const Case& c, const Agent& agent, const TeamRecord& team,
                const EngineConfig& config, absl::Time now, HoldCandidate* out) {
  if (std::find(c.declined_by.begin(), c.declined_by.end(), agent.id) != c.declined_by.end() &&
      c.declined_pass_until > now) {
    return false;
  }
  const ChannelConfig& channel = config.channels[ChannelIndex(c.spec.channel)];
  if (agent.presence == Presence::kWrapUp && agent.TotalActive() == 0) {
    out->free_at = std::max(now, agent.wrap_up_until);
    return true;
  }
  if (agent.presence == Presence::kAvailable || agent.presence == Presence::kWrapUp) {
    out->expected_wait = absl::Seconds(std::max(0.0, team.mean_handle_seconds)) + channel.wrap_up;
    return true;
  }
  return false;
}

}  // namespace

double RelationshipStrength(const Relationship* r, const MatchWeights& w, absl::Time now) {
  if (r == nullptr || r->cases <= 0 || r->resolved <= 0) return 0;
  if (r->last_csat > 0 && r->last_csat <= w.low_csat) return 0;
  double age = std::max(0.0, absl::ToDoubleSeconds(now - r->last_contact));
  double half_life = std::max(1.0, absl::ToDoubleSeconds(w.relationship_half_life));
  return w.relationship * (static_cast<double>(r->resolved) / r->cases) *
         std::exp2(-age / half_life);
}

std::vector<AgentCandidate> TopQualityRing(const std::vector<AgentCandidate>& present_qualified,
                                           const TeamRecord& team, const MatchWeights& w) {
  if (present_qualified.empty()) return {};
  std::vector<std::pair<double, const AgentCandidate*>> by_estimate;
  by_estimate.reserve(present_qualified.size());
  for (const AgentCandidate& a : present_qualified) {
    by_estimate.emplace_back(EstimateResolution(a.quality, a.overall, team, w).mean, &a);
  }
  auto better = [](const auto& x, const auto& y) {
    return x.first > y.first || (x.first == y.first && x.second->agent->id < y.second->agent->id);
  };
  const double lowest =
      std::min_element(by_estimate.begin(), by_estimate.end(), [](const auto& x, const auto& y) {
        return x.first < y.first;
      })->first;
  size_t top = std::min(by_estimate.size(),
                        static_cast<size_t>(std::ceil(w.top_quality_share * by_estimate.size())));
  // Only the top `top` need an order: a partial sort keeps a ring of 10,000 agents cheap.
  std::partial_sort(by_estimate.begin(), by_estimate.begin() + top, by_estimate.end(), better);
  std::vector<AgentCandidate> ring;
  for (size_t i = 0; i < top; ++i) {
    // Only agents whose estimate stands out from the team's belong to the top ring; when
    // everyone is at the prior, waiting would buy nothing.
    if (by_estimate[i].first > lowest) ring.push_back(*by_estimate[i].second);
  }
  std::sort(ring.begin(), ring.end(), [](const AgentCandidate& x, const AgentCandidate& y) {
    return x.agent->id < y.agent->id;
  });
  return ring;
}

bool RingMatters(const Case& c, const EngineConfig& config, absl::Time now) {
  return config.oracle == nullptr && StrategyOf(c, config) == Strategy::kOutcome &&
         now < HoldBound(c.enqueued_time, config.channels[ChannelIndex(c.spec.channel)].sla,
                         config.matching.bullseye_share);
}

Decision ChooseAgent(const Case& c, const std::vector<AgentCandidate>& agents,
                     const TeamRecord& team, const EngineConfig& config, absl::Time now) {
  std::vector<AgentCandidate> top;
  return ChooseAgentFrom(c, CandidatePool{agents, agents}, team, config, now,
                         [&]() -> const std::vector<AgentCandidate>& {
                           std::vector<AgentCandidate> present_qualified;
                           for (const AgentCandidate& a : agents) {
                             if (PresentAndQualified(c, a)) present_qualified.push_back(a);
                           }
                           top = TopQualityRing(present_qualified, team, config.matching);
                           return top;
                         });
}

Decision ChooseAgentFrom(const Case& c, const CandidatePool& pool, const TeamRecord& team,
                         const EngineConfig& config, absl::Time now,
                         absl::FunctionRef<const std::vector<AgentCandidate>&()> top_quality) {
  const std::vector<AgentCandidate>& agents = pool.candidates;
  Decision d;
  d.case_id = c.id;
  d.time = now;
  d.strategy = StrategyOf(c, config);
  if (ActiveArmOf(c, config) != nullptr) d.arm = c.arm;
  const bool oracle = config.oracle != nullptr;
  bool outcome = !oracle && d.strategy == Strategy::kOutcome;

  auto collect = [&](bool check_authority) {
    std::vector<Scored> eligible;
    for (const AgentCandidate& a : agents) {
      if (auto why = CheckEligibility(c, *a.agent, a.connected, config, now, check_authority)) {
        if (check_authority) {
          ++d.excluded_by[static_cast<int>(*why)];
          d.excluded.emplace_back(a.agent->id, *why);
        }
        continue;
      }
      Score s = oracle    ? ScoreOracle(c, a, config, now)
                : outcome ? ScoreOutcome(c, a, team, config, now)
                          : ScoreClassic(d.strategy, a, team, config, now);
      // The cap applies to the load the agent would carry with this case.
      bool over_cap =
          outcome && AttentionLoad(*a.agent, config) +
                             config.channels[ChannelIndex(c.spec.channel)].capacity_cost >
                         config.matching.occupancy_cap + 1e-9;
      eligible.push_back(Scored{&a, ScoredAgent{a.agent->id, std::move(s)}, over_cap});
    }
    return eligible;
  };
  d.considered = static_cast<int>(agents.size()) + pool.not_available + pool.without_capacity;
  d.excluded_by[static_cast<int>(Exclusion::kPresence)] += pool.not_available;
  d.excluded_by[static_cast<int>(Exclusion::kCapacity)] += pool.without_capacity;
  std::vector<Scored> eligible = collect(/*check_authority=*/true);
  if (eligible.empty() && c.spec.authority_needed > 0 && SlaBreached(c, config, now)) {
    eligible = collect(/*check_authority=*/false);
    d.authority_waived = !eligible.empty();
  }

  if (outcome) {
    // Occupancy cap: hold back agents above it while someone below it is eligible.
    bool anyone_below =
        std::any_of(eligible.begin(), eligible.end(), [](const Scored& s) { return !s.over_cap; });
    if (anyone_below) {
      std::vector<Scored> kept;
      for (Scored& s : eligible) {
        if (s.over_cap) {
          d.over_occupancy_cap.push_back(s.scored.agent_id);
        } else {
          kept.push_back(std::move(s));
        }
      }
      eligible.swap(kept);
    }
    d.relationship_agent = RelationshipAgent(c, pool.related, config.matching, now);
    const MatchWeights& w = config.matching;
    const ChannelConfig& channel = config.channels[ChannelIndex(c.spec.channel)];
    // The ring matters only inside the bound, and only when someone is free to compare it
    // with; past the bound, skip the work of finding it.
    if (!eligible.empty() && RingMatters(c, config, now)) {
      std::vector<std::pair<const AgentCandidate*, ResolutionView>> ring =
          PreferredRing(c, pool.related, top_quality(), team, w);
      HoldContext hold;
      hold.now = now;
      hold.enqueued = c.enqueued_time;
      hold.sla = channel.sla;
      hold.best_free.mean = -1;
      for (const Scored& s : eligible) {
        ResolutionView r = ResolutionOf(c, *s.candidate, team, w);
        if (r.mean > hold.best_free.mean) hold.best_free = r;
      }
      hold.failure_cost_seconds = w.hold_failure_cost * std::max(0.0, team.mean_handle_seconds);
      hold.confidence = w.hold_confidence;
      hold.bullseye_share = w.bullseye_share;
      std::vector<HoldCandidate> waitable;
      for (const auto& [candidate, resolution] : ring) {
        d.preferred_ring.push_back(candidate->agent->id);
        const bool free = std::any_of(eligible.begin(), eligible.end(),
                                      [&](const Scored& s) { return s.candidate == candidate; });
        const bool held_back = std::find(d.over_occupancy_cap.begin(), d.over_occupancy_cap.end(),
                                         candidate->agent->id) != d.over_occupancy_cap.end();
        HoldCandidate h;
        h.agent_id = candidate->agent->id;
        h.resolution = resolution;
        if (free || held_back || !HoldTiming(c, *candidate->agent, team, config, now, &h)) {
          continue;
        }
        waitable.push_back(std::move(h));
      }
      HoldDecision decision = DecideHold(hold, waitable);
      if (decision.hold) {
        d.waiting_for_preferred = true;
        d.held_for = decision.agent_id;
        d.hold_until = decision.until;
        d.hold_gain_seconds = decision.gain_seconds;
        d.hold_cost_seconds = decision.cost_seconds;
        eligible.clear();
      }
    }
  }

  std::sort(eligible.begin(), eligible.end(), Better);
  if (!eligible.empty()) d.winner = eligible[0].scored;
  if (eligible.size() > 1) d.runner_up = eligible[1].scored;
  if (outcome && eligible.size() > 1) {
    // Would the estimates alone have chosen someone else?
    auto exploit = [](const Scored& s) {
      return s.scored.score.total - TermOf(s.scored.score, "exploration");
    };
    const Scored* best = &eligible[0];
    for (const Scored& s : eligible) {
      if (exploit(s) > exploit(*best)) best = &s;
    }
    if (best != &eligible[0] && exploit(*best) > exploit(eligible[0])) {
      d.explored = true;
      d.exploit_choice = best->scored.agent_id;
    }
  }
  return d;
}

}  // namespace caserouter
