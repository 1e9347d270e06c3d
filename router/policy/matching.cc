#include "router/policy/matching.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include "router/policy/eligibility.h"

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

// Bayesian average: `prior_strength` pseudo-cases at the team's rate.
double Smoothed(double successes, double trials, double prior_rate, double prior_strength) {
  return (successes + prior_strength * prior_rate) / (trials + prior_strength);
}

double QualityTerm(const AgentCandidate& a, const TeamRecord& team, const MatchWeights& w) {
  const QualityRecord* q = a.quality;
  double fcr = Smoothed(q ? q->first_contact_resolutions : 0, q ? q->completed : 0, team.fcr_rate,
                        w.prior_strength);
  double csat =
      Smoothed(q ? q->csat_sum : 0, q ? q->csat_count : 0, team.csat_mean, w.prior_strength);
  return w.quality * (0.7 * fcr + 0.3 * (csat - 1) / 4);
}

Score ScoreOutcome(const Case& c, const AgentCandidate& a, const TeamRecord& team,
                   const EngineConfig& config, absl::Time now) {
  const MatchWeights& w = config.matching;
  const Agent& agent = *a.agent;
  Score s;
  s.Add("relationship", RelationshipStrength(a.relationship, w, now));
  if (!c.preferred_agent.empty() && c.preferred_agent == agent.id) {
    s.Add("previous_agent", w.relationship * 0.5);
  }
  s.Add("quality", QualityTerm(a, team, w));
  double cases = a.quality ? a.quality->completed : 0;
  s.Add("exploration", w.exploration / std::sqrt(1 + cases));
  s.Add("proficiency", w.proficiency * MeanProficiency(c, agent) / 10);
  s.Add("idle", w.idle * std::min(1.0, IdleSeconds(agent, now) / 600));
  s.Add("load", 0.0 - w.load * std::min(1.0, AttentionLoad(agent, config)));  // no "-0"
  return s;
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

// Still inside the bullseye bound: waited < share x (SLA - waited).
bool WithinBullseye(const Case& c, const EngineConfig& config, absl::Time now) {
  double sla = absl::ToDoubleSeconds(config.channels[ChannelIndex(c.spec.channel)].sla);
  double waited = std::max(0.0, absl::ToDoubleSeconds(now - c.enqueued_time));
  return waited < config.matching.bullseye_share * std::max(0.0, sla - waited);
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

// The bullseye ring's relationship part: the relationship or previous agent among `related`
// who are qualified for the case, in id order.
std::vector<std::string> RelationshipRing(const Case& c, const std::vector<AgentCandidate>& related,
                                          const MatchWeights& w, absl::Time now) {
  std::vector<std::string> ring;
  for (const AgentCandidate& a : related) {
    if (!PresentAndQualified(c, a)) continue;
    if (RelationshipStrength(a.relationship, w, now) > 0 || a.agent->id == c.preferred_agent) {
      ring.push_back(a.agent->id);
    }
  }
  std::sort(ring.begin(), ring.end());
  ring.erase(std::unique(ring.begin(), ring.end()), ring.end());
  return ring;
}

// The union of two sorted rings, in id order, its first `limit` ids (0: all).
std::vector<std::string> MergedRing(const std::vector<std::string>& x,
                                    const std::vector<std::string>& y, size_t limit) {
  std::vector<std::string> ring;
  auto i = x.begin(), j = y.begin();
  while ((i != x.end() || j != y.end()) && (limit == 0 || ring.size() < limit)) {
    if (j == y.end() || (i != x.end() && *i < *j)) {
      ring.push_back(*i++);
    } else {
      if (i != x.end() && *i == *j) ++i;
      ring.push_back(*j++);
    }
  }
  return ring;
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

std::vector<std::string> TopQualityRing(const std::vector<AgentCandidate>& present_qualified,
                                        const TeamRecord& team, const MatchWeights& w) {
  if (present_qualified.empty()) return {};
  std::vector<std::pair<double, const std::string*>> by_quality;
  by_quality.reserve(present_qualified.size());
  for (const AgentCandidate& a : present_qualified) {
    by_quality.emplace_back(QualityTerm(a, team, w), &a.agent->id);
  }
  auto better = [](const auto& x, const auto& y) {
    return x.first > y.first || (x.first == y.first && *x.second < *y.second);
  };
  const double lowest =
      std::min_element(by_quality.begin(), by_quality.end(), [](const auto& x, const auto& y) {
        return x.first < y.first;
      })->first;
  size_t top = std::min(by_quality.size(),
                        static_cast<size_t>(std::ceil(w.top_quality_share * by_quality.size())));
  // Only the top `top` need an order: a partial sort keeps a ring of 10,000 agents cheap.
  std::partial_sort(by_quality.begin(), by_quality.begin() + top, by_quality.end(), better);
  std::vector<std::string> ring;
  for (size_t i = 0; i < top; ++i) {
    // Only agents whose record stands out from the team's belong to the top ring; when
    // everyone is at the prior, waiting would buy nothing.
    if (by_quality[i].first > lowest) ring.push_back(*by_quality[i].second);
  }
  std::sort(ring.begin(), ring.end());
  return ring;
}

bool RingMatters(const Case& c, const EngineConfig& config, absl::Time now) {
  return config.StrategyFor(c.spec.topic) == Strategy::kOutcome && WithinBullseye(c, config, now);
}

Decision ChooseAgent(const Case& c, const std::vector<AgentCandidate>& agents,
                     const TeamRecord& team, const EngineConfig& config, absl::Time now) {
  std::vector<std::string> top;
  return ChooseAgentFrom(c, CandidatePool{agents, agents}, team, config, now,
                         [&]() -> const std::vector<std::string>& {
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
                         absl::FunctionRef<const std::vector<std::string>&()> top_quality) {
  const std::vector<AgentCandidate>& agents = pool.candidates;
  Decision d;
  d.case_id = c.id;
  d.time = now;
  d.strategy = config.StrategyFor(c.spec.topic);
  bool outcome = d.strategy == Strategy::kOutcome;

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
      Score s = outcome ? ScoreOutcome(c, a, team, config, now)
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
    // The ring matters only inside the bound; past it, skip the work of finding it.
    if (WithinBullseye(c, config, now)) {
      const std::vector<std::string>& top = top_quality();
      const std::vector<std::string> related =
          RelationshipRing(c, pool.related, config.matching, now);
      if (!top.empty() || !related.empty()) {
        d.preferred_ring = MergedRing(top, related, pool.max_listed);
        auto in_ring = [&](const std::string& id) {
          return std::binary_search(top.begin(), top.end(), id) ||
                 std::binary_search(related.begin(), related.end(), id);
        };
        std::vector<Scored> ring_only;
        for (Scored& s : eligible) {
          if (in_ring(s.scored.agent_id)) ring_only.push_back(std::move(s));
        }
        d.waiting_for_preferred = ring_only.empty() && !eligible.empty();
        eligible.swap(ring_only);
      }
    }
  }

  std::sort(eligible.begin(), eligible.end(), Better);
  if (!eligible.empty()) d.winner = eligible[0].scored;
  if (eligible.size() > 1) d.runner_up = eligible[1].scored;
  return d;
}

}  // namespace caserouter
