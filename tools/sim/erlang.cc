// Erlang C in closed form and Erlang A from its birth–death chain.
//
// Why a chain and not Palm's closed forms for Erlang A: the closed forms go through incomplete
// gamma functions of large arguments, which overflow or cancel for big centres, and they give
// no waiting-time distribution for free. The chain is a sum of positive terms computed in log
// space; its truncation error is bounded by a geometric tail; and the same per-arrival view
// (an arrival that finds j customers queued ahead) gives the abandonment probability and the
// waiting-time distribution of the answered ones.
//
// The tagged customer. An arrival that finds j customers queued ahead needs j + 1 "steps"
// before it is answered: with i customers ahead, the next step (a service completion, rate nμ,
// or an abandonment of one of the i ahead, rate iθ) has rate nμ + iθ, and the tagged customer
// itself abandons at rate θ. The competing exponentials make the time to the next event
// exponential with rate nμ + (i + 1)θ whatever happens, so its position is a small Markov
// chain: phase i (i ahead) → phase i - 1 (or answered from phase 0) at rate nμ + iθ, →
// abandoned at rate θ. The product of the step probabilities telescopes:
//   P(answered | j) = Π_{i=0..j} (nμ + iθ)/(nμ + (i+1)θ) = nμ / (nμ + (j+1)θ),
// which is what we use, exactly and without cancellation. P(answered within t) comes from the
// transient distribution of that chain, by uniformization: a discrete chain stepped with
// Poisson weights, all terms positive. The time is cut into chunks with a small Poisson mean so
// that e^{-LΔ} never underflows, however large the rates or the threshold.
#include "tools/sim/erlang.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace caserouter {
namespace {

// Truncate the chain where the tail beyond the last kept state is at most this share of the
// largest state weight (hence of the total mass).
constexpr double kTailTolerance = 1e-15;
// Poisson mean of one uniformization chunk: small enough that exp(-mean) is far from
// underflow, large enough that a long threshold needs few chunks.
constexpr double kChunkPoissonMean = 8;
// Stop the Poisson series of a chunk when its remaining weight is below this.
constexpr double kPoissonTailTolerance = 1e-17;
// Stop stepping time once the mass still waiting is below this: everything has been answered
// or has abandoned (keeps very short patience from needing millions of chunks).
constexpr double kNegligibleMass = 1e-18;

absl::Status FieldError(absl::string_view field, absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat(field, ": ", what));
}

bool IsPositiveFinite(double x) { return x > 0 && std::isfinite(x); }

// Checks the fields both solvers use; the patience is ErlangA's business.
absl::Status ValidateCommon(const QueueModel& model) {
  if (!IsPositiveFinite(model.arrivals_per_second)) {
    return FieldError("arrivals_per_second",
                      absl::StrCat("must be positive and finite, got ", model.arrivals_per_second));
  }
  if (!IsPositiveFinite(model.mean_handle_seconds)) {
    return FieldError("mean_handle_seconds",
                      absl::StrCat("must be positive and finite, got ", model.mean_handle_seconds));
  }
  if (model.agents <= 0) {
    return FieldError("agents", absl::StrCat("must be positive, got ", model.agents));
  }
  if (!(model.answer_threshold_seconds >= 0) || !std::isfinite(model.answer_threshold_seconds)) {
    return FieldError(
        "answer_threshold_seconds",
        absl::StrCat("must be non-negative and finite, got ", model.answer_threshold_seconds));
  }
  return absl::OkStatus();
}

// Without abandonment the queue only has a steady state when the agents can carry the load.
absl::Status ValidateStable(const QueueModel& model) {
  const double load = model.arrivals_per_second * model.mean_handle_seconds;
  if (load >= model.agents) {
    return FieldError("agents", absl::StrCat("must exceed the offered load arrivals_per_second * "
                                             "mean_handle_seconds = ",
                                             load, " when nobody abandons, got ", model.agents));
  }
  return absl::OkStatus();
}

// Erlang B (loss probability of M/M/n/n) by the recursion B(k) = A·B(k-1) / (k + A·B(k-1)):
// every step is a ratio of positive numbers, so it neither overflows nor cancels.
double ErlangB(int agents, double load) {
  double b = 1;
  for (int k = 1; k <= agents; ++k) b = load * b / (k + load * b);
  return b;
}

