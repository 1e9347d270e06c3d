// The hierarchical estimate: thin records lean on the agent's level and the team's rate, thick
// ones on their own cases; uncertainty shrinks with evidence.
#include "router/policy/resolution_estimate.h"

#include "gtest/gtest.h"

namespace caserouter {
namespace {

QualityRecord Record(int64_t completed, int64_t resolved) {
  QualityRecord q;
  q.completed = completed;
  q.evidence_resolutions = resolved;
  return q;
}

// Ten pseudo-cases at each level, whatever the shipped defaults: the arithmetic below.
MatchWeights Ten() {
  MatchWeights w;
  w.prior_strength = 10;
  w.agent_prior_strength = 10;
  return w;
}

TeamRecord Team(double rate) {
  TeamRecord t;
  t.resolution_rate = rate;
  return t;
}

TEST(ResolutionEstimateTest, NoRecordIsTheTeamRateWithTheWidestUncertainty) {
  ResolutionEstimate e = EstimateResolution(nullptr, nullptr, Team(0.7), Ten());
  EXPECT_NEAR(e.mean, 0.7, 1e-12);
  EXPECT_NEAR(e.sd, e.prior_sd, 1e-12);
  EXPECT_EQ(e.cases, 0);
}

TEST(ResolutionEstimateTest, ThinTopicRecordsLeanOnTheAgentsLevelAcrossTopics) {
  // No case on this topic, but 200 cases elsewhere, 10 points above the team each time.
  AgentRecord strong{200, 20};
  ResolutionEstimate e = EstimateResolution(nullptr, &strong, Team(0.7), Ten());
  EXPECT_NEAR(e.mean, 0.7 + 20.0 / 210, 1e-9);
  AgentRecord weak{200, -20};
  EXPECT_NEAR(EstimateResolution(nullptr, &weak, Team(0.7), Ten()).mean, 0.7 - 20.0 / 210, 1e-9);
  // A level from a handful of cases moves the estimate little.
  AgentRecord lucky{2, 0.6};
  EXPECT_NEAR(EstimateResolution(nullptr, &lucky, Team(0.7), Ten()).mean, 0.75, 0.01);
}

TEST(ResolutionEstimateTest, TheTopicsOwnCasesAreNotCountedTwice) {
  // Every case of the agent is on this topic: the agent's level says nothing more.
  QualityRecord q = Record(50, 45);
  AgentRecord overall{50, 45 - 50 * 0.7};
  ResolutionEstimate with = EstimateResolution(&q, &overall, Team(0.7), Ten());
  ResolutionEstimate without = EstimateResolution(&q, nullptr, Team(0.7), Ten());
  EXPECT_NEAR(with.mean, without.mean, 1e-9);
  EXPECT_NEAR(without.mean, (45 + 10 * 0.7) / 60, 1e-9);
}

TEST(ResolutionEstimateTest, ThickRecordsSpeakForThemselves) {
  QualityRecord q = Record(1000, 900);
  AgentRecord weak_elsewhere{1000, -100};
  ResolutionEstimate e = EstimateResolution(&q, &weak_elsewhere, Team(0.7), Ten());
  EXPECT_NEAR(e.mean, 0.9, 0.01);
  EXPECT_LT(e.sd, 0.01);
}

TEST(ResolutionEstimateTest, StrongerPriorsShrinkHarder) {
  QualityRecord q = Record(10, 10);
  MatchWeights w = Ten();
  double loose = EstimateResolution(&q, nullptr, Team(0.7), w).mean;
  w.prior_strength = 100;
  double strict = EstimateResolution(&q, nullptr, Team(0.7), w).mean;
  EXPECT_GT(loose, strict);
  EXPECT_GT(strict, 0.7);
  EXPECT_LE(loose, 0.98);
}

}  // namespace
}  // namespace caserouter
