#include "tools/benchmark/benchmark_text.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/time.h"

namespace caserouter {
namespace {

struct Measure {
  const char* name;
  const v1::BenchmarkEstimate& (v1::BenchmarkArmReport::*estimate)() const;
  const v1::BenchmarkDifference& (v1::BenchmarkArmDifference::*difference)() const;
  double (v1::GetBenchmarkReportRequest::*precision)() const;
  double default_precision;  // as the router's kDefaultPrecision
};

const Measure kMeasures[] = {
    {"fcr", &v1::BenchmarkArmReport::fcr, &v1::BenchmarkArmDifference::fcr,
     &v1::GetBenchmarkReportRequest::fcr_precision, 0.02},
    {"csat", &v1::BenchmarkArmReport::csat, &v1::BenchmarkArmDifference::csat,
     &v1::GetBenchmarkReportRequest::csat_precision, 0.1},
    {"answer_seconds", &v1::BenchmarkArmReport::answer_seconds,
     &v1::BenchmarkArmDifference::answer_seconds,
     &v1::GetBenchmarkReportRequest::answer_seconds_precision, 5},
    {"abandonment", &v1::BenchmarkArmReport::abandonment, &v1::BenchmarkArmDifference::abandonment,
     &v1::GetBenchmarkReportRequest::abandonment_precision, 0.01},
    {"service_level", &v1::BenchmarkArmReport::service_level,
     &v1::BenchmarkArmDifference::service_level,
     &v1::GetBenchmarkReportRequest::service_level_precision, 0.02},
};

std::string StrategyWord(v1::Strategy s) {
  switch (s) {
    case v1::STRATEGY_OUTCOME:
      return "outcome";
    case v1::STRATEGY_LONGEST_IDLE:
      return "longest_idle";
    case v1::STRATEGY_ROUND_ROBIN:
      return "round_robin";
    case v1::STRATEGY_LEAST_OCCUPIED:
      return "least_occupied";
    case v1::STRATEGY_FASTEST_HANDLE:
      return "fastest_handle";
    default:
      return "-";
  }
}

}  // namespace

std::string BenchmarkReportText(const v1::GetBenchmarkReportResponse& report,
                                const v1::GetBenchmarkReportRequest& asked) {
  std::string out;
  const absl::Time at = absl::FromUnixSeconds(report.report_time().seconds());
  absl::StrAppend(&out, "benchmark ", report.running() ? "running" : "stopped", " (",
                  report.mode() == v1::BENCHMARK_MODE_SPLIT ? "split" : "slots", ") at ",
                  absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", at, absl::UTCTimeZone()), "\n");
  if (report.arms_size() == 0) {
    absl::StrAppend(&out, "no arms: no benchmark is configured and no case kept has an arm\n");
    return out;
  }
  absl::StrAppendFormat(&out, "%-12s %-14s %7s %8s %6s %11s %s\n", "arm", "strategy", "cases",
                        "left-out", "open", "fcr-pending", "suspended");
  for (const v1::BenchmarkArmReport& a : report.arms()) {
    absl::StrAppendFormat(&out, "%-12s %-14s %7d %8d %6d %11d %s\n", a.arm(),
                          StrategyWord(a.strategy()), a.cases_assigned(), a.cases_excluded(),
                          a.cases_open(), a.fcr_pending(), a.suspended() ? "yes" : "no");
    for (const Measure& m : kMeasures) {
      const v1::BenchmarkEstimate& e = (a.*m.estimate)();
      if (e.count() == 0) {
        absl::StrAppendFormat(&out, "    %-15s no cases yet\n", m.name);
      } else {
        absl::StrAppendFormat(&out, "    %-15s %.3f ± %.3f (n=%d)\n", m.name, e.mean(),
                              e.half_width(), e.count());
      }
    }
  }
  for (const v1::BenchmarkArmDifference& d : report.differences()) {
    absl::StrAppendFormat(&out, "%s vs %s (stratified by topic and channel, 95%% intervals):\n",
                          d.arm(), d.baseline());
    for (const Measure& m : kMeasures) {
      const v1::BenchmarkDifference& x = (d.*m.difference)();
      const double asked_precision = (asked.*m.precision)();
      const double precision = asked_precision > 0 ? asked_precision : m.default_precision;
      if (!x.defined()) {
        absl::StrAppendFormat(&out, "    %-15s no stratum with cases of both arms yet\n", m.name);
        continue;
      }
      std::string needed =
          x.cases_needed() < 0 ? "cases needed unknown"
          : x.cases_needed() == 0
              ? absl::StrFormat("precision ±%g reached", precision)
              : absl::StrFormat("%d more cases for ±%g", x.cases_needed(), precision);
      absl::StrAppendFormat(&out,
                            "    %-15s %+.3f [%+.3f, %+.3f]  raw %+.3f  (%d cases, %d "
                            "unmatched)  %s\n",
                            m.name, x.difference(), x.difference() - x.half_width(),
                            x.difference() + x.half_width(), x.raw_difference(), x.cases_matched(),
                            x.cases_unmatched(), needed);
    }
  }
  return out;
}

}  // namespace caserouter