// Mass answered / abandoned within `t` seconds when `waiting[j]` is the probability that an
// arrival finds j customers queued ahead (the tagged-customer chain of the file comment).
struct WithinThreshold {
  double answered = 0;
  double abandoned = 0;
};

WithinThreshold TaggedOutcomesWithin(std::vector<double> waiting, double total_service_rate,
                                     double theta, double t) {
  WithinThreshold result;
  const size_t phases = waiting.size();
  if (phases == 0 || t <= 0) return result;
  // Phase j leaves at rate nμ + (j+1)θ: the deepest phase has the largest rate.
  const double uniform_rate = total_service_rate + static_cast<double>(phases) * theta;
  const int64_t chunks =
      std::max<int64_t>(1, static_cast<int64_t>(std::ceil(uniform_rate * t / kChunkPoissonMean)));
  const double mean = uniform_rate * t / static_cast<double>(chunks);
  const double start_weight = std::exp(-mean);

  // Per-phase jump probabilities of the uniformized chain.
  std::vector<double> stay(phases), advance(phases);
  for (size_t j = 0; j < phases; ++j) {
    advance[j] = (total_service_rate + static_cast<double>(j) * theta) / uniform_rate;
    stay[j] = 1 - (total_service_rate + static_cast<double>(j + 1) * theta) / uniform_rate;
  }
  const double abandon = theta / uniform_rate;

  std::vector<double> step(phases), next(phases), chunk_end(phases);
  for (int64_t c = 0; c < chunks; ++c) {
    // p(Δ) = Σ_m Pois(m; mean) · P^m p(0); absorbed mass likewise, from its running totals.
    step = waiting;
    std::fill(chunk_end.begin(), chunk_end.end(), 0.0);
    double answered_steps = 0, abandoned_steps = 0;  // absorbed after m steps of this chunk
    double answered_chunk = 0, abandoned_chunk = 0;
    double weight = start_weight;
    for (int64_t m = 0;; ++m) {
      for (size_t j = 0; j < phases; ++j) chunk_end[j] += weight * step[j];
      answered_chunk += weight * answered_steps;
      abandoned_chunk += weight * abandoned_steps;
      // The weights decrease faster than geometrically with ratio mean/(m+1) past the mode.
      const double ratio = mean / static_cast<double>(m + 1);
      if (ratio < 1 && weight * ratio / (1 - ratio) < kPoissonTailTolerance) break;
      double still_waiting = 0;
      for (size_t j = 0; j < phases; ++j) {
        next[j] = step[j] * stay[j] + (j + 1 < phases ? step[j + 1] * advance[j + 1] : 0.0);
        still_waiting += step[j];
      }
      answered_steps += step[0] * advance[0];
      abandoned_steps += still_waiting * abandon;
      step.swap(next);
      weight *= ratio;
    }
    result.answered += answered_chunk;
    result.abandoned += abandoned_chunk;
    waiting.swap(chunk_end);
    double left = 0;
    for (double p : waiting) left += p;
    if (left < kNegligibleMass) break;
  }
  return result;
}

}  // namespace

absl::StatusOr<QueueMetrics> ErlangC(const QueueModel& model) {
  if (absl::Status s = ValidateCommon(model); !s.ok()) return s;
  if (absl::Status s = ValidateStable(model); !s.ok()) return s;
  const double n = model.agents;
  const double load = model.arrivals_per_second * model.mean_handle_seconds;
  const double b = ErlangB(model.agents, load);
  // C = n·B / (n - A(1 - B)): the standard B → C conversion, all terms positive when A < n.
  const double c = n * b / (n - load * (1 - b));
  // Spare service capacity nμ - λ: the rate at which a waiting arrival's wait ends.
  const double drain_rate = (n - load) / model.mean_handle_seconds;
  QueueMetrics metrics;
  metrics.p_wait = c;
  metrics.p_abandon = 0;
  metrics.service_level = 1 - c * std::exp(-drain_rate * model.answer_threshold_seconds);
  metrics.occupancy = load / n;
  metrics.mean_wait_seconds = c / drain_rate;
  metrics.p_abandon_within_threshold = 0;
  return metrics;
}

