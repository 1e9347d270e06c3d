#include "tools/benchmark/benchmark_text.h"

#include "absl/strings/match.h"
#include "gtest/gtest.h"

namespace caserouter {
namespace {

TEST(BenchmarkTextTest, PrintsArmsMeasuresAndDifferences) {
  v1::GetBenchmarkReportResponse r;
  r.set_running(true);
  r.set_mode(v1::BENCHMARK_MODE_SLOTS);
  r.mutable_report_time()->set_seconds(1700000000);
  v1::BenchmarkArmReport* a = r.add_arms();
  a->set_arm("outcome");
  a->set_strategy(v1::STRATEGY_OUTCOME);
  a->set_cases_assigned(412);
  a->set_cases_excluded(31);
  a->mutable_fcr()->set_count(301);
  a->mutable_fcr()->set_mean(0.712);
  a->mutable_fcr()->set_half_width(0.046);
  v1::BenchmarkArmReport* b = r.add_arms();
  b->set_arm("idle");
  b->set_strategy(v1::STRATEGY_LONGEST_IDLE);
  b->set_suspended(true);
  v1::BenchmarkArmDifference* d = r.add_differences();
  d->set_baseline("outcome");
  d->set_arm("idle");
  d->mutable_fcr()->set_defined(true);
  d->mutable_fcr()->set_difference(-0.051);
  d->mutable_fcr()->set_half_width(0.066);
  d->mutable_fcr()->set_cases_needed(2140);
  d->mutable_csat()->set_defined(true);
  d->mutable_csat()->set_cases_needed(0);
  v1::GetBenchmarkReportRequest asked;
  asked.set_fcr_precision(0.02);
  const std::string text = BenchmarkReportText(r, asked);
  EXPECT_TRUE(absl::StrContains(text, "benchmark running (slots) at 2023-11-14T22:13:20Z")) << text;
  EXPECT_TRUE(absl::StrContains(text, "fcr             0.712 ± 0.046 (n=301)")) << text;
  EXPECT_TRUE(absl::StrContains(text, "idle         longest_idle")) << text;
  EXPECT_TRUE(absl::StrContains(text, "yes")) << text;
  EXPECT_TRUE(absl::StrContains(text, "-0.051 [-0.117, +0.015]")) << text;
  EXPECT_TRUE(absl::StrContains(text, "2140 more cases for ±0.02")) << text;
  EXPECT_TRUE(absl::StrContains(text, "csat            +0.000")) << text;
  EXPECT_TRUE(absl::StrContains(text, "precision ±0.1 reached")) << text;
  EXPECT_TRUE(absl::StrContains(text, "answer_seconds  no stratum with cases of both arms"))
      << text;
}

TEST(BenchmarkTextTest, SaysWhenThereIsNoBenchmark) {
  v1::GetBenchmarkReportResponse r;
  EXPECT_TRUE(absl::StrContains(BenchmarkReportText(r, {}), "benchmark stopped"));
  EXPECT_TRUE(absl::StrContains(BenchmarkReportText(r, {}), "no arms"));
}

}  // namespace
}  // namespace caserouter
