#include "tools/sim/theory_check.h"

#include <cmath>
#include <limits>
#include <random>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "tools/sim/sim_stats.h"
#include "tools/sim/simulator.h"

namespace caserouter {
namespace {

QueueModel ThreeMinuteCalls(double calls_per_hour, int agents, double patience_seconds) {
  QueueModel m;
  m.arrivals_per_second = calls_per_hour / 3600;
  m.mean_handle_seconds = 180;
  m.agents = agents;
  m.mean_patience_seconds = patience_seconds;
  m.answer_threshold_seconds = 20;
  return m;
}

constexpr double kInfinite = std::numeric_limits<double>::infinity();

}  // namespace

TheoryCase MakeTheoryCase(const QueueModel& model) {
  const double load = model.arrivals_per_second * model.mean_handle_seconds / model.agents;
  return TheoryCase{
      absl::StrFormat("%s, %d agents (load %.2f)",
                      std::isinf(model.mean_patience_seconds) ? "Erlang C" : "Erlang A",
                      model.agents, load),
      model};
}

TheoryCase PublishedErlangC(int agents) {
  return MakeTheoryCase(ThreeMinuteCalls(200, agents, kInfinite));
}
TheoryCase PublishedErlangA(int agents) {
  return MakeTheoryCase(ThreeMinuteCalls(200, agents, 300));
}
TheoryCase HeavyErlangC(int agents, double load) {
  return MakeTheoryCase(ThreeMinuteCalls(load * agents * 20, agents, kInfinite));
}
TheoryCase HeavyErlangA(int agents, double load) {
  return MakeTheoryCase(ThreeMinuteCalls(load * agents * 20, agents, 300));
}

uint64_t TheorySeed(const QueueModel& m) {
  const std::string key =
      absl::StrFormat("%.9g/%.9g/%d/%.9g/%.9g", m.arrivals_per_second, m.mean_handle_seconds,
                      m.agents, m.mean_patience_seconds, m.answer_threshold_seconds);
  uint64_t h = 1469598103934665603ull;  // FNV-1a
  for (unsigned char ch : key) h = (h ^ ch) * 1099511628211ull;
  return h >> 16;  // room for the run index and an offset
}

Workload TheoryWorkload(const QueueModel& model, double hours, uint64_t seed) {
  Workload w;
  w.name = "theory";
  w.trace.start = absl::FromUnixSeconds(1700000000);
  std::mt19937_64 random(seed * 1000003 + 11);
  std::exponential_distribution<double> gap(model.arrivals_per_second);
  std::exponential_distribution<double> handle(1 / model.mean_handle_seconds);
  int64_t index = 0;
  for (double at = gap(random); at < hours * 3600; at += gap(random), ++index) {
    TraceCase c;
    c.arrival = absl::Seconds(at);
    c.spec.channel = Channel::kPhone;
    c.spec.customer_id = absl::StrCat("caller-", index);
    c.spec.topic = "general";
    c.spec.required_skills = {{"general", 1}};
    c.spec.idempotency_key = absl::StrCat("theory-", seed, "-", index);
    c.handle_time = absl::Seconds(handle(random));
    w.trace.cases.push_back(std::move(c));
  }
  w.patience[ChannelIndex(Channel::kPhone)] = std::isinf(model.mean_patience_seconds)
                                                  ? absl::InfiniteDuration()
                                                  : absl::Seconds(model.mean_patience_seconds);
  for (int i = 0; i < model.agents; ++i) {
    SimAgent a;
    a.profile.id = absl::StrFormat("agent-%02d", i);
    a.profile.skills = {{"general", 5}};
    a.shifts = {Shift{absl::ZeroDuration(), absl::Hours(hours * 2 + 24)}};
    w.agents.push_back(std::move(a));
  }
  return w;
}

absl::StatusOr<std::vector<TheoryRow>> CheckTheory(const EngineConfig& base,
                                                   const TheoryCase& theory_case,
                                                   const TheoryOptions& o) {
  const QueueModel& model = theory_case.model;
  const bool erlang_a = !std::isinf(model.mean_patience_seconds);
  absl::StatusOr<QueueMetrics> theory = erlang_a ? ErlangA(model) : ErlangC(model);
  if (!theory.ok()) return theory.status();
  if (o.runs < 2) return absl::InvalidArgumentError("runs: at least 2 for an interval");
  if (!(o.hours > o.warm_up_hours) || !(o.warm_up_hours >= 0)) {
    return absl::InvalidArgumentError("hours: must be longer than the warm-up");
  }

  SimOptions options;
  options.config = base;
  options.config.strategy = o.strategy;
  options.config.topic_strategy.clear();
  ChannelConfig& phone = options.config.channels[ChannelIndex(Channel::kPhone)];
  phone.sla = absl::Seconds(model.answer_threshold_seconds);
  phone.wrap_up = absl::ZeroDuration();
  phone.ttl = absl::Hours(24 * 365);
  options.truth.speed_spread = 0;        // every agent works at the model's rate
  options.truth.spread = 0;              // ... and resolves as well as any other
  options.truth.relationship_bonus = 0;  // (every caller is new anyway)
  options.truth.return_probability = 0;  // nobody comes back: arrivals stay Poisson
  options.warm_up = absl::Hours(o.warm_up_hours);
  options.measure_until = absl::Hours(o.hours);
  // Nothing in this centre waits on a timer, so no periodic tick is needed between events.
  options.tick = absl::Hours(1);

  const double window_seconds = (o.hours - o.warm_up_hours) * 3600;
  std::vector<double> p_wait, p_abandon, service, occupancy;
  for (int r = 0; r < o.runs; ++r) {
    options.seed = TheorySeed(model) + o.seed_offset + r;
    Workload w = TheoryWorkload(model, o.hours, options.seed);
    absl::StatusOr<SimResult> result = Simulate(w, options);
    if (!result.ok()) return result.status();
    const ChannelResult& c = result->channels[ChannelIndex(Channel::kPhone)];
    if (c.arrivals == 0) return absl::InternalError("theory run had no arrivals");
    int64_t waited = c.abandoned + c.expired;
    for (double wait : c.waits) waited += wait > 0;
    p_wait.push_back(static_cast<double>(waited) / c.arrivals);
    p_abandon.push_back(static_cast<double>(c.abandoned) / c.arrivals);
    service.push_back(static_cast<double>(c.answered_in_sla) / c.arrivals);
    occupancy.push_back(result->busy_seconds_in_window / (model.agents * window_seconds));
  }
  const std::string strategy = StrategyName(o.strategy);
  std::vector<TheoryRow> rows;
  rows.push_back({theory_case.name, strategy, "P(wait)", theory->p_wait, Combine(p_wait)});
  if (erlang_a) {
    rows.push_back(
        {theory_case.name, strategy, "P(abandon)", theory->p_abandon, Combine(p_abandon)});
  }
  rows.push_back({theory_case.name, strategy,
                  absl::StrFormat("answered within %.0f s", model.answer_threshold_seconds),
                  theory->service_level, Combine(service)});
  rows.push_back({theory_case.name, strategy, "occupancy", theory->occupancy, Combine(occupancy)});
  return rows;
}

absl::StatusOr<std::vector<TheoryRow>> RunTheoryCheck(
    const EngineConfig& base, const std::vector<Strategy>& strategies, int runs, double hours,
    const std::function<void(const std::string&)>& progress) {
  std::vector<TheoryCase> cases;
  for (int agents : {14, 13, 16}) {
    cases.push_back(PublishedErlangC(agents));
    cases.push_back(PublishedErlangA(agents));
  }
  cases.push_back(HeavyErlangC(20, 0.95));
  cases.push_back(HeavyErlangA(20, 0.95));
  std::vector<TheoryRow> all;
  for (const TheoryCase& c : cases) {
    for (Strategy s : strategies) {
      TheoryOptions o;
      o.runs = runs;
      o.hours = hours;
      o.strategy = s;
      absl::StatusOr<std::vector<TheoryRow>> rows = CheckTheory(base, c, o);
      if (!rows.ok()) return rows.status();
      if (progress) progress(absl::StrCat("theory: ", c.name, ", ", StrategyName(s)));
      all.insert(all.end(), rows->begin(), rows->end());
    }
  }
  return all;
}

bool TheoryAgrees(const TheoryRow& row) {
  const int dof = row.simulated.runs - 1;
  const double scale = dof >= 1 ? TQuantile99(dof) / TQuantile95(dof) : 1;
  return std::abs(row.simulated.mean - row.theory) <= row.simulated.half_width * scale + 0.002;
}

}  // namespace caserouter
