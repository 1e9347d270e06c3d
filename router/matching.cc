#include "router/matching.h"

#include <algorithm>

#include "router/eligibility.h"

namespace caserouter {
namespace {

Score ScoreAgent(const Case& c, const Agent& agent, absl::Time now) {
  Score score;
  double proficiency = 0;
  for (const SkillRequirement& r : c.spec.required_skills) {
    proficiency += agent.ProficiencyOf(r.skill);
  }
  score.Add("proficiency", proficiency);
  double idle_seconds =
      agent.TotalActive() == 0 && agent.idle_since != absl::InfinitePast()
          ? std::max(0.0, absl::ToDoubleSeconds(now - agent.idle_since))
          : 0.0;
  score.Add("idle_seconds", idle_seconds);
  return score;
}

// Proficiency first, then longest idle, then fewest cases in hand, then id (determinism).
bool Better(const ScoredAgent& a, int a_load, const ScoredAgent& b, int b_load) {
  double ap = a.score.terms[0].value, bp = b.score.terms[0].value;
  if (ap != bp) return ap > bp;
  double ai = a.score.terms[1].value, bi = b.score.terms[1].value;
  if (ai != bi) return ai > bi;
  if (a_load != b_load) return a_load < b_load;
  return a.agent_id < b.agent_id;
}

}  // namespace

Decision ChooseAgent(const Case& c, const std::vector<AgentCandidate>& agents,
                     const EngineConfig& config, absl::Time now) {
  Decision d;
  d.case_id = c.id;
  d.time = now;
  d.strategy = "proficiency_then_idle";
  int best_load = 0, second_load = 0;
  for (const AgentCandidate& candidate : agents) {
    const Agent& agent = *candidate.agent;
    ++d.considered;
    if (auto why = CheckEligibility(c, agent, candidate.connected, config, now)) {
      ++d.excluded_by[static_cast<int>(*why)];
      d.excluded.emplace_back(agent.id, *why);
      continue;
    }
    ScoredAgent scored{agent.id, ScoreAgent(c, agent, now)};
    scored.score.total = scored.score.terms[0].value;
    int load = agent.TotalActive();
    if (!d.winner || Better(scored, load, *d.winner, best_load)) {
      if (d.winner) {
        d.runner_up = std::move(d.winner);
        second_load = best_load;
      }
      d.winner = std::move(scored);
      best_load = load;
    } else if (!d.runner_up || Better(scored, load, *d.runner_up, second_load)) {
      d.runner_up = std::move(scored);
      second_load = load;
    }
  }
  return d;
}

}  // namespace caserouter
