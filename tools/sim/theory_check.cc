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

constexpr double kWarmUpHours = 1;

TheoryCase Published(int agents, double patience_seconds) {
  TheoryCase c;
  c.model.arrivals_per_second = 100.0 / 1800;
  c.model.mean_handle_seconds = 180;
  c.model.agents = agents;
  c.model.mean_patience_seconds = patience_seconds;
  c.model.answer_threshold_seconds = 20;
  c.name =
      absl::StrCat(std::isinf(patience_seconds) ? "Erlang C" : "Erlang A", ", ", agents, " agents");
  return c;
}

}  // namespace

TheoryCase PublishedErlangC(int agents) {
  return Published(agents, std::numeric_limits<double>::infinity());
}
TheoryCase PublishedErlangA(int agents) { return Published(agents, 300); }

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
                                                   const TheoryCase& theory_case, int runs,
                                                   double hours, uint64_t first_seed) {
  const QueueModel& model = theory_case.model;
  const bool erlang_a = !std::isinf(model.mean_patience_seconds);
  absl::StatusOr<QueueMetrics> theory = erlang_a ? ErlangA(model) : ErlangC(model);
  if (!theory.ok()) return theory.status();

  SimOptions options;
  options.config = base;
  options.config.strategy = Strategy::kLongestIdle;
  options.config.topic_strategy.clear();
  ChannelConfig& phone = options.config.channels[ChannelIndex(Channel::kPhone)];
  phone.sla = absl::Seconds(model.answer_threshold_seconds);
  phone.wrap_up = absl::ZeroDuration();
  phone.ttl = absl::Hours(24 * 365);
  options.truth.speed_spread = 0;        // every agent works at the model's rate
  options.truth.return_probability = 0;  // nobody comes back: arrivals stay Poisson
  options.warm_up = absl::Hours(kWarmUpHours);
  // Nothing in this centre waits on a timer, so no periodic tick is needed between events.
  options.tick = absl::Hours(1);

  std::vector<double> p_wait, p_abandon, service, occupancy;
  for (int r = 0; r < runs; ++r) {
    options.seed = first_seed + r;
    Workload w = TheoryWorkload(model, hours, options.seed);
    absl::StatusOr<SimResult> result = Simulate(w, options);
    if (!result.ok()) return result.status();
    const ChannelResult& c = result->channels[ChannelIndex(Channel::kPhone)];
    if (c.arrivals == 0) return absl::InternalError("theory run had no arrivals");
    int64_t waited = c.abandoned + c.expired;
    for (double wait : c.waits) waited += wait > 0;
    p_wait.push_back(static_cast<double>(waited) / c.arrivals);
    p_abandon.push_back(static_cast<double>(c.abandoned) / c.arrivals);
    service.push_back(static_cast<double>(c.answered_in_sla) / c.arrivals);
    occupancy.push_back(result->busy_agent_seconds /
                        (model.agents * (hours - kWarmUpHours) * 3600));
  }
  std::vector<TheoryRow> rows;
  rows.push_back({theory_case.name, "P(wait)", theory->p_wait, Combine(p_wait)});
  if (erlang_a)
    rows.push_back({theory_case.name, "P(abandon)", theory->p_abandon, Combine(p_abandon)});
  rows.push_back({theory_case.name,
                  absl::StrFormat("answered within %.0f s", model.answer_threshold_seconds),
                  theory->service_level, Combine(service)});
  rows.push_back({theory_case.name, "occupancy", theory->occupancy, Combine(occupancy)});
  return rows;
}

absl::StatusOr<std::vector<TheoryRow>> RunTheoryCheck(
    const EngineConfig& base, int runs, double hours,
    const std::function<void(const std::string&)>& progress) {
  std::vector<TheoryRow> all;
  for (int agents : {14, 13, 16}) {
    for (const TheoryCase& c : {PublishedErlangC(agents), PublishedErlangA(agents)}) {
      absl::StatusOr<std::vector<TheoryRow>> rows = CheckTheory(base, c, runs, hours, 1);
      if (!rows.ok()) return rows.status();
      if (progress) progress(absl::StrCat("theory: ", c.name));
      all.insert(all.end(), rows->begin(), rows->end());
    }
  }
  return all;
}

}  // namespace caserouter
