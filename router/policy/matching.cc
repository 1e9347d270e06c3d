#include "router/policy/matching.h"

#include <algorithm>
#include <cmath>

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

// The bullseye ring: the relationship or previous agent and the top-quality agents present.
std::vector<std::string> PreferredRing(const Case& c, const std::vector<AgentCandidate>& agents,
                                       const TeamRecord& team, const EngineConfig& config,
                                       absl::Time now) {
  const MatchWeights& w = config.matching;
  std::vector<std::string> ring;
  std::vector<std::pair<double, std::string>> by_quality;
  for (const AgentCandidate& a : agents) {
    if (!PresentAndQualified(c, a)) continue;
    if (RelationshipStrength(a.relationship, w, now) > 0 || a.agent->id == c.preferred_agent) {
      ring.push_back(a.agent->id);
    }
    by_quality.emplace_back(QualityTerm(a, team, w), a.agent->id);
  }
  std::sort(by_quality.begin(), by_quality.end(), [](const auto& x, const auto& y) {
    return x.first > y.first || (x.first == y.first && x.second < y.second);
  });
  size_t top = static_cast<size_t>(std::ceil(w.top_quality_share * by_quality.size()));
  for (size_t i = 0; i < top && i < by_quality.size(); ++i) {
    // Only agents whose record stands out from the team's belong to the top ring; when
    // everyone is at the prior, waiting would buy nothing.
    if (by_quality[i].first > by_quality.back().first) ring.push_back(by_quality[i].second);
  }
  std::sort(ring.begin(), ring.end());
  ring.erase(std::unique(ring.begin(), ring.end()), ring.end());
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

Decision ChooseAgent(const Case& c, const std::vector<AgentCandidate>& agents,
                     const TeamRecord& team, const EngineConfig& config, absl::Time now) {
  Decision d;
  d.case_id = c.id;
  d.time = now;
  d.strategy = config.StrategyFor(c.spec.topic);
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
  d.considered = static_cast<int>(agents.size());
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
    d.relationship_agent = RelationshipAgent(c, agents, config.matching, now);
    // The ring matters only inside the bound; past it, skip the work of finding it.
    if (WithinBullseye(c, config, now)) {
      d.preferred_ring = PreferredRing(c, agents, team, config, now);
    }
    if (!d.preferred_ring.empty()) {
      std::vector<Scored> ring_only;
      for (Scored& s : eligible) {
        if (std::binary_search(d.preferred_ring.begin(), d.preferred_ring.end(),
                               s.scored.agent_id)) {
          ring_only.push_back(std::move(s));
        }
      }
      d.waiting_for_preferred = ring_only.empty() && !eligible.empty();
      eligible.swap(ring_only);
    }
  }

  std::sort(eligible.begin(), eligible.end(), Better);
  if (!eligible.empty()) d.winner = eligible[0].scored;
  if (eligible.size() > 1) d.runner_up = eligible[1].scored;
  return d;
}

}  // namespace caserouter