absl::StatusOr<QueueMetrics> ErlangA(const QueueModel& model) {
  if (absl::Status s = ValidateCommon(model); !s.ok()) return s;
  if (!(model.mean_patience_seconds > 0)) {  // also rejects NaN
    return FieldError("mean_patience_seconds",
                      absl::StrCat("must be positive (infinity: nobody abandons), got ",
                                   model.mean_patience_seconds));
  }
  const bool abandons = std::isfinite(model.mean_patience_seconds);
  if (!abandons) {
    if (absl::Status s = ValidateStable(model); !s.ok()) return s;
  }
  const double lambda = model.arrivals_per_second;
  const double mu = 1 / model.mean_handle_seconds;
  const double theta = abandons ? 1 / model.mean_patience_seconds : 0;
  const int agents = model.agents;
  const double total_service_rate = agents * mu;

  // Unnormalized log weights of "n in system": w_n = w_{n-1} · λ / (death rate of state n),
  // death rate nμ up to the agents, then nμ_total + jθ with j queued. Logs, so that a large
  // centre (A^n/n! for n in the thousands) does not overflow.
  std::vector<double> log_weight;
  log_weight.reserve(static_cast<size_t>(agents) + 256);
  log_weight.push_back(0);
  double max_log = 0;
  for (int n = 1; n <= agents; ++n) {
    log_weight.push_back(log_weight.back() + std::log(lambda / (n * mu)));
    max_log = std::max(max_log, log_weight.back());
  }
  // Queue states. The ratios λ/(nμ + jθ) never increase with j, so once one is below 1 the
  // weights only fall and the tail past the current state is at most w·r/(1 - r).
  for (int64_t j = 1;; ++j) {
    const double ratio = lambda / (total_service_rate + static_cast<double>(j) * theta);
    if (ratio < 1 &&
        std::exp(log_weight.back() - max_log) * ratio / (1 - ratio) <= kTailTolerance) {
      break;
    }
    if (j > kMaxErlangQueueStates) {
      return FieldError(abandons ? "mean_patience_seconds" : "agents",
                        absl::StrCat("the queue would need more than ", kMaxErlangQueueStates,
                                     " states to converge; patience too long for the overload"));
    }
    log_weight.push_back(log_weight.back() + std::log(ratio));
    max_log = std::max(max_log, log_weight.back());
  }

  std::vector<double> pi(log_weight.size());
  double total = 0;
  for (size_t n = 0; n < pi.size(); ++n) {
    pi[n] = std::exp(log_weight[n] - max_log);
    total += pi[n];
  }
  for (double& p : pi) p /= total;

  // By PASTA an arrival sees pi. waiting[j] = P(arrival finds all agents busy and j queued).
  std::vector<double> waiting(pi.begin() + agents, pi.end());
  double p_wait = 0, mean_queue = 0, p_abandon = 0, busy = 0;
  for (int n = 0; n < agents; ++n) busy += n * pi[n];
  for (size_t j = 0; j < waiting.size(); ++j) {
    const double ahead_and_self = static_cast<double>(j + 1) * theta;
    p_wait += waiting[j];
    mean_queue += static_cast<double>(j) * waiting[j];
    busy += agents * waiting[j];
    // 1 - P(answered | j) = (j+1)θ / (nμ + (j+1)θ), the telescoped product (file comment).
    p_abandon += waiting[j] * ahead_and_self / (total_service_rate + ahead_and_self);
  }
  const WithinThreshold within = TaggedOutcomesWithin(std::move(waiting), total_service_rate, theta,
                                                      model.answer_threshold_seconds);

  QueueMetrics metrics;
  metrics.p_wait = p_wait;
  metrics.p_abandon = p_abandon;
  metrics.service_level = (1 - p_wait) + within.answered;
  metrics.occupancy = busy / agents;
  metrics.mean_wait_seconds = mean_queue / lambda;  // Little's law on the queue
  metrics.p_abandon_within_threshold = within.abandoned;
  return metrics;
}

}  // namespace caserouter
