// Benchmark statistics: outcomes per arm and the difference between arms, with 95 %
// confidence intervals and a correction for the mix of cases (issue 17).
//
// Pure functions over samples: one BenchmarkSample per case the benchmark counts, already
// attributed (router/engine/benchmark_tracking.h builds them from the domain's cases the way
// the simulator attributes its outcomes). Each measure is a mean over the samples that have a
// value for it:
//   fcr             completed cases resolved and not come back within the repeat window
//                   (a repeat contact turns an earlier "resolved" into a failure)
//   csat            cases with a satisfaction score, on the score's 1..5 scale
//   answer_seconds  answered cases: time from arrival to the first accept
//   abandonment     cases that ended or were answered: 1 when they ended unanswered
//                   (cancelled or expired)
//   service_level   the same cases: 1 when answered within the channel's SLA
//
// The difference of arm B against the baseline arm A is stratified (post-stratification):
// strata are topic x channel; within each stratum both arms' means are compared, and the
// stratum differences are averaged with weights n_s / N (the cases of both arms in the
// stratum), so a busy hour of one kind of case in one arm does not pass for a better
// strategy. Var = sum (n_s / N)^2 (s2_A,s / n_A,s + s2_B,s / n_B,s), with sample variances
// (n - 1); a stratum with a single case of an arm borrows that arm's variance over all
// strata. Strata where one arm has no case cannot be compared and are left out (counted in
// `unmatched`). The interval is diff +- 1.96 sqrt(Var) (normal approximation: honest from a few
// dozen cases per arm). The raw (unstratified) Welch difference is reported beside it.
//
// Cases still needed for a chosen half-width h: Var shrinks as 1/N at a fixed mix, so
// N_needed = N x Var / (h / 1.96)^2, and the answer is N_needed - N (0 when reached).
//
// Thread safety: pure. Errors: none (a measure without data has n = 0 and no interval).
#ifndef CASEROUTER_ROUTER_POLICY_BENCHMARK_STATS_H_
#define CASEROUTER_ROUTER_POLICY_BENCHMARK_STATS_H_

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/types/span.h"

namespace caserouter {

enum class BenchmarkMeasure {
  kFcr = 0,
  kCsat = 1,
  kAnswerSeconds = 2,
  kAbandonment = 3,
  kServiceLevel = 4,
};
inline constexpr int kBenchmarkMeasureCount = 5;
// "fcr", "csat", "answer_seconds", "abandonment", "service_level": also metric label values.
const char* BenchmarkMeasureName(BenchmarkMeasure m);

struct BenchmarkSample {
  std::string arm;
  std::string stratum;  // topic and channel, e.g. "billing/phone"
  std::array<std::optional<double>, kBenchmarkMeasureCount> value;
  void Set(BenchmarkMeasure m, double v) { value[static_cast<int>(m)] = v; }
};

// Mean with its 95 % interval.
struct ArmEstimate {
  int64_t n = 0;
  double mean = 0;
  double half_width = 0;  // 1.96 x standard error; 0 when n < 2
};

struct ArmMeasures {
  std::string arm;
  int64_t cases = 0;  // samples of the arm
  std::array<ArmEstimate, kBenchmarkMeasureCount> measure;
};

struct ArmDifference {
  double diff = 0;        // B - A, stratified
  double half_width = 0;  // 95 %
  double raw_diff = 0;    // B - A over all cases, not stratified
  double raw_half_width = 0;
  int64_t matched = 0;    // samples in strata both arms have
  int64_t unmatched = 0;  // samples left out
  bool defined = false;   // some stratum had both arms
  // Cases (of both arms) still needed for a half-width of `precision`; -1 unknown.
  int64_t cases_needed = -1;
};

struct ArmComparison {
  std::string baseline;  // A
  std::string arm;       // B
  std::array<ArmDifference, kBenchmarkMeasureCount> measure;
};

struct BenchmarkComparison {
  std::vector<ArmMeasures> arms;           // in the order of `arm_names`
  std::vector<ArmComparison> differences;  // every other arm against the first
};

// The precision asked for, per measure, in the measure's own units (a share for fcr,
// abandonment and service_level; points for csat; seconds for answer time).
using BenchmarkPrecision = std::array<double, kBenchmarkMeasureCount>;
inline constexpr BenchmarkPrecision kDefaultPrecision = {0.02, 0.1, 5, 0.01, 0.02};

// Compares the arms named (the first is the baseline); samples of other arms are ignored.
BenchmarkComparison CompareArms(absl::Span<const BenchmarkSample> samples,
                                const std::vector<std::string>& arm_names,
                                const BenchmarkPrecision& precision = kDefaultPrecision);

}  // namespace caserouter

#endif  // CASEROUTER_ROUTER_POLICY_BENCHMARK_STATS_H_
