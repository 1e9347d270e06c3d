// Issue 17: the simulator runs the engine's benchmark mode and keeps the hidden truth per arm.
#include "tools/sim/benchmark_coverage.h"

#include <cmath>

#include "absl/strings/match.h"
#include "gtest/gtest.h"

namespace caserouter {
namespace {

Workload Tiny(uint64_t seed) {
  SyntheticWorkloadOptions o = DefaultSyntheticWorkload(seed);
  o.cases.duration = absl::Hours(6);
  o.cases.cases_per_second = 60.0 / 3600;
  o.agents_per_shift = 4;
  o.cases.customers = 200;
  return MakeSyntheticWorkload(o);
}

CoverageOptions Coverage(BenchmarkMode mode) {
  CoverageOptions c;
  c.make = Tiny;
  c.workload_name = "tiny";
  c.runs = 2;
  c.mode = mode;
  return c;
}

TEST(BenchmarkCoverageTest, TheEnginesReportAndTheTruthCountTheSameContacts) {
  for (BenchmarkMode mode : {BenchmarkMode::kSplit, BenchmarkMode::kSlots}) {
    CoverageOptions c = Coverage(mode);
    SimOptions sim = c.base;
    sim.config = BenchmarkRunConfig(c, 1);
    absl::StatusOr<SimResult> r = Simulate(Tiny(1), sim);
    ASSERT_TRUE(r.ok()) << r.status();
    ASSERT_TRUE(r->benchmark.has_value());
    ASSERT_EQ(r->benchmark->arms.size(), 2u);
    EXPECT_EQ(r->benchmark->arms[0].arm, "longest_idle");
    EXPECT_EQ(r->benchmark->arms[1].arm, "outcome");
    int64_t assigned = 0;
    for (int a = 0; a < 2; ++a) {
      const BenchmarkArmCounts& counts = r->benchmark->arms[a];
      EXPECT_GT(counts.assigned, 0) << counts.arm;
      EXPECT_EQ(counts.fcr_pending, 0) << "read once every repeat window has closed";
      // Every completed contact the comparison counts has its truth, and only those.
      const ArmEstimate& fcr = r->benchmark->comparison.arms[a].measure[0];
      EXPECT_EQ(fcr.n, r->benchmark_truth[counts.arm].first) << counts.arm;
      assigned += counts.assigned;
    }
    if (mode == BenchmarkMode::kSlots) {
      EXPECT_GT(r->benchmark->arms[0].excluded + r->benchmark->arms[1].excluded, 0);
    } else {
      EXPECT_EQ(r->benchmark->arms[0].excluded + r->benchmark->arms[1].excluded, 0);
    }
    EXPECT_GT(assigned, 100);
  }
}

TEST(BenchmarkCoverageTest, RunsAndRendersTheSection) {
  absl::StatusOr<CoverageResult> r = RunBenchmarkCoverage(Coverage(BenchmarkMode::kSplit), nullptr);
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->runs.size(), 2u);
  for (const CoverageRun& run : r->runs) {
    EXPECT_GT(run.half_width, 0);
    EXPECT_GT(run.cases, 0);
    EXPECT_EQ(run.covered, std::abs(run.estimate - run.true_gain) <= run.half_width);
  }
  const std::string text = RenderBenchmarkCoverage({*r});
  EXPECT_TRUE(absl::StrContains(text, "## Live benchmark")) << text;
  EXPECT_TRUE(absl::StrContains(text, "| split 50/50 | tiny | 2 |")) << text;
}

}  // namespace
}  // namespace caserouter
