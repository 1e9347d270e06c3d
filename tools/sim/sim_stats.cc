#include "tools/sim/sim_stats.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace caserouter {
namespace {

double Ratio(double a, double b) { return b > 0 ? a / b : 0; }

double Mean(const std::vector<double>& v) {
  double sum = 0;
  for (double x : v) sum += x;
  return v.empty() ? 0 : sum / v.size();
}

double StdDev(const std::vector<double>& v) {
  if (v.size() < 2) return 0;
  double m = Mean(v), sum = 0;
  for (double x : v) sum += (x - m) * (x - m);
  return std::sqrt(sum / (v.size() - 1));
}

// Two-sided 95% Student t quantiles for 1..30 degrees of freedom; the normal's beyond.
double T95(int dof) {
  static const double kT[] = {12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306,
                              2.262,  2.228, 2.201, 2.179, 2.160, 2.145, 2.131, 2.120,
                              2.110,  2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064,
                              2.060,  2.056, 2.052, 2.048, 2.045, 2.042};
  if (dof < 1) return 0;
  return dof <= 30 ? kT[dof - 1] : 1.96;
}

double T99(int dof) {
  static const double kT[] = {63.657, 9.925, 5.841, 4.604, 4.032, 3.707, 3.499, 3.355,
                              3.250,  3.169, 3.106, 3.055, 3.012, 2.977, 2.947, 2.921,
                              2.898,  2.878, 2.861, 2.845, 2.831, 2.819, 2.807, 2.797,
                              2.787,  2.779, 2.771, 2.763, 2.756, 2.750};
  if (dof < 1) return 0;
  return dof <= 30 ? kT[dof - 1] : 2.576;
}

}  // namespace

double TQuantile95(int dof) { return T95(dof); }
double TQuantile99(int dof) { return T99(dof); }

double Quantile(std::vector<double> values, double q) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  double pos = q * (values.size() - 1);
  size_t lo = static_cast<size_t>(std::floor(pos));
  size_t hi = std::min(values.size() - 1, lo + 1);
  return values[lo] + (values[hi] - values[lo]) * (pos - lo);
}

RunMetrics Summarize(const SimResult& r) {
  RunMetrics m;
  m.fcr = Ratio(r.first_contact_resolved, r.needs_served);
  m.transfer_rate = Ratio(r.engine_transfers, r.needs_served);
  m.resolved_after_transfer = Ratio(r.resolved_after_transfer, r.needs_served);
  m.repeat_rate = Ratio(r.returns, r.completed);
  std::vector<double> all_waits;
  double arrivals = 0, abandoned = 0, in_sla = 0, judged = 0;
  for (int i = 0; i < kChannelCount; ++i) {
    const ChannelResult& c = r.channels[i];
    all_waits.insert(all_waits.end(), c.waits.begin(), c.waits.end());
    m.channel_mean_wait[i] = Mean(c.waits);
    m.channel_p90_wait[i] = Quantile(c.waits, 0.9);
    const double channel_judged = c.answered + c.abandoned + c.expired;
    m.channel_sla[i] = Ratio(c.answered_in_sla, channel_judged);
    m.channel_arrivals[i] = c.arrivals;
    arrivals += c.arrivals;
    abandoned += c.abandoned;
    in_sla += c.answered_in_sla;
    judged += channel_judged;
  }
  m.mean_wait = Mean(all_waits);
  m.p90_wait = Quantile(all_waits, 0.9);
  m.sla = Ratio(in_sla, judged);
  m.abandonment = Ratio(abandoned, arrivals);
  m.occupancy_mean = Mean(r.occupancy);
  m.occupancy_spread = StdDev(r.occupancy);
  m.decisions_per_second = Ratio(r.decisions, r.wall_seconds);
  double answered = 0;
  for (const ChannelResult& c : r.channels) answered += c.answered;
  m.choice = Ratio(r.answered_with_alternative, answered);
  m.explored = Ratio(r.explored_offers, answered);
  m.exploration_cost = Ratio(r.exploration_cost, answered);
  m.prior_cases = Ratio(r.prior_cases_on_topic, answered);
  return m;
}

Estimate PairedDifference(const std::vector<double>& a, const std::vector<double>& b) {
  std::vector<double> d;
  for (size_t i = 0; i < a.size() && i < b.size(); ++i) d.push_back(a[i] - b[i]);
  return Combine(d);
}

Estimate RatioOfMeans(const std::vector<double>& num, const std::vector<double>& den) {
  Estimate e;
  const size_t n = std::min(num.size(), den.size());
  e.runs = static_cast<int>(n);
  if (n == 0) return e;
  std::vector<double> x(num.begin(), num.begin() + n), y(den.begin(), den.begin() + n);
  const double mx = Mean(x), my = Mean(y);
  if (my == 0) {
    e.half_width = std::numeric_limits<double>::infinity();
    return e;
  }
  e.mean = mx / my;
  if (n < 2) return e;
  double vx = 0, vy = 0, cxy = 0;
  for (size_t i = 0; i < n; ++i) {
    vx += (x[i] - mx) * (x[i] - mx);
    vy += (y[i] - my) * (y[i] - my);
    cxy += (x[i] - mx) * (y[i] - my);
  }
  vx /= n - 1, vy /= n - 1, cxy /= n - 1;
  // Var(X̄/Ȳ) ≈ (Var X - 2 R Cov(X, Y) + R² Var Y) / (n Ȳ²).
  const double r = e.mean;
  const double var = std::max(0.0, vx - 2 * r * cxy + r * r * vy) / (n * my * my);
  e.half_width = T95(static_cast<int>(n) - 1) * std::sqrt(var);
  return e;
}

Estimate Combine(const std::vector<double>& values) {
  Estimate e;
  e.runs = static_cast<int>(values.size());
  e.mean = Mean(values);
  if (values.size() >= 2) e.half_width = T95(e.runs - 1) * StdDev(values) / std::sqrt(e.runs);
  return e;
}

}  // namespace caserouter
