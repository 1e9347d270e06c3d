#include "tools/sim/erlang.h"

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "gtest/gtest.h"

namespace caserouter {
namespace {

// The example: 100 calls per 30 minutes, 3-minute handle time, 14 agents, 20 s.
QueueModel PublishedExample() {
  QueueModel model;
  model.arrivals_per_second = 100.0 / 1800;
  model.mean_handle_seconds = 180;
  model.agents = 14;
  model.answer_threshold_seconds = 20;
  return model;
}

QueueModel PublishedExampleWithPatience() {
  QueueModel model = PublishedExample();
  model.mean_patience_seconds = 300;
  return model;
}

void ExpectInvalidNaming(const absl::StatusOr<QueueMetrics>& result, const std::string& field) {
  ASSERT_FALSE(result.ok()) << "expected an error naming " << field;
  EXPECT_EQ(result.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(result.status().message().find(field), absl::string_view::npos)
      << result.status().message();
}

TEST(ErlangCTest, ReproducesPublishedExample) {
  absl::StatusOr<QueueMetrics> m = ErlangC(PublishedExample());
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_NEAR(m->p_wait, 0.174, 0.0005);
  EXPECT_NEAR(m->service_level, 0.888, 0.0005);
  EXPECT_NEAR(m->occupancy, 0.714, 0.0005);
  EXPECT_EQ(m->p_abandon, 0);
  EXPECT_EQ(m->p_abandon_within_threshold, 0);
  // Mean wait of all arrivals: C / (nμ - λ) = 0.1741 · 180 / 4.
  EXPECT_NEAR(m->mean_wait_seconds, 7.835, 0.005);
}

TEST(ErlangCTest, SingleAgentMatchesMM1) {
  QueueModel model;
  model.arrivals_per_second = 0.06;
  model.mean_handle_seconds = 10;  // ρ = 0.6
  model.agents = 1;
  model.answer_threshold_seconds = 15;
  absl::StatusOr<QueueMetrics> m = ErlangC(model);
  ASSERT_TRUE(m.ok()) << m.status();
  const double rho = 0.6, drain = 0.1 - 0.06;
  EXPECT_NEAR(m->p_wait, rho, 1e-12);
  EXPECT_NEAR(m->service_level, 1 - rho * std::exp(-drain * 15), 1e-12);
  EXPECT_NEAR(m->mean_wait_seconds, rho / drain, 1e-9);
  EXPECT_NEAR(m->occupancy, rho, 1e-12);
}

TEST(ErlangCTest, RejectsInvalidFieldsByName) {
  QueueModel m = PublishedExample();
  m.arrivals_per_second = 0;
  ExpectInvalidNaming(ErlangC(m), "arrivals_per_second");
  m = PublishedExample();
  m.arrivals_per_second = std::numeric_limits<double>::quiet_NaN();
  ExpectInvalidNaming(ErlangC(m), "arrivals_per_second");
  m = PublishedExample();
  m.mean_handle_seconds = -1;
  ExpectInvalidNaming(ErlangC(m), "mean_handle_seconds");
  m = PublishedExample();
  m.agents = 0;
  ExpectInvalidNaming(ErlangC(m), "agents");
  m = PublishedExample();
  m.answer_threshold_seconds = -1;
  ExpectInvalidNaming(ErlangC(m), "answer_threshold_seconds");
  m = PublishedExample();
  m.agents = 10;  // load is exactly 10 Erlangs: no steady state
  ExpectInvalidNaming(ErlangC(m), "agents");
  m.agents = 9;
  ExpectInvalidNaming(ErlangC(m), "agents");
}

TEST(ErlangCTest, MoreAgentsWaitLess) {
  QueueModel model = PublishedExample();  // 10 Erlangs
  QueueMetrics previous;
  for (int agents = 11; agents <= 15; ++agents) {
    model.agents = agents;
    absl::StatusOr<QueueMetrics> m = ErlangC(model);
    ASSERT_TRUE(m.ok()) << m.status();
    if (agents > 11) {
      EXPECT_LT(m->p_wait, previous.p_wait) << agents;
      EXPECT_LT(m->mean_wait_seconds, previous.mean_wait_seconds) << agents;
      EXPECT_GT(m->service_level, previous.service_level) << agents;
      EXPECT_LT(m->occupancy, previous.occupancy) << agents;
    }
    previous = *m;
  }
}

TEST(ErlangATest, ReproducesPublishedExample) {
  absl::StatusOr<QueueMetrics> m = ErlangA(PublishedExampleWithPatience());
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_NEAR(m->p_wait, 0.1453, 0.00005);
  EXPECT_NEAR(m->p_abandon, 0.0140, 0.00005);
  EXPECT_NEAR(m->service_level, 0.917, 0.0005);
  // Abandonment relieves the agents: below Erlang C's 10/14.
  EXPECT_LT(m->occupancy, 10.0 / 14);
}

TEST(ErlangATest, InfinitePatienceAgreesWithErlangC) {
  for (int agents = 11; agents <= 15; ++agents) {
    QueueModel model = PublishedExample();
    model.agents = agents;
    absl::StatusOr<QueueMetrics> a = ErlangA(model);
    absl::StatusOr<QueueMetrics> c = ErlangC(model);
    ASSERT_TRUE(a.ok()) << a.status();
    ASSERT_TRUE(c.ok()) << c.status();
    EXPECT_NEAR(a->p_wait, c->p_wait, 1e-12) << agents;
    EXPECT_EQ(a->p_abandon, 0) << agents;
    EXPECT_NEAR(a->service_level, c->service_level, 1e-12) << agents;
    EXPECT_NEAR(a->occupancy, c->occupancy, 1e-12) << agents;
    EXPECT_NEAR(a->mean_wait_seconds, c->mean_wait_seconds, 1e-9) << agents;
  }
}

TEST(ErlangATest, HugePatienceAgreesWithErlangC) {
  // θ → 0: the chain with abandonment must tend to the closed formula.
  for (int agents = 11; agents <= 15; ++agents) {
    QueueModel model = PublishedExample();
    model.agents = agents;
    model.mean_patience_seconds = 1e9;
    absl::StatusOr<QueueMetrics> a = ErlangA(model);
    absl::StatusOr<QueueMetrics> c = ErlangC(model);
    ASSERT_TRUE(a.ok()) << a.status();
    ASSERT_TRUE(c.ok()) << c.status();
    EXPECT_NEAR(a->p_wait, c->p_wait, 1e-6) << agents;
    EXPECT_NEAR(a->p_abandon, 0, 1e-6) << agents;
    EXPECT_GT(a->p_abandon, 0) << agents;
    EXPECT_NEAR(a->service_level, c->service_level, 1e-6) << agents;
    EXPECT_NEAR(a->occupancy, c->occupancy, 1e-6) << agents;
    EXPECT_NEAR(a->mean_wait_seconds, c->mean_wait_seconds, 1e-3) << agents;
  }
}

TEST(ErlangATest, TaggedCustomerAgreesWithLittlesLaw) {
  // p_abandon comes from the per-arrival probabilities; Little's law gives it independently
  // as θ·E[queue]/λ = mean_wait / patience, and the throughput gives the occupancy.
  for (int agents : {6, 10, 14, 20}) {  // overloaded, critical and comfortable
    QueueModel model = PublishedExampleWithPatience();
    model.agents = agents;
    absl::StatusOr<QueueMetrics> m = ErlangA(model);
    ASSERT_TRUE(m.ok()) << m.status();
    EXPECT_NEAR(m->p_abandon, m->mean_wait_seconds / model.mean_patience_seconds, 1e-12) << agents;
    EXPECT_NEAR(m->occupancy, 10.0 * (1 - m->p_abandon) / agents, 1e-12) << agents;
  }
}

TEST(ErlangATest, PatienceEqualToHandleTimeIsPoisson) {
  // With θ = μ every customer in the system leaves at rate μ, as in M/M/∞: the number in
  // system is Poisson(A), so P(wait) = P(N >= n) and E[queue] = E[(N - n)+].
  QueueModel model = PublishedExample();
  model.mean_patience_seconds = model.mean_handle_seconds;
  absl::StatusOr<QueueMetrics> m = ErlangA(model);
  ASSERT_TRUE(m.ok()) << m.status();
  const double load = 10;
  double below = 0, excess = 0, term = std::exp(-load);
  for (int k = 0; k < 200; ++k) {
    if (k < model.agents) below += term;
    if (k > model.agents) excess += (k - model.agents) * term;
    term *= load / (k + 1);
  }
  EXPECT_NEAR(m->p_wait, 1 - below, 1e-12);
  EXPECT_NEAR(m->mean_wait_seconds, excess / model.arrivals_per_second, 1e-9);
}

TEST(ErlangATest, ServiceLevelMatchesHypoexponentialClosedForm) {
  // A small queue whose tail is negligible after a few places, checked against the textbook
  // formulas: P(answered | j) as the product of step probabilities, the wait of an answered
  // arrival as a hypoexponential with distinct rates μ + (i+1)θ, CDF in partial fractions.
  QueueModel model;
  model.arrivals_per_second = 0.05;
  model.mean_handle_seconds = 10;
  model.agents = 1;
  model.mean_patience_seconds = 2;
  model.answer_threshold_seconds = 3;
  const double lambda = 0.05, mu = 0.1, theta = 0.5, t = 3;
  const int kQueue = 12;
  std::vector<double> w = {1, lambda / mu};
  for (int j = 1; j <= kQueue; ++j) w.push_back(w.back() * lambda / (mu + j * theta));
  double total = 0;
  for (double x : w) total += x;
  double answered_within = 0;
  for (int j = 0; j < kQueue; ++j) {
    double p_answered = 1;
    for (int i = 0; i <= j; ++i) p_answered *= (mu + i * theta) / (mu + (i + 1) * theta);
    std::vector<double> rates;
    for (int i = 0; i <= j; ++i) rates.push_back(mu + (i + 1) * theta);
    double cdf = 1;
    for (size_t i = 0; i < rates.size(); ++i) {
      double coefficient = 1;
      for (size_t k = 0; k < rates.size(); ++k) {
        if (k != i) coefficient *= rates[k] / (rates[k] - rates[i]);
      }
      cdf -= coefficient * std::exp(-rates[i] * t);
    }
    answered_within += w[j + 1] / total * p_answered * cdf;
  }
  const double expected = w[0] / total + answered_within;
  absl::StatusOr<QueueMetrics> m = ErlangA(model);
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_NEAR(m->service_level, expected, 1e-10);
  EXPECT_NEAR(m->p_wait, 1 - w[0] / total, 1e-12);
}

TEST(ErlangATest, ThresholdLimits) {
  QueueModel model = PublishedExampleWithPatience();
  model.answer_threshold_seconds = 0;
  absl::StatusOr<QueueMetrics> at_once = ErlangA(model);
  ASSERT_TRUE(at_once.ok()) << at_once.status();
  EXPECT_NEAR(at_once->service_level, 1 - at_once->p_wait, 1e-15);
  EXPECT_EQ(at_once->p_abandon_within_threshold, 0);

  // A threshold far beyond any wait: everyone answered counts, abandoners never do.
  model.answer_threshold_seconds = 20000;
  absl::StatusOr<QueueMetrics> eventually = ErlangA(model);
  ASSERT_TRUE(eventually.ok()) << eventually.status();
  EXPECT_NEAR(eventually->service_level, 1 - eventually->p_abandon, 1e-10);
  EXPECT_NEAR(eventually->p_abandon_within_threshold, eventually->p_abandon, 1e-10);

  // The published threshold lies in between, and the alternative definition documented in
  // the header (short abandons excluded) is larger.
  absl::StatusOr<QueueMetrics> published = ErlangA(PublishedExampleWithPatience());
  ASSERT_TRUE(published.ok()) << published.status();
  EXPECT_GT(published->p_abandon_within_threshold, 0);
  EXPECT_LT(published->p_abandon_within_threshold, published->p_abandon);
  EXPECT_NEAR(published->service_level / (1 - published->p_abandon_within_threshold), 0.9234,
              0.00005);
}

TEST(ErlangATest, VeryShortPatienceIsErlangB) {
  // Customers who leave the instant they would queue: the loss system M/M/n/n.
  QueueModel model = PublishedExample();
  model.mean_patience_seconds = 1e-6;
  absl::StatusOr<QueueMetrics> m = ErlangA(model);
  ASSERT_TRUE(m.ok()) << m.status();
  double sum = 0, term = 1;
  for (int k = 0; k <= model.agents; ++k) {
    sum += term;
    if (k < model.agents) term *= 10.0 / (k + 1);
  }
  const double erlang_b = term / sum;
  EXPECT_NEAR(m->p_wait, erlang_b, 1e-6);
  EXPECT_NEAR(m->p_abandon, erlang_b, 1e-6);
  EXPECT_NEAR(m->service_level, 1 - erlang_b, 1e-6);
}

TEST(ErlangATest, MoreAgentsWaitLess) {
  QueueModel model = PublishedExampleWithPatience();  // 10 Erlangs: 10 agents is critical
  QueueMetrics previous;
  for (int agents = 10; agents <= 15; ++agents) {
    model.agents = agents;
    absl::StatusOr<QueueMetrics> m = ErlangA(model);
    ASSERT_TRUE(m.ok()) << m.status();
    EXPECT_GT(m->p_wait, 0);
    EXPECT_LE(m->p_abandon, m->p_wait);
    if (agents > 10) {
      EXPECT_LT(m->p_wait, previous.p_wait) << agents;
      EXPECT_LT(m->p_abandon, previous.p_abandon) << agents;
      EXPECT_LT(m->mean_wait_seconds, previous.mean_wait_seconds) << agents;
      EXPECT_GT(m->service_level, previous.service_level) << agents;
      EXPECT_LT(m->occupancy, previous.occupancy) << agents;
    }
    previous = *m;
  }
}

TEST(ErlangATest, OverloadHasSteadyState) {
  // 20 Erlangs on 14 agents: only abandonment keeps the queue finite. The agents can carry at
  // most 14 of the 20, so at least 30% of the arrivals must abandon.
  QueueModel model = PublishedExampleWithPatience();
  model.arrivals_per_second = 200.0 / 1800;
  absl::StatusOr<QueueMetrics> m = ErlangA(model);
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_GT(m->p_abandon, 0.3);
  EXPECT_LT(m->p_abandon, m->p_wait);
  EXPECT_LE(m->p_wait, 1);
  EXPECT_LT(m->occupancy, 1);
  EXPECT_GT(m->occupancy, 0.95);
}

TEST(ErlangATest, LargeCentreIsStable) {
  // A^n/n! for n near 1000 overflows a double: the chain must work in log space.
  QueueModel model;
  model.arrivals_per_second = 980.0 / 300;
  model.mean_handle_seconds = 300;
  model.agents = 1000;
  absl::StatusOr<QueueMetrics> a = ErlangA(model);
  absl::StatusOr<QueueMetrics> c = ErlangC(model);
  ASSERT_TRUE(a.ok()) << a.status();
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_GT(c->p_wait, 0.01);
  EXPECT_LT(c->p_wait, 1);
  EXPECT_NEAR(a->p_wait, c->p_wait, 1e-9);
  EXPECT_NEAR(a->service_level, c->service_level, 1e-9);
  model.mean_patience_seconds = 120;
  absl::StatusOr<QueueMetrics> with_patience = ErlangA(model);
  ASSERT_TRUE(with_patience.ok()) << with_patience.status();
  EXPECT_LT(with_patience->p_wait, c->p_wait);
  EXPECT_GT(with_patience->service_level, c->service_level);
}

TEST(ErlangATest, RejectsInvalidFieldsByName) {
  QueueModel m = PublishedExampleWithPatience();
  m.arrivals_per_second = -1;
  ExpectInvalidNaming(ErlangA(m), "arrivals_per_second");
  m = PublishedExampleWithPatience();
  m.mean_handle_seconds = 0;
  ExpectInvalidNaming(ErlangA(m), "mean_handle_seconds");
  m = PublishedExampleWithPatience();
  m.mean_handle_seconds = std::numeric_limits<double>::infinity();
  ExpectInvalidNaming(ErlangA(m), "mean_handle_seconds");
  m = PublishedExampleWithPatience();
  m.agents = -3;
  ExpectInvalidNaming(ErlangA(m), "agents");
  m = PublishedExampleWithPatience();
  m.mean_patience_seconds = 0;
  ExpectInvalidNaming(ErlangA(m), "mean_patience_seconds");
  m.mean_patience_seconds = std::numeric_limits<double>::quiet_NaN();
  ExpectInvalidNaming(ErlangA(m), "mean_patience_seconds");
  m = PublishedExampleWithPatience();
  m.answer_threshold_seconds = std::numeric_limits<double>::infinity();
  ExpectInvalidNaming(ErlangA(m), "answer_threshold_seconds");
  // Without abandonment an overloaded queue grows without bound.
  m = PublishedExample();
  m.agents = 10;
  ExpectInvalidNaming(ErlangA(m), "agents");
  // With abandonment the same load is fine.
  m.mean_patience_seconds = 300;
  EXPECT_TRUE(ErlangA(m).ok());
}

}  // namespace
}  // namespace caserouter
