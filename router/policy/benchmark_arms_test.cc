#include "router/policy/benchmark_arms.h"

#include <map>
#include <set>
#include <string>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace caserouter {
namespace {

BenchmarkConfig TwoArms(BenchmarkMode mode) {
  BenchmarkConfig b;
  b.enabled = true;
  b.mode = mode;
  b.arms = {BenchmarkArm{"outcome", Strategy::kOutcome, 1},
            BenchmarkArm{"idle", Strategy::kLongestIdle, 1}};
  b.slot_length = absl::Minutes(30);
  b.stabilisation = absl::Minutes(2);
  b.start = absl::FromUnixSeconds(1'000'000);
  b.seed = 42;
  return b;
}

const BenchmarkScope kBilling{"billing"};

TEST(BenchmarkSlots, EachCycleGivesEveryArmOneSlot) {
  BenchmarkConfig b = TwoArms(BenchmarkMode::kSlots);
  b.arms.push_back(BenchmarkArm{"robin", Strategy::kRoundRobin, 1});
  std::set<std::vector<int>> orders;
  for (int64_t cycle = 0; cycle < 60; ++cycle) {
    std::vector<int> order = SlotOrder(b, kBilling, cycle);
    ASSERT_EQ(order.size(), 3u);
    EXPECT_EQ(std::set<int>(order.begin(), order.end()), (std::set<int>{0, 1, 2}));
    orders.insert(order);
  }
  // Randomised: over 60 cycles a fair shuffle of 3 shows all 6 orders (each misses with
  // probability (5/6)^60 < 2e-5; the seed is fixed, so this is a fact about this schedule).
  EXPECT_EQ(orders.size(), 6u);
}

TEST(BenchmarkSlots, ArmFollowsTheSlotOrderAndTheGapIsExcluded) {
  BenchmarkConfig b = TwoArms(BenchmarkMode::kSlots);
  for (int64_t slot = 0; slot < 8; ++slot) {
    const absl::Time begin = b.start + slot * b.slot_length;
    const std::string expected = b.arms[SlotOrder(b, kBilling, slot / 2)[slot % 2]].name;
    ArmAssignment in_gap = AssignArm(b, kBilling, "c1", begin);
    ArmAssignment gap_end =
        AssignArm(b, kBilling, "c1", begin + b.stabilisation - absl::Nanoseconds(1));
    ArmAssignment after_gap = AssignArm(b, kBilling, "c1", begin + b.stabilisation);
    ArmAssignment last = AssignArm(b, kBilling, "c1", begin + b.slot_length - absl::Nanoseconds(1));
    for (const ArmAssignment& a : {in_gap, gap_end, after_gap, last}) {
      EXPECT_TRUE(a.in_benchmark);
      EXPECT_EQ(a.arm, expected) << "slot " << slot;
      EXPECT_EQ(a.slot, slot);
    }
    EXPECT_TRUE(in_gap.excluded);
    EXPECT_TRUE(gap_end.excluded);
    EXPECT_FALSE(after_gap.excluded);
    EXPECT_FALSE(last.excluded);
  }
}

TEST(BenchmarkSlots, NothingBeforeTheStartOutsideTheScopeOrWhenDisabled) {
  BenchmarkConfig b = TwoArms(BenchmarkMode::kSlots);
  EXPECT_FALSE(AssignArm(b, kBilling, "c1", b.start - absl::Seconds(1)).in_benchmark);
  b.topics = {"technical"};
  EXPECT_FALSE(AssignArm(b, kBilling, "c1", b.start + absl::Hours(1)).in_benchmark);
  EXPECT_TRUE(
      AssignArm(b, BenchmarkScope{"technical"}, "c1", b.start + absl::Hours(1)).in_benchmark);
  b.enabled = false;
  EXPECT_FALSE(
      AssignArm(b, BenchmarkScope{"technical"}, "c1", b.start + absl::Hours(1)).in_benchmark);
}

TEST(BenchmarkSlots, ScopesGetTheirOwnOrderAndTheSameInputsTheSameArm) {
  BenchmarkConfig b = TwoArms(BenchmarkMode::kSlots);
  int differ = 0;
  for (int64_t cycle = 0; cycle < 40; ++cycle) {
    EXPECT_EQ(SlotOrder(b, kBilling, cycle), SlotOrder(b, kBilling, cycle));
    if (SlotOrder(b, kBilling, cycle) != SlotOrder(b, BenchmarkScope{"sales"}, cycle)) ++differ;
  }
  EXPECT_GT(differ, 0);
  EXPECT_LT(differ, 40);
}

TEST(BenchmarkSlots, ASuspendedArmsSlotGoesToTheOtherArmExcluded) {
  BenchmarkConfig b = TwoArms(BenchmarkMode::kSlots);
  for (int64_t slot = 0; slot < 6; ++slot) {
    const absl::Time t = b.start + slot * b.slot_length + absl::Minutes(10);
    ArmAssignment a = AssignArm(b, kBilling, "c1", t, {"outcome"});
    EXPECT_EQ(a.arm, "idle");
    const bool was_outcome = b.arms[SlotOrder(b, kBilling, slot / 2)[slot % 2]].name == "outcome";
    EXPECT_EQ(a.excluded, was_outcome);
  }
  EXPECT_FALSE(AssignArm(b, kBilling, "c1", b.start, {"outcome", "idle"}).in_benchmark);
}

TEST(BenchmarkSplit, SharesHoldAndACaseAlwaysDrawsTheSameArm) {
  BenchmarkConfig b = TwoArms(BenchmarkMode::kSplit);
  b.arms[0].share = 3;  // 75 % / 25 %
  std::map<std::string, int> counts;
  const int n = 20000;
  for (int i = 0; i < n; ++i) {
    std::string id = absl::StrCat("case-", i);
    ArmAssignment a = AssignArm(b, kBilling, id, b.start);
    ASSERT_TRUE(a.in_benchmark);
    EXPECT_FALSE(a.excluded);
    EXPECT_EQ(a.arm, AssignArm(b, kBilling, id, b.start + absl::Hours(5)).arm);
    ++counts[a.arm];
  }
  // Binomial sd = sqrt(20000 x 0.75 x 0.25) = 61: within 4 sd of 15000.
  EXPECT_NEAR(counts["outcome"], 15000, 250);
  EXPECT_EQ(counts["outcome"] + counts["idle"], n);
}

TEST(BenchmarkSplit, DrawIsUniformAndDependsOnSeedAndScope) {
  int below_half = 0;
  int seed_differs = 0;
  for (int i = 0; i < 10000; ++i) {
    std::string id = absl::StrCat("x", i);
    double u = SplitDraw(7, kBilling, id);
    ASSERT_GE(u, 0.0);
    ASSERT_LT(u, 1.0);
    if (u < 0.5) ++below_half;
    if ((u < 0.5) != (SplitDraw(8, kBilling, id) < 0.5)) ++seed_differs;
  }
  EXPECT_NEAR(below_half, 5000, 200);    // sd 50
  EXPECT_NEAR(seed_differs, 5000, 200);  // independent halves
}

TEST(BenchmarkSplit, ASuspendedArmGetsNoCase) {
  BenchmarkConfig b = TwoArms(BenchmarkMode::kSplit);
  for (int i = 0; i < 200; ++i) {
    ArmAssignment a = AssignArm(b, kBilling, absl::StrCat("c", i), b.start, {"idle"});
    EXPECT_EQ(a.arm, "outcome");
  }
}

TEST(BenchmarkStrategy, TheArmRoutesWhileTheBenchmarkHasIt) {
  EngineConfig config;
  config.strategy = Strategy::kRoundRobin;
  config.benchmark = TwoArms(BenchmarkMode::kSplit);
  Case c;
  c.spec.topic = "billing";
  EXPECT_EQ(StrategyOf(c, config), Strategy::kRoundRobin);  // no arm
  c.arm = "idle";
  EXPECT_EQ(StrategyOf(c, config), Strategy::kLongestIdle);
  config.benchmark.enabled = false;  // stopped by a reload
  EXPECT_EQ(StrategyOf(c, config), Strategy::kRoundRobin);
  EXPECT_EQ(ActiveArmOf(c, config), nullptr);
  config.benchmark.enabled = true;
  config.benchmark.arms.pop_back();  // the arm was dropped
  EXPECT_EQ(StrategyOf(c, config), Strategy::kRoundRobin);
}

}  // namespace
}  // namespace caserouter
