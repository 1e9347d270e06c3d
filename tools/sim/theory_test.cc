// The simulator against queueing theory: the real engine, driven on a virtual clock through a
// single-skill phone queue, must agree with Erlang C and Erlang A (computed by erlang.h, not
// copied) within the simulation's confidence interval, across several loads. Short runs, fixed
// seeds: deterministic.
#include <cmath>

#include "gtest/gtest.h"
#include "router/model/engine_config.h"
#include "tools/sim/erlang.h"
#include "tools/sim/theory_check.h"

namespace caserouter {
namespace {

// 99% interval from the 95% one (t quantiles for 7 runs: 3.707 / 2.447), so that a correct
// simulator fails by chance about once in a hundred checks, and a tolerance for the bias of a
// finite run (warm-up, arrivals at the window's edge).
constexpr int kRuns = 8;
constexpr double kHours = 12;

void ExpectAgreement(const TheoryCase& c) {
  absl::StatusOr<std::vector<TheoryRow>> rows = CheckTheory(EngineConfig(), c, kRuns, kHours, 1);
  ASSERT_TRUE(rows.ok()) << rows.status();
  ASSERT_FALSE(rows->empty());
  for (const TheoryRow& r : *rows) {
    const double allowed = r.simulated.half_width * 3.499 / 2.365 + 0.002;
    EXPECT_NEAR(r.simulated.mean, r.theory, allowed)
        << r.model << " " << r.measure << ": theory " << r.theory << ", simulated "
        << r.simulated.mean << " ± " << r.simulated.half_width;
    // The interval must be informative: a check with a huge interval would always pass.
    EXPECT_LT(r.simulated.half_width, 0.05) << r.model << " " << r.measure;
  }
}

TEST(TheoryTest, PublishedExamplesAreWhatTheTheoryComputes) {
  absl::StatusOr<QueueMetrics> c = ErlangC(PublishedErlangC().model);
  ASSERT_TRUE(c.ok());
  EXPECT_NEAR(c->p_wait, 0.174, 0.0005);
  EXPECT_NEAR(c->service_level, 0.888, 0.0005);
  EXPECT_NEAR(c->occupancy, 0.714, 0.0005);
  absl::StatusOr<QueueMetrics> a = ErlangA(PublishedErlangA().model);
  ASSERT_TRUE(a.ok());
  EXPECT_NEAR(a->p_wait, 0.1453, 0.00005);
  EXPECT_NEAR(a->p_abandon, 0.0140, 0.00005);
  EXPECT_NEAR(a->service_level, 0.917, 0.0005);
}

class ErlangCLoads : public testing::TestWithParam<int> {};
TEST_P(ErlangCLoads, SimulationAgreesWithErlangC) { ExpectAgreement(PublishedErlangC(GetParam())); }
INSTANTIATE_TEST_SUITE_P(Agents, ErlangCLoads, testing::Values(13, 14, 16));

class ErlangALoads : public testing::TestWithParam<int> {};
TEST_P(ErlangALoads, SimulationAgreesWithErlangA) { ExpectAgreement(PublishedErlangA(GetParam())); }
INSTANTIATE_TEST_SUITE_P(Agents, ErlangALoads, testing::Values(12, 14, 16));

// The check can fail: the same simulation against a model with one agent fewer is far off.
TEST(TheoryTest, AWrongModelIsRejected) {
  TheoryCase c = PublishedErlangC(14);
  absl::StatusOr<std::vector<TheoryRow>> rows = CheckTheory(EngineConfig(), c, 4, kHours, 1);
  ASSERT_TRUE(rows.ok()) << rows.status();
  QueueModel wrong = c.model;
  wrong.agents = 13;
  absl::StatusOr<QueueMetrics> theory = ErlangC(wrong);
  ASSERT_TRUE(theory.ok());
  const TheoryRow& p_wait = (*rows)[0];
  ASSERT_EQ(p_wait.measure, "P(wait)");
  EXPECT_GT(std::abs(p_wait.simulated.mean - theory->p_wait),
            p_wait.simulated.half_width * 3.5 / 2.4 + 0.002);
}

}  // namespace
}  // namespace caserouter
