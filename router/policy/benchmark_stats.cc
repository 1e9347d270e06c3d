#include "router/policy/benchmark_stats.h"

#include <cmath>
#include <map>

namespace caserouter {
namespace {

constexpr double kZ95 = 1.959963984540054;

struct Moments {
  int64_t n = 0;
  double sum = 0;
  double sum_sq = 0;
  void Add(double v) {
    ++n;
    sum += v;
    sum_sq += v * v;
  }
  double Mean() const { return n > 0 ? sum / n : 0; }
  // Sample variance (n - 1); 0 below two values.
  double Variance() const {
    if (n < 2) return 0;
    double v = (sum_sq - sum * sum / n) / (n - 1);
    return v > 0 ? v : 0;
  }
};

ArmEstimate EstimateOf(const Moments& m) {
  ArmEstimate e;
  e.n = m.n;
  e.mean = m.Mean();
  if (m.n >= 2) e.half_width = kZ95 * std::sqrt(m.Variance() / m.n);
  return e;
}

}  // namespace

const char* BenchmarkMeasureName(BenchmarkMeasure m) {
  switch (m) {
    case BenchmarkMeasure::kFcr:
      return "fcr";
    case BenchmarkMeasure::kCsat:
      return "csat";
    case BenchmarkMeasure::kAnswerSeconds:
      return "answer_seconds";
    case BenchmarkMeasure::kAbandonment:
      return "abandonment";
    case BenchmarkMeasure::kServiceLevel:
      return "service_level";
  }
  return "unknown";
}

BenchmarkComparison CompareArms(absl::Span<const BenchmarkSample> samples,
                                const std::vector<std::string>& arm_names,
                                const BenchmarkPrecision& precision) {
  const size_t arms = arm_names.size();
  std::map<std::string, size_t> index;
  for (size_t i = 0; i < arms; ++i) index.emplace(arm_names[i], i);
  // Per measure, per arm: over all strata, and per stratum.
  std::vector<std::array<Moments, kBenchmarkMeasureCount>> total(arms);
  std::vector<std::array<std::map<std::string, Moments>, kBenchmarkMeasureCount>> by_stratum(arms);
  std::vector<int64_t> cases(arms, 0);
  for (const BenchmarkSample& s : samples) {
    auto it = index.find(s.arm);
    if (it == index.end()) continue;
    const size_t a = it->second;
    ++cases[a];
    for (int m = 0; m < kBenchmarkMeasureCount; ++m) {
      if (!s.value[m]) continue;
      total[a][m].Add(*s.value[m]);
      by_stratum[a][m][s.stratum].Add(*s.value[m]);
    }
  }
  BenchmarkComparison out;
  for (size_t a = 0; a < arms; ++a) {
    ArmMeasures am;
    am.arm = arm_names[a];
    am.cases = cases[a];
    for (int m = 0; m < kBenchmarkMeasureCount; ++m) am.measure[m] = EstimateOf(total[a][m]);
    out.arms.push_back(std::move(am));
  }
  for (size_t b = 1; b < arms; ++b) {
    ArmComparison cmp;
    cmp.baseline = arm_names[0];
    cmp.arm = arm_names[b];
    for (int m = 0; m < kBenchmarkMeasureCount; ++m) {
      ArmDifference& d = cmp.measure[m];
      const Moments& ta = total[0][m];
      const Moments& tb = total[b][m];
      if (ta.n > 0 && tb.n > 0) {
        d.raw_diff = tb.Mean() - ta.Mean();
        d.raw_half_width = kZ95 * std::sqrt((ta.n > 1 ? ta.Variance() / ta.n : 0) +
                                            (tb.n > 1 ? tb.Variance() / tb.n : 0));
      }
      const double var_a = ta.Variance();
      const double var_b = tb.Variance();
      double weighted_diff = 0;
      double weighted_var = 0;  // with weights n_s, divided by N^2 below
      for (const auto& [stratum, ma] : by_stratum[0][m]) {
        auto ib = by_stratum[b][m].find(stratum);
        if (ib == by_stratum[b][m].end()) continue;
        const Moments& mb = ib->second;
        const double n_s = static_cast<double>(ma.n + mb.n);
        d.matched += ma.n + mb.n;
        weighted_diff += n_s * (mb.Mean() - ma.Mean());
        const double va = ma.n >= 2 ? ma.Variance() : var_a;
        const double vb = mb.n >= 2 ? mb.Variance() : var_b;
        weighted_var += n_s * n_s * (va / ma.n + vb / mb.n);
      }
      d.unmatched = ta.n + tb.n - d.matched;
      if (d.matched == 0) continue;
      d.defined = true;
      const double n = static_cast<double>(d.matched);
      d.diff = weighted_diff / n;
      const double var = weighted_var / (n * n);
      d.half_width = kZ95 * std::sqrt(var);
      const double h = precision[m];
      if (h > 0 && (ta.n >= 2 && tb.n >= 2)) {
        const double needed = n * var / ((h / kZ95) * (h / kZ95));
        d.cases_needed = needed <= n ? 0 : static_cast<int64_t>(std::ceil(needed - n));
      }
    }
    out.differences.push_back(std::move(cmp));
  }
  return out;
}

}  // namespace caserouter
