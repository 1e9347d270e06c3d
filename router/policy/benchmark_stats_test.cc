#include "router/policy/benchmark_stats.h"

#include <cmath>
#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace caserouter {
namespace {

constexpr double kZ = 1.959963984540054;
constexpr int kFcr = static_cast<int>(BenchmarkMeasure::kFcr);
constexpr int kCsat = static_cast<int>(BenchmarkMeasure::kCsat);

// `ones` samples with fcr 1 and `zeros` with fcr 0 for `arm` in `stratum`.
void AddFcr(std::vector<BenchmarkSample>& out, const std::string& arm, const std::string& stratum,
            int ones, int zeros) {
  for (int i = 0; i < ones + zeros; ++i) {
    BenchmarkSample s{arm, stratum, {}};
    s.Set(BenchmarkMeasure::kFcr, i < ones ? 1 : 0);
    out.push_back(s);
  }
}

TEST(BenchmarkStats, OneStratumByHand) {
  std::vector<BenchmarkSample> samples;
  AddFcr(samples, "a", "billing/phone", 3, 1);  // mean 0.75, s2 = (3 - 9/4) / 3 = 0.25
  AddFcr(samples, "b", "billing/phone", 4, 1);  // mean 0.8,  s2 = (4 - 16/5) / 4 = 0.2
  BenchmarkComparison c = CompareArms(samples, {"a", "b"});
  ASSERT_EQ(c.arms.size(), 2u);
  EXPECT_EQ(c.arms[0].cases, 4);
  EXPECT_DOUBLE_EQ(c.arms[0].measure[kFcr].mean, 0.75);
  EXPECT_NEAR(c.arms[0].measure[kFcr].half_width, kZ * 0.25, 1e-12);  // sqrt(0.25 / 4)
  EXPECT_NEAR(c.arms[1].measure[kFcr].half_width, kZ * 0.2, 1e-12);   // sqrt(0.2 / 5)
  ASSERT_EQ(c.differences.size(), 1u);
  const ArmDifference& d = c.differences[0].measure[kFcr];
  EXPECT_TRUE(d.defined);
  EXPECT_NEAR(d.diff, 0.05, 1e-12);
  // Var = 0.25 / 4 + 0.2 / 5 = 0.1025: one stratum, so the same as the raw Welch difference.
  EXPECT_NEAR(d.half_width, kZ * std::sqrt(0.1025), 1e-12);
  EXPECT_NEAR(d.half_width, 0.6275, 1e-4);
  EXPECT_NEAR(d.raw_diff, 0.05, 1e-12);
  EXPECT_NEAR(d.raw_half_width, d.half_width, 1e-12);
  EXPECT_EQ(d.matched, 9);
  EXPECT_EQ(d.unmatched, 0);
  // For +-0.02: N = 9 x 0.1025 / (0.02 / 1.96)^2 = 8859.5 cases in all, 8851 more.
  EXPECT_EQ(d.cases_needed, 8851);
  // No CSAT given anywhere: nothing to compare.
  EXPECT_EQ(c.arms[0].measure[kCsat].n, 0);
  EXPECT_FALSE(c.differences[0].measure[kCsat].defined);
  EXPECT_EQ(c.differences[0].measure[kCsat].cases_needed, -1);
}

TEST(BenchmarkStats, StratificationUndoesTheMixOfCases) {
  // Arm b is better on both kinds of case, but got mostly the hard ones (Simpson's paradox).
  std::vector<BenchmarkSample> samples;
  AddFcr(samples, "a", "easy", 8, 2);  // 0.8
  AddFcr(samples, "a", "hard", 1, 1);  // 0.5
  AddFcr(samples, "b", "easy", 2, 0);  // 1.0
  AddFcr(samples, "b", "hard", 6, 4);  // 0.6
  BenchmarkComparison c = CompareArms(samples, {"a", "b"});
  const ArmDifference& d = c.differences[0].measure[kFcr];
  // Raw: 8/12 - 9/12 = -1/12: b looks worse.
  EXPECT_NEAR(d.raw_diff, -1.0 / 12, 1e-12);
  // Stratified: (12 x 0.2 + 12 x 0.1) / 24 = 0.15.
  EXPECT_NEAR(d.diff, 0.15, 1e-12);
  // Var = (1/2)^2 (1.6/9 / 10 + 0 / 2) + (1/2)^2 (0.5 / 2 + 2.4/9 / 10) = 0.0736111.
  EXPECT_NEAR(d.half_width, kZ * std::sqrt(0.25 * (0.16 / 9 + 0.25 + 0.24 / 9)), 1e-12);
  EXPECT_NEAR(d.half_width, 0.5318, 1e-4);
}

TEST(BenchmarkStats, StrataOfOneArmAreLeftOutAndSingletonsBorrowTheArmsVariance) {
  std::vector<BenchmarkSample> samples;
  AddFcr(samples, "a", "s1", 1, 1);  // 0.5
  AddFcr(samples, "a", "only_a", 3, 0);
  AddFcr(samples, "b", "s1", 1, 0);  // a single case: borrows b's variance
  AddFcr(samples, "b", "s2", 0, 1);
  AddFcr(samples, "c", "s1", 5, 5);  // an arm not asked for
  BenchmarkComparison c = CompareArms(samples, {"a", "b"});
  ASSERT_EQ(c.arms.size(), 2u);
  const ArmDifference& d = c.differences[0].measure[kFcr];
  EXPECT_EQ(d.matched, 3);
  EXPECT_EQ(d.unmatched, 4);  // only_a's three and b's s2
  EXPECT_NEAR(d.diff, 0.5, 1e-12);
  // a in s1: s2 = 0.5 over 2; b in s1: b's overall s2 = (1 - 1/2) / 1 = 0.5 over 1.
  EXPECT_NEAR(d.half_width, kZ * std::sqrt(0.5 / 2 + 0.5 / 1), 1e-12);
}

TEST(BenchmarkStats, ThreeArmsAreEachComparedWithTheFirst) {
  std::vector<BenchmarkSample> samples;
  AddFcr(samples, "a", "s", 1, 1);
  AddFcr(samples, "b", "s", 2, 0);
  AddFcr(samples, "c", "s", 0, 2);
  BenchmarkComparison c = CompareArms(samples, {"a", "b", "c"});
  ASSERT_EQ(c.differences.size(), 2u);
  EXPECT_EQ(c.differences[0].arm, "b");
  EXPECT_EQ(c.differences[1].arm, "c");
  EXPECT_EQ(c.differences[1].baseline, "a");
  EXPECT_NEAR(c.differences[0].measure[kFcr].diff, 0.5, 1e-12);
  EXPECT_NEAR(c.differences[1].measure[kFcr].diff, -0.5, 1e-12);
}

TEST(BenchmarkStats, MeasureNamesAreTheLabels) {
  EXPECT_STREQ(BenchmarkMeasureName(BenchmarkMeasure::kFcr), "fcr");
  EXPECT_STREQ(BenchmarkMeasureName(BenchmarkMeasure::kServiceLevel), "service_level");
}

}  // namespace
}  // namespace caserouter
