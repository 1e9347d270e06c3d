// The simulator against queueing theory: the real engine, driven on a virtual clock through a
// single-skill phone queue of interchangeable agents, must agree with Erlang C and Erlang A
// (computed by erlang.h, not copied) within the simulation's confidence interval, across
// several loads up to 0.95, for longest idle and for the default strategy: a strategy that
// keeps a caller waiting while an equal agent is free fails here. Short runs, seeds fixed by
// the model: deterministic.
#include <cmath>
#include <string>
#include <tuple>

#include "gtest/gtest.h"
#include "router/config/config_loader.h"
#include "router/model/engine_config.h"
#include "tools/sim/erlang.h"
#include "tools/sim/theory_check.h"

namespace caserouter {
namespace {

// The router's shipped configuration: the default strategy as users get it.
EngineConfig ShippedConfig() {
  absl::StatusOr<EngineConfig> config =
      LoadEngineConfigFile(CASEROUTER_SOURCE_DIR "/deploy/caserouter.yaml");
  EXPECT_TRUE(config.ok()) << config.status();
  return config.ok() ? *config : EngineConfig();
}

// Agreement at 99% (TheoryAgrees), so that a correct simulator fails by chance about once in a
// hundred rows, and an interval narrow enough to mean something.
void ExpectAgreement(const TheoryCase& c, Strategy strategy, double hours = 12, int runs = 8) {
  TheoryOptions o;
  o.strategy = strategy;
  o.hours = hours;
  o.runs = runs;
  absl::StatusOr<std::vector<TheoryRow>> rows = CheckTheory(ShippedConfig(), c, o);
  ASSERT_TRUE(rows.ok()) << rows.status();
  ASSERT_FALSE(rows->empty());
  for (const TheoryRow& r : *rows) {
    EXPECT_TRUE(TheoryAgrees(r)) << r.model << ", " << r.strategy << ": " << r.measure
                                 << ": theory " << r.theory << ", simulated " << r.simulated.mean
                                 << " ± " << r.simulated.half_width;
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
  EXPECT_EQ(PublishedErlangC().name, "Erlang C, 14 agents (load 0.71)");
  EXPECT_NEAR(HeavyErlangC(20, 0.95).model.arrivals_per_second * 180 / 20, 0.95, 1e-12);
}

TEST(TheoryTest, EveryPointDrawsItsOwnSeeds) {
  EXPECT_NE(TheorySeed(PublishedErlangC(13).model), TheorySeed(PublishedErlangC(14).model));
  EXPECT_NE(TheorySeed(PublishedErlangC(14).model), TheorySeed(PublishedErlangA(14).model));
  EXPECT_EQ(TheorySeed(PublishedErlangC(14).model), TheorySeed(PublishedErlangC(14).model));
}

using Point = std::tuple<Strategy, int>;  // strategy, agents (100 calls per 30 minutes)

std::string PointName(const testing::TestParamInfo<Point>& info) {
  return absl::StrCat(StrategyName(std::get<0>(info.param)), "_", std::get<1>(info.param));
}

class ErlangCLoads : public testing::TestWithParam<Point> {};
TEST_P(ErlangCLoads, SimulationAgreesWithErlangC) {
  ExpectAgreement(PublishedErlangC(std::get<1>(GetParam())), std::get<0>(GetParam()));
}
INSTANTIATE_TEST_SUITE_P(Agents, ErlangCLoads,
                         testing::Combine(testing::Values(Strategy::kLongestIdle,
                                                          Strategy::kOutcome),
                                          testing::Values(13, 14, 16)),
                         PointName);

class ErlangALoads : public testing::TestWithParam<Point> {};
TEST_P(ErlangALoads, SimulationAgreesWithErlangA) {
  ExpectAgreement(PublishedErlangA(std::get<1>(GetParam())), std::get<0>(GetParam()));
}
INSTANTIATE_TEST_SUITE_P(Agents, ErlangALoads,
                         testing::Combine(testing::Values(Strategy::kLongestIdle,
                                                          Strategy::kOutcome),
                                          testing::Values(12, 14, 16)),
                         PointName);

// At a load of 0.95 queues are long and slow to forget their start, and Erlang C's figures
// swing with every percent of load a run happens to draw: more and longer runs.
class HeavyLoad : public testing::TestWithParam<Strategy> {};
TEST_P(HeavyLoad, SimulationAgreesWithErlangC) {
  ExpectAgreement(HeavyErlangC(20, 0.95), GetParam(), 24, 16);
}
TEST_P(HeavyLoad, SimulationAgreesWithErlangA) {
  ExpectAgreement(HeavyErlangA(20, 0.95), GetParam(), 24);
}
INSTANTIATE_TEST_SUITE_P(Strategies, HeavyLoad,
                         testing::Values(Strategy::kLongestIdle, Strategy::kOutcome),
                         [](const testing::TestParamInfo<Strategy>& info) {
                           return std::string(StrategyName(info.param));
                         });

// The check can fail: the same simulation against a model with one agent fewer is far off.
TEST(TheoryTest, AWrongModelIsRejected) {
  TheoryCase c = PublishedErlangC(14);
  absl::StatusOr<std::vector<TheoryRow>> rows = CheckTheory(ShippedConfig(), c, TheoryOptions());
  ASSERT_TRUE(rows.ok()) << rows.status();
  QueueModel wrong = c.model;
  wrong.agents = 13;
  absl::StatusOr<QueueMetrics> theory = ErlangC(wrong);
  ASSERT_TRUE(theory.ok());
  TheoryRow p_wait = (*rows)[0];
  ASSERT_EQ(p_wait.measure, "P(wait)");
  p_wait.theory = theory->p_wait;
  EXPECT_FALSE(TheoryAgrees(p_wait));
  // Occupancy, measured from the agents' busy time, rejects it too (0.71 against 0.77).
  TheoryRow occupancy = rows->back();
  ASSERT_EQ(occupancy.measure, "occupancy");
  occupancy.theory = theory->occupancy;
  EXPECT_FALSE(TheoryAgrees(occupancy));
}

}  // namespace
}  // namespace caserouter
