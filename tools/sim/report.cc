#include "tools/sim/report.h"

#include <cmath>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "tools/sim/theory_check.h"

namespace caserouter {
namespace {

using Progress = std::function<void(const std::string&)>;

absl::StatusOr<StrategyRuns> RunSeeds(std::string label,
                                      const std::function<Workload(uint64_t)>& make,
                                      const SimOptions& base, const EvaluationOptions& options,
                                      const Progress& progress, double* simulated_hours) {
  StrategyRuns out;
  out.label = std::move(label);
  for (int i = 0; i < options.seeds; ++i) {
    SimOptions run = base;
    run.seed = options.first_seed + i;
    Workload w = make(run.seed);
    absl::StatusOr<SimResult> r = Simulate(w, run);
    if (!r.ok()) return r.status();
    RunMetrics m = Summarize(*r);
    for (int h = 0; h < 24; ++h) out.depth_by_hour[h] += r->depth_by_hour[h] / options.seeds;
    if (simulated_hours) *simulated_hours = absl::ToDoubleHours(r->simulated);
    if (progress) {
      progress(absl::StrFormat("%s seed %d: FCR %.3f, repeats %.3f, answer %.0f s, %.1f s wall",
                               out.label, run.seed, m.fcr, m.repeat_rate, m.mean_wait,
                               r->wall_seconds));
    }
    out.runs.push_back(m);
  }
  return out;
}

template <typename Field>
Estimate Over(const StrategyRuns& s, Field field) {
  std::vector<double> values;
  for (const RunMetrics& m : s.runs) values.push_back(field(m));
  return Combine(values);
}

std::string Pm(const Estimate& e, const char* format, double scale = 1) {
  return absl::StrCat(absl::StrFormat(format, e.mean * scale), " ± ",
                      absl::StrFormat(format, e.half_width * scale));
}

std::string Pct(const Estimate& e) { return Pm(e, "%.1f", 100); }

const StrategyRuns* Find(const WorkloadEvaluation& w, absl::string_view label) {
  for (const StrategyRuns& r : w.strategies) {
    if (r.label == label) return &r;
  }
  return nullptr;
}

// Per seed, a - b.
template <typename Field>
std::vector<double> Differences(const StrategyRuns& a, const StrategyRuns& b, Field field) {
  std::vector<double> out;
  for (size_t i = 0; i < a.runs.size() && i < b.runs.size(); ++i) {
    out.push_back(field(a.runs[i]) - field(b.runs[i]));
  }
  return out;
}

double Fcr(const RunMetrics& m) { return m.fcr; }

// The share of the oracle's FCR gain over longest idle that `s` captures, paired by seed.
Estimate CapturedShare(const StrategyRuns& s, const StrategyRuns& idle,
                       const StrategyRuns& oracle) {
  return RatioOfMeans(Differences(s, idle, Fcr), Differences(oracle, idle, Fcr));
}

// "+1.23 ± 0.45": a difference with the half width of its interval.
std::string Signed(const Estimate& e, int decimals, double scale = 1, const char* unit = "",
                   bool sign = true) {
  return absl::StrCat(
      sign ? absl::StrFormat("%+.*f", decimals, e.mean * scale)
           : absl::StrFormat("%.*f", decimals, e.mean * scale),
      unit, " ± ",
      std::isinf(e.half_width) ? "∞" : absl::StrFormat("%.*f", decimals, e.half_width * scale),
      unit);
}

// Paired differences against longest idle: the same seeds, so the same traffic and the same
// draws of the truth; the intervals are those of the difference.
void RenderPaired(const WorkloadEvaluation& w, std::string* out) {
  const StrategyRuns* idle = Find(w, StrategyName(Strategy::kLongestIdle));
  if (idle == nullptr) return;
  const StrategyRuns* oracle = Find(w, kOracleLabel);
  absl::StrAppend(out,
                  "\nPaired by seed against `longest_idle` (each seed's runs share the traffic "
                  "and the truth's draws; mean difference ± half width of its 95% interval):\n\n"
                  "| strategy | true FCR, points | share of the oracle's FCR gain | repeat "
                  "contacts, points | mean answer s | p90 answer s | SLA, points | abandoned, "
                  "points |\n|---|---|---|---|---|---|---|---|\n");
  for (const StrategyRuns& s : w.strategies) {
    if (&s == idle) continue;
    std::string share = "—";
    if (oracle != nullptr && &s != oracle) {
      share = Signed(CapturedShare(s, *idle, *oracle), 0, 100, "%", false);
    }
    absl::StrAppend(
        out, "| `", s.label, "` | ", Signed(Combine(Differences(s, *idle, Fcr)), 2, 100), " | ",
        share, " | ",
        Signed(Combine(Differences(s, *idle, [](const RunMetrics& m) { return m.repeat_rate; })), 2,
               100),
        " | ",
        Signed(Combine(Differences(s, *idle, [](const RunMetrics& m) { return m.mean_wait; })), 1),
        " | ",
        Signed(Combine(Differences(s, *idle, [](const RunMetrics& m) { return m.p90_wait; })), 1),
        " | ",
        Signed(Combine(Differences(s, *idle, [](const RunMetrics& m) { return m.sla; })), 2, 100),
        " | ",
        Signed(Combine(Differences(s, *idle, [](const RunMetrics& m) { return m.abandonment; })), 2,
               100),
        " |\n");
  }
}

// How much evidence decisions rest on, and what exploring costs (the default strategy).
void RenderLearning(const WorkloadEvaluation& w, std::string* out) {
  absl::StrAppend(out,
                  "\nLearning: the chosen agent's earlier completed contacts on the case's topic "
                  "(mean over answers: the evidence a decision rests on), and for the default "
                  "strategy the share of answers whose agent the exploration term chose, with "
                  "their cost in true FCR over all answers (the truth's P(resolve) of the agent "
                  "the estimates preferred minus that of the agent explored):\n\n"
                  "| strategy | earlier cases on the topic | answers explored % | FCR cost of "
                  "exploring, points |\n|---|---|---|---|\n");
  for (const StrategyRuns& s : w.strategies) {
    const bool ours = s.label == StrategyName(Strategy::kOutcome);
    absl::StrAppend(
        out, "| `", s.label, "` | ",
        Pm(Over(s, [](const RunMetrics& m) { return m.prior_cases; }), "%.1f"), " | ",
        ours ? Pct(Over(s, [](const RunMetrics& m) { return m.explored; })) : "—", " | ",
        ours ? Pm(Over(s, [](const RunMetrics& m) { return m.exploration_cost; }), "%.2f", 100)
             : "—",
        " |\n");
  }
}

// "No worse" holds when the paired mean difference is not worse, or not significantly so
// (its 95% interval reaches the bound).
bool NoWorse(const Estimate& d, double bound, bool higher_is_better) {
  return higher_is_better ? d.mean + d.half_width >= bound : d.mean - d.half_width <= bound;
}

// The targets: the default strategy against longest idle and the oracle, paired.
void RenderTargets(const WorkloadEvaluation& w, std::string* out) {
  const StrategyRuns* ours = Find(w, StrategyName(Strategy::kOutcome));
  const StrategyRuns* idle = Find(w, StrategyName(Strategy::kLongestIdle));
  const StrategyRuns* oracle = Find(w, kOracleLabel);
  if (!ours || !idle) return;
  auto verdict = [](bool met) { return met ? "met" : "**missed**"; };
  auto mean = [](const StrategyRuns* s, auto field) { return Over(*s, field).mean; };
  absl::StrAppend(out, "\n**Targets: `outcome` (the default) against `longest_idle`",
                  oracle ? " and the oracle" : "",
                  ", paired by seed**\n\n| target | outcome | longest idle | result |\n"
                  "|---|---|---|---|\n");
  if (oracle != nullptr) {
    Estimate share = CapturedShare(*ours, *idle, *oracle);
    absl::StrAppendFormat(out,
                          "| captures at least 80%% of the oracle's FCR gain (oracle %.1f%%) | "
                          "%.1f%% | %.1f%% | %s of the gain: %s |\n",
                          mean(oracle, Fcr) * 100, mean(ours, Fcr) * 100, mean(idle, Fcr) * 100,
                          Signed(share, 0, 100, "%", false), verdict(share.mean >= 0.8));
  }
  auto wait = [](const RunMetrics& m) { return m.mean_wait; };
  Estimate wait_d = Combine(Differences(*ours, *idle, wait));
  const double wait_i = mean(idle, wait);
  const double rise = wait_i > 0 ? wait_d.mean / wait_i : 0;
  absl::StrAppendFormat(out,
                        "| mean time to answer no more than 10%% longer | %.1f s | %.1f s | "
                        "%s s (%+.0f%%): %s |\n",
                        mean(ours, wait), wait_i, Signed(wait_d, 1), rise * 100,
                        verdict(wait_i > 0 ? rise <= 0.10 : wait_d.mean <= 0.5));
  auto p90 = [](const RunMetrics& m) { return m.p90_wait; };
  Estimate p90_d = Combine(Differences(*ours, *idle, p90));
  absl::StrAppendFormat(out, "| p90 time to answer no longer | %.0f s | %.0f s | %s s: %s |\n",
                        mean(ours, p90), mean(idle, p90), Signed(p90_d, 1),
                        verdict(NoWorse(p90_d, 0, false)));
  for (int c = 0; c < kChannelCount; ++c) {
    if (idle->runs.empty() || idle->runs[0].channel_arrivals[c] == 0) continue;
    auto sla = [c](const RunMetrics& m) { return m.channel_sla[c]; };
    Estimate d = Combine(Differences(*ours, *idle, sla));
    absl::StrAppendFormat(out, "| %s SLA attainment no lower | %.1f%% | %.1f%% | %s points: %s |\n",
                          ChannelName(kAllChannels[c]), mean(ours, sla) * 100,
                          mean(idle, sla) * 100, Signed(d, 2, 100), verdict(NoWorse(d, 0, true)));
  }
  auto ab = [](const RunMetrics& m) { return m.abandonment; };
  Estimate ab_d = Combine(Differences(*ours, *idle, ab));
  absl::StrAppendFormat(out,
                        "| abandonment no more than 0.5 points higher | %.2f%% | %.2f%% | %s "
                        "points: %s |\n",
                        mean(ours, ab) * 100, mean(idle, ab) * 100, Signed(ab_d, 2, 100),
                        verdict(ab_d.mean <= 0.005));
  auto rep = [](const RunMetrics& m) { return m.repeat_rate; };
  const double rep_i = mean(idle, rep);
  const double drop = rep_i > 0 ? 1 - mean(ours, rep) / rep_i : 0;
  if (oracle != nullptr) {
    const double oracle_drop = rep_i > 0 ? 1 - mean(oracle, rep) / rep_i : 0;
    if (oracle_drop >= 0.25) {
      absl::StrAppendFormat(out,
                            "| repeat contacts at least 25%% lower (the oracle: %.0f%% lower) | "
                            "%.1f%% | %.1f%% | %.0f%% lower: %s |\n",
                            oracle_drop * 100, mean(ours, rep) * 100, rep_i * 100, drop * 100,
                            verdict(drop >= 0.25));
    } else {
      absl::StrAppendFormat(out,
                            "| repeat contacts 25%% lower: not reachable here, the oracle itself "
                            "is %.0f%% lower (%.1f%%) | %.1f%% | %.1f%% | %.0f%% lower, %.0f%% "
                            "of the oracle's drop |\n",
                            oracle_drop * 100, mean(oracle, rep) * 100, mean(ours, rep) * 100,
                            rep_i * 100, drop * 100,
                            oracle_drop > 0 ? 100 * drop / oracle_drop : 0.0);
    }
  }
}

void RenderWorkload(const WorkloadEvaluation& w, std::string* out) {
  absl::StrAppendFormat(out, "\n### %s\n\n", w.name);
  int runs = w.strategies.empty() ? 0 : static_cast<int>(w.strategies[0].runs.size());
  absl::StrAppendFormat(out,
                        "%d seeds per strategy, %.0f simulated hours each; mean ± half width of "
                        "the 95%% confidence interval.\n\n",
                        runs, w.simulated_hours);
  absl::StrAppend(out,
                  "| strategy | true FCR % | repeat contacts % | mean answer s | p90 answer s | "
                  "SLA % | abandoned % | occupancy (mean) | occupancy spread (sd) | "
                  "answers with a choice % | decisions/s |\n"
                  "|---|---|---|---|---|---|---|---|---|---|---|\n");
  for (const StrategyRuns& s : w.strategies) {
    absl::StrAppend(
        out, "| `", s.label, "` | ", Pct(Over(s, [](const RunMetrics& m) { return m.fcr; })), " | ",
        Pct(Over(s, [](const RunMetrics& m) { return m.repeat_rate; })), " | ",
        Pm(Over(s, [](const RunMetrics& m) { return m.mean_wait; }), "%.1f"), " | ",
        Pm(Over(s, [](const RunMetrics& m) { return m.p90_wait; }), "%.0f"), " | ",
        Pct(Over(s, [](const RunMetrics& m) { return m.sla; })), " | ",
        Pm(Over(s, [](const RunMetrics& m) { return m.abandonment; }), "%.2f", 100), " | ",
        Pm(Over(s, [](const RunMetrics& m) { return m.occupancy_mean; }), "%.3f"), " | ",
        Pm(Over(s, [](const RunMetrics& m) { return m.occupancy_spread; }), "%.3f"), " | ",
        Pct(Over(s, [](const RunMetrics& m) { return m.choice; })), " | ",
        absl::StrFormat("%.0f",
                        Over(s, [](const RunMetrics& m) { return m.decisions_per_second; }).mean),
        " |\n");
  }
  // Per channel, only the channels that had traffic.
  std::vector<int> channels;
  if (!w.strategies.empty()) {
    for (int c = 0; c < kChannelCount; ++c) {
      if (w.strategies[0].runs[0].channel_arrivals[c] > 0) channels.push_back(c);
    }
  }
  if (!channels.empty()) {
    absl::StrAppend(out,
                    "\nTime to answer per channel (mean / p90 seconds, SLA %):\n\n| strategy |");
    for (int c : channels) absl::StrAppend(out, " ", ChannelName(kAllChannels[c]), " |");
    absl::StrAppend(out, "\n|---|");
    for (size_t i = 0; i < channels.size(); ++i) absl::StrAppend(out, "---|");
    absl::StrAppend(out, "\n");
    for (const StrategyRuns& s : w.strategies) {
      absl::StrAppend(out, "| `", s.label, "` |");
      for (int c : channels) {
        double mean = Over(s, [c](const RunMetrics& m) { return m.channel_mean_wait[c]; }).mean;
        double p90 = Over(s, [c](const RunMetrics& m) { return m.channel_p90_wait[c]; }).mean;
        double sla = Over(s, [c](const RunMetrics& m) { return m.channel_sla[c]; }).mean;
        absl::StrAppendFormat(out, " %.0f / %.0f, %.1f%% |", mean, p90, sla * 100);
      }
      absl::StrAppend(out, "\n");
    }
  }
  RenderPaired(w, out);
  RenderLearning(w, out);
  RenderTargets(w, out);
  absl::StrAppendFormat(out,
                        "\nCases waiting by hour of the day (the trace's clock), averaged over "
                        "the days and seeds; email and social cases that arrive after the last "
                        "shift wait for the first one of the next day.\n\n"
                        "![queue depth over the day](evaluation/depth_%s.png)\n",
                        w.key);
}

}  // namespace

absl::StatusOr<WorkloadEvaluation> EvaluateWorkload(std::string key,
                                                    const std::function<Workload(uint64_t)>& make,
                                                    const EvaluationOptions& options,
                                                    const Progress& progress) {
  WorkloadEvaluation e;
  e.key = std::move(key);
  e.name = make(options.first_seed).name;
  for (Strategy s : options.strategies) {
    SimOptions base = options.base;
    base.config.strategy = s;
    base.config.topic_strategy.clear();
    absl::StatusOr<StrategyRuns> runs =
        RunSeeds(StrategyName(s), make, base, options, progress, &e.simulated_hours);
    if (!runs.ok()) return runs.status();
    e.strategies.push_back(*std::move(runs));
  }
  if (options.oracle) {
    SimOptions base = options.base;
    base.config.strategy = Strategy::kLongestIdle;  // what the oracle's ties fall back to
    base.config.topic_strategy.clear();
    base.oracle = true;
    absl::StatusOr<StrategyRuns> runs =
        RunSeeds(kOracleLabel, make, base, options, progress, &e.simulated_hours);
    if (!runs.ok()) return runs.status();
    e.strategies.push_back(*std::move(runs));
  }
  return e;
}

absl::StatusOr<std::vector<StrategyRuns>> SweepOutcomeWeights(
    const std::function<Workload(uint64_t)>& make, const EvaluationOptions& options,
    const Progress& progress) {
  // (hold_failure_cost, exploration): 0 never holds; the default is (1, 3); larger failure
  // costs hold more and longer.
  std::vector<std::pair<double, double>> points = {{0, 3},  {1, 3}, {3, 3}, {10, 3},
                                                   {30, 3}, {1, 0}, {1, 10}};
  std::vector<StrategyRuns> out;
  for (auto [failure_cost, exploration] : points) {
    SimOptions base = options.base;
    base.config.strategy = Strategy::kOutcome;
    base.config.topic_strategy.clear();
    base.config.matching.hold_failure_cost = failure_cost;
    base.config.matching.exploration = exploration;
    absl::StatusOr<StrategyRuns> runs =
        RunSeeds(absl::StrFormat("hold_failure_cost=%g exploration=%g", failure_cost, exploration),
                 make, base, options, progress, nullptr);
    if (!runs.ok()) return runs.status();
    out.push_back(*std::move(runs));
  }
  return out;
}

std::string RenderTheory(const std::vector<TheoryRow>& rows) {
  std::string out =
      "| model | strategy | measure | theory | simulated (95% CI) | agrees (99%) |\n"
      "|---|---|---|---|---|---|\n";
  for (const TheoryRow& r : rows) {
    absl::StrAppendFormat(&out, "| %s | `%s` | %s | %.4f | %.4f ± %.4f | %s |\n", r.model,
                          r.strategy, r.measure, r.theory, r.simulated.mean, r.simulated.half_width,
                          TheoryAgrees(r) ? "yes" : "**no**");
  }
  return out;
}

// Issue 14: FCR of each strategy without and with transfers on the synthetic centre.
void RenderTransfers(const EvaluationPage& page, std::string* out) {
  const WorkloadEvaluation* base = nullptr;
  for (const WorkloadEvaluation& w : page.workloads) {
    if (w.key == "synthetic") base = &w;
  }
  if (base == nullptr || !page.with_transfers.has_value()) return;
  absl::StrAppendFormat(
      out,
      "\n## Transfers and first-contact resolution\n\nThe synthetic centre again, with %.0f %% "
      "of its needs beyond their first agent: at the end of the handle time that agent transfers "
      "the case back to routing (the engine's Transfer, same requirements; never back to them), "
      "and another agent works it. A need resolved after a transfer is credited to the agent "
      "who resolved it and is not a first-contact resolution (docs/design.md). Same seeds, "
      "same customers.\n\n| strategy | true FCR, no transfers | true FCR with transfers | "
      "transfers per need | resolved after a transfer, per need |\n|---|---|---|---|---|\n",
      100 * page.transfer_share);
  for (const StrategyRuns& with : page.with_transfers->strategies) {
    const StrategyRuns* without = Find(*base, with.label);
    absl::StrAppendFormat(
        out, "| %s | %s | %s | %s | %s |\n", with.label,
        without == nullptr ? "-" : Pct(Over(*without, [](const RunMetrics& m) { return m.fcr; })),
        Pct(Over(with, [](const RunMetrics& m) { return m.fcr; })),
        Pct(Over(with, [](const RunMetrics& m) { return m.transfer_rate; })),
        Pct(Over(with, [](const RunMetrics& m) { return m.resolved_after_transfer; })));
  }
}

std::string RenderEvaluation(const EvaluationPage& page) {
  std::string out;
  absl::StrAppend(
      &out, "# Evaluation: routing strategies on real and synthetic traces\n\n",
      page.command.empty() ? ""
                           : absl::StrCat("Generated by `", page.command,
                                          "` (see [simulator](simulator.md)); do not edit by "
                                          "hand.\n\n"),
      "Every run drives the real `Engine` (the server's, with the in-memory store) on a virtual "
      "clock. A hidden ground truth, which the engine never sees, decides whether a case was "
      "really resolved; agents report what they believe, and the truth shows only when the "
      "customer comes back. Definitions: true FCR = needs truly resolved at their first contact "
      "/ needs whose first contact was completed; repeat contacts = contacts that came back "
      "unresolved / contacts completed; SLA = answered within the channel's SLA / (answered + "
      "abandoned + expired); abandoned = left before an answer / arrived; occupancy spread = "
      "standard deviation of the agents' busy share of their shift (narrower is fairer); "
      "answers with a choice = answered contacts for which another agent was on shift, idle and "
      "able to take the case (how often any strategy could choose at all); "
      "decisions/s = offers made per wall-clock second of the whole simulation.\n\n"
      "The `oracle` row is no router anyone can build: it reads the hidden truth and gives "
      "every case to the free eligible agent most likely to truly resolve it, holding none; "
      "it bounds what routing by outcome can gain. Replays resample their days with each seed "
      "(the traffic varies across seeds too). Differences against longest idle are paired by "
      "seed; a target of \"no worse\" is met when the paired mean difference is not worse, or "
      "not significantly so (its 95% interval reaches zero). The default strategy's parameters "
      "were chosen on other seeds (101-104) than the page's.\n");
  if (!page.skipped.empty()) {
    absl::StrAppend(&out, "\nLeft out (data not present): ", absl::StrJoin(page.skipped, "; "),
                    ".\n");
  }
  absl::StrAppend(&out, "\n## Strategies side by side\n");
  for (const WorkloadEvaluation& w : page.workloads) RenderWorkload(w, &out);
  if (!page.sweep.empty()) {
    absl::StrAppendFormat(&out,
                          "\n## The trade-off: time to answer against first-contact resolution\n"
                          "\nEach strategy on the %s workload, and the default (`outcome`) "
                          "strategy with the worth of a failure in its hold rule "
                          "(`hold_failure_cost`, in mean handle times) and its exploration "
                          "bound varied.\n\n",
                          page.sweep_key);
    absl::StrAppend(&out, "![answer time against FCR](evaluation/tradeoff.png)\n\n",
                    "| default strategy weights | true FCR % | repeat contacts % | mean answer s "
                    "|\n|---|---|---|---|\n");
    for (const StrategyRuns& s : page.sweep) {
      absl::StrAppend(&out, "| ", s.label, " | ",
                      Pct(Over(s, [](const RunMetrics& m) { return m.fcr; })), " | ",
                      Pct(Over(s, [](const RunMetrics& m) { return m.repeat_rate; })), " | ",
                      Pm(Over(s, [](const RunMetrics& m) { return m.mean_wait; }), "%.1f"), " |\n");
    }
  }
  if (!page.evidence.empty()) {
    absl::StrAppend(&out,
                    "\n## More evidence, more of the gain\n\nThe incident replay holds a few "
                    "cases per agent and topic. Replayed longer — its days resampled, the same "
                    "traffic for more days — agents build longer records, and the default "
                    "strategy's share of the oracle's gain grows with the evidence its "
                    "decisions rest on (paired by seed, as above).\n\n"
                    "| replay | earlier cases on the topic per decision | true FCR: outcome / "
                    "longest idle / oracle % | share of the oracle's gain |\n|---|---|---|---|\n");
    std::vector<const WorkloadEvaluation*> rows;
    for (const WorkloadEvaluation& w : page.workloads) {
      if (w.key == "incident") rows.push_back(&w);
    }
    for (const WorkloadEvaluation& w : page.evidence) rows.push_back(&w);
    for (const WorkloadEvaluation* w : rows) {
      const StrategyRuns* ours = Find(*w, StrategyName(Strategy::kOutcome));
      const StrategyRuns* idle = Find(*w, StrategyName(Strategy::kLongestIdle));
      const StrategyRuns* oracle = Find(*w, kOracleLabel);
      if (!ours || !idle || !oracle) continue;
      absl::StrAppendFormat(
          &out, "| %s | %s | %.1f / %.1f / %.1f | %s |\n", w->name,
          Pm(Over(*ours, [](const RunMetrics& m) { return m.prior_cases; }), "%.1f"),
          Over(*ours, Fcr).mean * 100, Over(*idle, Fcr).mean * 100, Over(*oracle, Fcr).mean * 100,
          Signed(CapturedShare(*ours, *idle, *oracle), 0, 100, "%", false));
    }
  }
  if (!page.theory.empty()) {
    absl::StrAppend(&out,
                    "\n## Theory check\n\nA single-skill phone queue of interchangeable agents "
                    "(mean handle 3 minutes, exponential; 100 calls per 30 minutes, and 380 an "
                    "hour on 20 agents for a load of 0.95; Erlang A adds exponential patience of "
                    "mean 5 minutes) through the real engine, against Erlang C and Erlang A "
                    "computed by `tools/sim/erlang.h`, for longest idle and for the default "
                    "strategy. Occupancy is the agents' measured busy time over the window. Each "
                    "point draws its own seeds; `caserouter-sim theory` checks any other point. "
                    "Agreement is judged at 99% (the CI's tolerance).\n\n",
                    RenderTheory(page.theory));
  }
  RenderTransfers(page, &out);
  return out;
}

std::vector<std::pair<std::string, std::string>> RenderFigures(const EvaluationPage& page) {
  std::vector<std::pair<std::string, std::string>> files;
  std::string script =
      "# Draws the evaluation's figures: cd docs/evaluation && gnuplot figures.gp\n"
      "set terminal pngcairo size 900,560 font 'DejaVu Sans,11' noenhanced\nset grid\n"
      "set key outside right\n";
  for (const WorkloadEvaluation& w : page.workloads) {
    std::string data = "# hour";
    for (const StrategyRuns& s : w.strategies) absl::StrAppend(&data, " ", s.label);
    absl::StrAppend(&data, "\n");
    for (int h = 0; h < 24; ++h) {
      absl::StrAppend(&data, h);
      for (const StrategyRuns& s : w.strategies) {
        absl::StrAppendFormat(&data, " %.3f", s.depth_by_hour[h]);
      }
      absl::StrAppend(&data, "\n");
    }
    files.emplace_back(absl::StrCat("depth_", w.key, ".dat"), data);
    absl::StrAppendFormat(&script,
                          "set output 'depth_%s.png'\nset title 'Cases waiting by hour of the "
                          "day: %s'\nset xlabel 'hour of the day'\nset ylabel 'cases waiting "
                          "(mean)'\nset xrange [0:23]\nset yrange [0:*]\nplot ",
                          w.key, w.name);
    for (size_t i = 0; i < w.strategies.size(); ++i) {
      absl::StrAppendFormat(&script, "%s'depth_%s.dat' using 1:%d with linespoints title '%s'",
                            i ? ", " : "", w.key, i + 2, w.strategies[i].label);
    }
    absl::StrAppend(&script, "\nunset xrange\n");
  }
  if (!page.sweep.empty()) {
    auto points = [](const std::vector<StrategyRuns>& runs) {
      std::string data = "# mean_answer_seconds true_fcr label\n";
      for (const StrategyRuns& s : runs) {
        absl::StrAppendFormat(&data, "%.3f %.5f \"%s\"\n",
                              Over(s, [](const RunMetrics& m) { return m.mean_wait; }).mean,
                              Over(s, [](const RunMetrics& m) { return m.fcr; }).mean, s.label);
      }
      return data;
    };
    const WorkloadEvaluation* sweep_workload = nullptr;
    for (const WorkloadEvaluation& w : page.workloads) {
      if (w.key == page.sweep_key) sweep_workload = &w;
    }
    files.emplace_back("tradeoff_sweep.dat", points(page.sweep));
    if (sweep_workload) {
      files.emplace_back("tradeoff_strategies.dat", points(sweep_workload->strategies));
    }
    absl::StrAppendFormat(
        &script,
        "set output 'tradeoff.png'\nset title 'Time to answer against true first-contact "
        "resolution (%s)'\nset xlabel 'mean time to answer (s)'\nset ylabel 'true first-contact "
        "resolution'\nset xrange [0:*]\nset yrange [*:*]\n"
        "plot 'tradeoff_sweep.dat' using 1:2 with points pt 6 ps 1.5 title 'outcome, weights "
        "swept', '' using 1:2:3 with labels left offset 1,0 font ',8' notitle%s\n",
        page.sweep_key,
        sweep_workload ? ", 'tradeoff_strategies.dat' using 1:2 with points pt 7 ps 1.5 title "
                         "'strategies', '' using 1:2:3 with labels offset 0,-1 notitle"
                       : "");
  }
  files.emplace_back("figures.gp", script);
  return files;
}

}  // namespace caserouter
