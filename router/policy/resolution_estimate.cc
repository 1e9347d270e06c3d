#include "router/policy/resolution_estimate.h"

#include <algorithm>
#include <cmath>

namespace caserouter {
namespace {

// Probabilities stay off 0 and 1: nobody is certain to fail or to succeed.
double Clamp(double p) { return std::clamp(p, 0.02, 0.98); }

}  // namespace

ResolutionEstimate EstimateResolution(const QualityRecord* record, const AgentRecord* overall,
                                      const TeamRecord& team, const MatchWeights& w) {
  const double n = record ? static_cast<double>(record->completed) : 0;
  const double resolved = record ? static_cast<double>(record->evidence_resolutions) : 0;
  const double team_rate = Clamp(team.resolution_rate);
  // The agent's excess on the other topics: this topic's cases are counted at the topic level
  // below, not twice.
  double excess = 0;
  if (overall != nullptr) {
    const double other_cases = std::max(0.0, overall->cases - n);
    const double other_excess = overall->excess_resolutions - (resolved - n * team_rate);
    excess = other_excess / (other_cases + std::max(w.agent_prior_strength, 1e-9));
  }
  const double prior = Clamp(team_rate + excess);
  const double k = std::max(w.prior_strength, 1e-9);
  ResolutionEstimate e;
  e.cases = n;
  e.mean = Clamp((resolved + k * prior) / (n + k));
  // Beta posterior with k pseudo-cases: sd = sqrt(p (1 - p) / (n + k + 1)).
  e.sd = std::sqrt(e.mean * (1 - e.mean) / (n + k + 1));
  e.prior_sd = std::sqrt(prior * (1 - prior) / (k + 1));
  return e;
}

}  // namespace caserouter
