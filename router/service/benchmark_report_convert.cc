#include "router/service/benchmark_report_convert.h"

#include <cmath>

#include "absl/strings/str_cat.h"
#include "router/service/api_enums.h"
#include "router/service/proto_convert.h"

namespace caserouter {
namespace {

void EstimateToProto(const ArmEstimate& e, v1::BenchmarkEstimate* out) {
  out->set_count(e.n);
  out->set_mean(e.mean);
  out->set_half_width(e.half_width);
}

void DifferenceToProto(const ArmDifference& d, v1::BenchmarkDifference* out) {
  out->set_difference(d.diff);
  out->set_half_width(d.half_width);
  out->set_raw_difference(d.raw_diff);
  out->set_raw_half_width(d.raw_half_width);
  out->set_cases_matched(d.matched);
  out->set_cases_unmatched(d.unmatched);
  out->set_defined(d.defined);
  out->set_cases_needed(d.cases_needed);
}

template <typename T>
const T& At(const std::array<T, kBenchmarkMeasureCount>& a, BenchmarkMeasure m) {
  return a[static_cast<int>(m)];
}

}  // namespace

absl::StatusOr<BenchmarkPrecision> PrecisionFromProto(const v1::GetBenchmarkReportRequest& r) {
  BenchmarkPrecision p = kDefaultPrecision;
  const std::pair<const char*, double> asked[kBenchmarkMeasureCount] = {
      {"fcr_precision", r.fcr_precision()},
      {"csat_precision", r.csat_precision()},
      {"answer_seconds_precision", r.answer_seconds_precision()},
      {"abandonment_precision", r.abandonment_precision()},
      {"service_level_precision", r.service_level_precision()}};
  for (int m = 0; m < kBenchmarkMeasureCount; ++m) {
    const double v = asked[m].second;
    if (!std::isfinite(v) || v < 0) {
      return absl::InvalidArgumentError(
          absl::StrCat(asked[m].first, ": must be a finite number, 0 or more"));
    }
    if (v > 0) p[m] = v;
  }
  return p;
}

void BenchmarkReportToProto(const BenchmarkReport& report, v1::GetBenchmarkReportResponse* out) {
  out->Clear();
  out->set_running(report.running);
  out->set_mode(report.mode == BenchmarkMode::kSplit ? v1::BENCHMARK_MODE_SPLIT
                                                     : v1::BENCHMARK_MODE_SLOTS);
  TimeToProto(report.time, out->mutable_report_time());
  for (size_t i = 0; i < report.arms.size(); ++i) {
    const BenchmarkArmCounts& counts = report.arms[i];
    v1::BenchmarkArmReport* arm = out->add_arms();
    arm->set_arm(counts.arm);
    arm->set_strategy(ApiOf(kStrategyPairs, counts.strategy, v1::STRATEGY_UNSPECIFIED));
    arm->set_cases_assigned(counts.assigned);
    arm->set_cases_excluded(counts.excluded);
    arm->set_cases_open(counts.open);
    arm->set_fcr_pending(counts.fcr_pending);
    arm->set_suspended(counts.suspended);
    if (i >= report.comparison.arms.size()) continue;
    const auto& m = report.comparison.arms[i].measure;
    EstimateToProto(At(m, BenchmarkMeasure::kFcr), arm->mutable_fcr());
    EstimateToProto(At(m, BenchmarkMeasure::kCsat), arm->mutable_csat());
    EstimateToProto(At(m, BenchmarkMeasure::kAnswerSeconds), arm->mutable_answer_seconds());
    EstimateToProto(At(m, BenchmarkMeasure::kAbandonment), arm->mutable_abandonment());
    EstimateToProto(At(m, BenchmarkMeasure::kServiceLevel), arm->mutable_service_level());
  }
  for (const ArmComparison& c : report.comparison.differences) {
    v1::BenchmarkArmDifference* d = out->add_differences();
    d->set_baseline(c.baseline);
    d->set_arm(c.arm);
    DifferenceToProto(At(c.measure, BenchmarkMeasure::kFcr), d->mutable_fcr());
    DifferenceToProto(At(c.measure, BenchmarkMeasure::kCsat), d->mutable_csat());
    DifferenceToProto(At(c.measure, BenchmarkMeasure::kAnswerSeconds), d->mutable_answer_seconds());
    DifferenceToProto(At(c.measure, BenchmarkMeasure::kAbandonment), d->mutable_abandonment());
    DifferenceToProto(At(c.measure, BenchmarkMeasure::kServiceLevel), d->mutable_service_level());
  }
}

}  // namespace caserouter
