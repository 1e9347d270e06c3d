#include "router/service/benchmark_metrics.h"

#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "prometheus/metric_family.h"

namespace caserouter {
namespace {

std::set<std::string> ArmLabels(prometheus::Registry& registry) {
  std::set<std::string> arms;
  for (const prometheus::MetricFamily& f : registry.Collect()) {
    for (const auto& m : f.metric) {
      for (const auto& l : m.label) {
        if (l.name == "arm") arms.insert(l.value);
      }
    }
  }
  return arms;
}

double Value(prometheus::Registry& registry, const std::string& family,
             const std::map<std::string, std::string>& labels) {
  for (const prometheus::MetricFamily& f : registry.Collect()) {
    if (f.name != family) continue;
    for (const auto& m : f.metric) {
      std::map<std::string, std::string> have;
      for (const auto& l : m.label) have[l.name] = l.value;
      if (have != labels) continue;
      return f.type == prometheus::MetricType::Counter ? m.counter.value : m.gauge.value;
    }
  }
  return -99;
}

TEST(BenchmarkMetricsTest, ArmsAreAClosedSet) {
  prometheus::Registry registry;
  BenchmarkMetrics metrics(&registry);
  metrics.Case("outcome", false);
  metrics.Case("outcome", true);
  metrics.Case("c0123456789abcdefghijklmnopqr", false);  // lower-case words pass...
  for (const std::string& hostile :
       std::vector<std::string>{"My bill!", "", "OUTCOME", "other", std::string(80, 'a')}) {
    metrics.Case(hostile, false);
  }
  for (int i = 0; i < 20; ++i) metrics.Case(absl::StrCat("arm", i), false);  // ...up to 10
  std::set<std::string> arms = ArmLabels(registry);
  EXPECT_EQ(arms.size(), BenchmarkMetrics::kMaxArms + 1);  // and "other"
  EXPECT_EQ(arms.count("other"), 1u);
  EXPECT_EQ(arms.count("My bill!"), 0u);
  EXPECT_EQ(Value(registry, "caserouter_benchmark_cases_total",
                  {{"arm", "outcome"}, {"counted", "true"}}),
            1);
  EXPECT_EQ(Value(registry, "caserouter_benchmark_cases_total",
                  {{"arm", "outcome"}, {"counted", "false"}}),
            1);
}

TEST(BenchmarkMetricsTest, ReportsSetTheMeasuresAndTheDifferences) {
  prometheus::Registry registry;
  BenchmarkMetrics metrics(&registry);
  BenchmarkComparison c;
  ArmMeasures a;
  a.arm = "outcome";
  a.measure[static_cast<int>(BenchmarkMeasure::kFcr)] = ArmEstimate{40, 0.7, 0.1};
  c.arms.push_back(a);
  ArmComparison d;
  d.baseline = "outcome";
  d.arm = "idle";
  d.measure[static_cast<int>(BenchmarkMeasure::kFcr)].diff = -0.05;
  d.measure[static_cast<int>(BenchmarkMeasure::kFcr)].half_width = 0.04;
  d.measure[static_cast<int>(BenchmarkMeasure::kFcr)].cases_needed = 300;
  c.differences.push_back(d);
  BenchmarkArmCounts idle;
  idle.arm = "idle";
  idle.suspended = true;
  metrics.Reported({idle}, c);
  EXPECT_EQ(
      Value(registry, "caserouter_benchmark_measure", {{"arm", "outcome"}, {"measure", "fcr"}}),
      0.7);
  EXPECT_EQ(Value(registry, "caserouter_benchmark_measure_cases",
                  {{"arm", "outcome"}, {"measure", "fcr"}}),
            40);
  EXPECT_EQ(
      Value(registry, "caserouter_benchmark_difference", {{"arm", "idle"}, {"measure", "fcr"}}),
      -0.05);
  EXPECT_EQ(Value(registry, "caserouter_benchmark_difference_half_width",
                  {{"arm", "idle"}, {"measure", "fcr"}}),
            0.04);
  EXPECT_EQ(
      Value(registry, "caserouter_benchmark_cases_needed", {{"arm", "idle"}, {"measure", "fcr"}}),
      300);
  EXPECT_EQ(Value(registry, "caserouter_benchmark_arm_suspended", {{"arm", "idle"}}), 1);
  metrics.Suspended("outcome");
  EXPECT_EQ(Value(registry, "caserouter_benchmark_suspensions_total", {{"arm", "outcome"}}), 1);
}

}  // namespace
}  // namespace caserouter
