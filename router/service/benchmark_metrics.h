// BenchmarkMetrics: a live benchmark's figures (issue 17) as Prometheus families, the arm as a
// label. PrometheusObserver forwards the engine's benchmark reports here.
//
// Arm names come from the configuration (benchmark.arms[].name: [a-z0-9_.-], at most 10), a
// closed set; a name that is not a plain label word, or an arm beyond the first kMaxArms seen,
// is counted as "other", so nothing else can become a label value. Measures are the closed
// set of benchmark_stats.h.
//
// Families (prefix caserouter_benchmark_):
//   cases_total{arm,counted}          cases assigned to the arm; counted="false" for those the
//                                     comparison leaves out (gap, suspension)
//   suspensions_total{arm}            the service-level guard rail suspended the arm
//   arm_suspended{arm}                1 while suspended (as of the last report)
//   measure{arm,measure}              the arm's mean (fcr, csat, answer_seconds, abandonment,
//                                     service_level)
//   measure_cases{arm,measure}        the cases behind it
//   difference{arm,measure}           the arm minus the baseline arm, stratified
//   difference_half_width{arm,measure}  the 95 % interval's half-width
//   cases_needed{arm,measure}         cases still needed for the default precision (-1 unknown)
//
// Thread safety: called on the engine thread; prometheus-cpp metrics are safe to scrape.
#ifndef CASEROUTER_ROUTER_SERVICE_BENCHMARK_METRICS_H_
#define CASEROUTER_ROUTER_SERVICE_BENCHMARK_METRICS_H_

#include <map>
#include <string>
#include <vector>

#include "prometheus/counter.h"
#include "prometheus/family.h"
#include "prometheus/gauge.h"
#include "prometheus/registry.h"
#include "router/engine/benchmark_tracking.h"
#include "router/policy/benchmark_stats.h"

namespace caserouter {

class BenchmarkMetrics {
 public:
  static constexpr size_t kMaxArms = 10;
  explicit BenchmarkMetrics(prometheus::Registry* registry);

  void Case(const std::string& arm, bool excluded);
  void Suspended(const std::string& arm);
  void Reported(const std::vector<BenchmarkArmCounts>& arms, const BenchmarkComparison& comparison);

  // The label value for `arm` ("other" beyond the closed set).
  std::string Label(const std::string& arm);

 private:
  prometheus::Family<prometheus::Counter>& cases_;
  prometheus::Family<prometheus::Counter>& suspensions_;
  prometheus::Family<prometheus::Gauge>& suspended_;
  prometheus::Family<prometheus::Gauge>& measure_;
  prometheus::Family<prometheus::Gauge>& measure_cases_;
  prometheus::Family<prometheus::Gauge>& difference_;
  prometheus::Family<prometheus::Gauge>& half_width_;
  prometheus::Family<prometheus::Gauge>& cases_needed_;
  std::vector<std::string> arms_seen_;
};

}  // namespace caserouter

#endif  // CASEROUTER_ROUTER_SERVICE_BENCHMARK_METRICS_H_
