#include "router/service/benchmark_metrics.h"

#include <algorithm>

#include "absl/strings/ascii.h"

namespace caserouter {
namespace {

bool IsLabelWord(const std::string& s) {
  if (s.empty() || s.size() > 64 || s == "other") return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return absl::ascii_islower(c) || absl::ascii_isdigit(c) || c == '_' || c == '.' || c == '-';
  });
}

prometheus::Family<prometheus::Counter>& Counters(prometheus::Registry* r, const char* name,
                                                  const char* help) {
  return prometheus::BuildCounter().Name(name).Help(help).Register(*r);
}

prometheus::Family<prometheus::Gauge>& Gauges(prometheus::Registry* r, const char* name,
                                              const char* help) {
  return prometheus::BuildGauge().Name(name).Help(help).Register(*r);
}

}  // namespace

BenchmarkMetrics::BenchmarkMetrics(prometheus::Registry* registry)
    : cases_(Counters(registry, "caserouter_benchmark_cases_total",
                      "Cases a live benchmark gave to the arm; counted=false for those its "
                      "comparison leaves out (stabilisation gap, suspended arm).")),
      suspensions_(Counters(registry, "caserouter_benchmark_suspensions_total",
                            "Times the service-level guard rail suspended the arm.")),
      suspended_(Gauges(registry, "caserouter_benchmark_arm_suspended",
                        "1 while the benchmark arm is suspended by the guard rail.")),
      measure_(Gauges(registry, "caserouter_benchmark_measure",
                      "The benchmark arm's mean outcome, by measure (fcr, csat, answer_seconds, "
                      "abandonment, service_level).")),
      measure_cases_(Gauges(registry, "caserouter_benchmark_measure_cases",
                            "Cases behind the arm's measure.")),
      difference_(Gauges(registry, "caserouter_benchmark_difference",
                         "The arm's measure minus the baseline arm's, stratified by topic and "
                         "channel.")),
      half_width_(Gauges(registry, "caserouter_benchmark_difference_half_width",
                         "Half-width of the 95% interval of the difference.")),
      cases_needed_(Gauges(registry, "caserouter_benchmark_cases_needed",
                           "Cases still needed for the default precision of the difference "
                           "(-1 while unknown).")) {}

std::string BenchmarkMetrics::Label(const std::string& arm) {
  if (!IsLabelWord(arm)) return "other";
  if (std::find(arms_seen_.begin(), arms_seen_.end(), arm) != arms_seen_.end()) return arm;
  if (arms_seen_.size() >= kMaxArms) return "other";
  arms_seen_.push_back(arm);
  return arm;
}

void BenchmarkMetrics::Case(const std::string& arm, bool excluded) {
  cases_.Add({{"arm", Label(arm)}, {"counted", excluded ? "false" : "true"}}).Increment();
}

void BenchmarkMetrics::Suspended(const std::string& arm) {
  const std::string label = Label(arm);
  suspensions_.Add({{"arm", label}}).Increment();
  suspended_.Add({{"arm", label}}).Set(1);
}

void BenchmarkMetrics::Reported(const std::vector<BenchmarkArmCounts>& arms,
                                const BenchmarkComparison& comparison) {
  for (const BenchmarkArmCounts& a : arms) {
    suspended_.Add({{"arm", Label(a.arm)}}).Set(a.suspended ? 1 : 0);
  }
  for (const ArmMeasures& a : comparison.arms) {
    const std::string label = Label(a.arm);
    for (int m = 0; m < kBenchmarkMeasureCount; ++m) {
      const prometheus::Labels labels = {
          {"arm", label}, {"measure", BenchmarkMeasureName(static_cast<BenchmarkMeasure>(m))}};
      measure_.Add(labels).Set(a.measure[m].mean);
      measure_cases_.Add(labels).Set(static_cast<double>(a.measure[m].n));
    }
  }
  for (const ArmComparison& c : comparison.differences) {
    const std::string label = Label(c.arm);
    for (int m = 0; m < kBenchmarkMeasureCount; ++m) {
      const prometheus::Labels labels = {
          {"arm", label}, {"measure", BenchmarkMeasureName(static_cast<BenchmarkMeasure>(m))}};
      difference_.Add(labels).Set(c.measure[m].diff);
      half_width_.Add(labels).Set(c.measure[m].half_width);
      cases_needed_.Add(labels).Set(static_cast<double>(c.measure[m].cases_needed));
    }
  }
}

}  // namespace caserouter
