// caserouter-sim: the routing engine on a virtual clock, against a hidden ground truth.
//
//   caserouter-sim run --workload=bank --strategies=outcome,longest_idle --seeds=3
//   caserouter-sim report --out=docs/evaluation.md     (what scripts/evaluate.sh runs)
//
// `run` prints one workload's strategies side by side; `report` runs every workload whose
// data is present, the default strategy's weight sweep and the theory check, and writes the
// evaluation page with its figure data and gnuplot script. Ground-truth flags (see
// docs/simulator.md) can also come from a file: --flagfile=my_centre.flags.
#include <cstdio>
#include <fstream>
#include <functional>
#include <iostream>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "router/config/config_loader.h"
#include "tools/replay/bank_trace.h"
#include "tools/replay/csv_trace.h"
#include "tools/replay/incident_trace.h"
#include "tools/replay/twcs_trace.h"
#include "tools/sim/benchmark_coverage.h"
#include "tools/sim/erlang.h"
#include "tools/sim/report.h"
#include "tools/sim/sim_stats.h"
#include "tools/sim/simulator.h"
#include "tools/sim/theory_check.h"
#include "tools/sim/traffic_variation.h"
#include "tools/sim/workload.h"

ABSL_FLAG(std::string, config, CASEROUTER_SOURCE_DIR "/deploy/caserouter.yaml",
          "engine configuration file (the router's own)");
ABSL_FLAG(std::string, workload, "synthetic",
          "run: synthetic, bank, twcs, incident, or csv (your own trace: --path, format in "
          "docs/simulator.md)");
ABSL_FLAG(std::string, path, "", "run: the trace file (default: the shared data set's file)");
ABSL_FLAG(std::string, data_dir, CASEROUTER_DATA_DIR, "folder of the shared data sets");
ABSL_FLAG(std::string, strategies, "all",
          "comma-separated: outcome, longest_idle, round_robin, least_occupied, fastest_handle, "
          "oracle (reads the hidden truth: the bound on what routing can gain), or all");
ABSL_FLAG(int, seeds, 5, "runs per strategy (seeds first_seed, first_seed+1, ...)");
ABSL_FLAG(uint64_t, first_seed, 1, "first seed");
ABSL_FLAG(double, days, 7, "synthetic: days of traffic");
ABSL_FLAG(double, rate, 126, "synthetic: cases per hour");
ABSL_FLAG(int, agents_per_shift, 12, "synthetic: agents per shift (three shifts a day)");
ABSL_FLAG(int, customers, 3000, "synthetic: size of the customer base the cases come from");
ABSL_FLAG(int64_t, max_cases, 0, "replays: keep only the first N cases (0 = all)");
ABSL_FLAG(int, replay_days, 0,
          "replays with --vary_traffic: days of traffic to replay, resampled from the trace's "
          "(0 = the trace's span; more: agents build longer records on the same traffic)");
ABSL_FLAG(bool, vary_traffic, true,
          "replays: each seed resamples the trace's days (same weekday), so that intervals "
          "include the traffic's randomness; false replays the trace as it is for every seed");
ABSL_FLAG(absl::Duration, tick, absl::Seconds(1), "engine tick while cases wait");
ABSL_FLAG(bool, full_pass, false,
          "route every waiting case against every agent at every tick (the engine's routing "
          "before it re-decided only what changed), to compare both with --offer_log");
ABSL_FLAG(std::string, out, CASEROUTER_SOURCE_DIR "/docs/evaluation.md", "report: the page");
ABSL_FLAG(std::string, figures, CASEROUTER_SOURCE_DIR "/docs/evaluation",
          "report: folder for the figures' data, script and PNGs");
ABSL_FLAG(std::string, offer_log, "",
          "run: write every offer (virtual microseconds, agent, case) to this file, to compare "
          "two builds' routing decision by decision");
ABSL_FLAG(bool, quick, false, "report: fewer seeds and shorter runs (a smoke test)");
ABSL_FLAG(double, transfer_share, 0,
          "run: share of needs whose first agent cannot solve them and transfers them back to "
          "routing (issue 14)");
ABSL_FLAG(double, report_transfer_share, 0.15,
          "report: the transfer share of the synthetic centre's transfers section (0 = none)");
// A single-skill centre for `theory` (the seeds flag is the number of runs).
ABSL_FLAG(int, benchmark_runs, 40, "benchmark: seeded runs per design (issue 17)");
ABSL_FLAG(double, benchmark_days, 1, "benchmark: days of synthetic traffic per run");
ABSL_FLAG(double, arrivals_per_hour, 200, "theory: Poisson arrivals per hour");
ABSL_FLAG(double, handle_seconds, 180, "theory: mean of the exponential handle time");
ABSL_FLAG(int, agents, 14, "theory: identical agents, always present");
ABSL_FLAG(double, patience_seconds, 0,
          "theory: mean of the exponential patience (Erlang A); 0 = nobody abandons (Erlang C)");
ABSL_FLAG(double, threshold_seconds, 20, "theory: the service level's answer threshold");
ABSL_FLAG(double, hours, 12, "theory: hours of arrivals per run (the first is warm-up)");
// The hidden ground truth (GroundTruthOptions): the engine never reads these.
ABSL_FLAG(double, mean_resolution, 0.70, "truth: team mean of the true resolution probability");
ABSL_FLAG(double, spread, 0.12, "truth: its standard deviation between agents and topics");
ABSL_FLAG(double, topic_share, 0.35, "truth: share of that variance specific to the topic");
ABSL_FLAG(double, speed_spread, 0.30, "truth: std. dev. of log(handle-time factor)");
ABSL_FLAG(double, speed_quality_correlation, 0.5,
          "truth: correlation of quality and handle time (> 0: fast agents are sloppier)");
ABSL_FLAG(double, relationship_bonus, 0.10,
          "truth: added resolution probability when the agent served the customer before");
ABSL_FLAG(double, false_resolution, 0.70, "truth: P(agent reports resolved | not really resolved)");
ABSL_FLAG(double, return_probability, 0.80, "truth: P(customer comes back | not resolved)");
ABSL_FLAG(absl::Duration, return_delay, absl::Hours(6), "truth: mean delay before coming back");
ABSL_FLAG(double, channel_switch, 0.30, "truth: P(the return uses another channel)");
ABSL_FLAG(int, max_returns, 3, "truth: returns before a customer gives up");
ABSL_FLAG(double, csat_response, 0.35, "truth: P(the customer leaves a CSAT score)");

namespace caserouter {
namespace {

GroundTruthOptions TruthFromFlags() {
  GroundTruthOptions t;
  t.mean_resolution = absl::GetFlag(FLAGS_mean_resolution);
  t.spread = absl::GetFlag(FLAGS_spread);
  t.topic_share = absl::GetFlag(FLAGS_topic_share);
  t.speed_spread = absl::GetFlag(FLAGS_speed_spread);
  t.speed_quality_correlation = absl::GetFlag(FLAGS_speed_quality_correlation);
  t.relationship_bonus = absl::GetFlag(FLAGS_relationship_bonus);
  t.false_resolution = absl::GetFlag(FLAGS_false_resolution);
  t.return_probability = absl::GetFlag(FLAGS_return_probability);
  t.return_delay = absl::GetFlag(FLAGS_return_delay);
  t.channel_switch = absl::GetFlag(FLAGS_channel_switch);
  t.max_returns = absl::GetFlag(FLAGS_max_returns);
  t.csat_response = absl::GetFlag(FLAGS_csat_response);
  return t;
}

// The strategies named by --strategies, and whether the oracle is among them.
absl::StatusOr<std::vector<Strategy>> StrategiesFromFlag(bool* oracle) {
  std::string list = absl::GetFlag(FLAGS_strategies);
  *oracle = list == "all";
  if (list == "all") return EvaluationOptions().strategies;
  std::vector<Strategy> out;
  for (absl::string_view name : absl::StrSplit(list, ',', absl::SkipEmpty())) {
    if (name == kOracleLabel) {
      *oracle = true;
      continue;
    }
    Strategy s;
    if (!ParseStrategy(std::string(name), &s)) {
      return absl::InvalidArgumentError(
          absl::StrCat("--strategies: unknown strategy '", name, "'"));
    }
    out.push_back(s);
  }
  if (out.empty() && !*oracle) {
    return absl::InvalidArgumentError("--strategies: name at least one");
  }
  return out;
}

std::string DataFile(absl::string_view workload) {
  std::string dir = absl::GetFlag(FLAGS_data_dir);
  if (workload == "bank") return dir + "/anonymous-bank/anonymous_bank_february_1999.tsv";
  if (workload == "twcs") return dir + "/twcs-sample/twcs_first5000.csv";
  if (workload == "csv") return "";
  return dir + "/incident-event-log/incident_event_log_subset.csv";
}

std::optional<int64_t> MaxCases(int64_t fallback = 0) {
  int64_t n = absl::GetFlag(FLAGS_max_cases);
  if (n > 0) return n;
  if (fallback > 0) return fallback;
  return std::nullopt;
}

// A replay's trace is read once; each seed resamples its days (--vary_traffic) or replays it
// as it is.
template <typename Options, typename Read, typename Make>
absl::StatusOr<std::function<Workload(uint64_t)>> Replay(const std::string& path,
                                                         std::optional<int64_t> max_cases, int days,
                                                         Read read, Make make) {
  Options options;
  options.max_cases = max_cases;
  absl::StatusOr<Trace> trace = read(path, options);
  if (!trace.ok()) return trace.status();
  Workload w = make(*std::move(trace));
  if (absl::GetFlag(FLAGS_vary_traffic)) {
    return std::function<Workload(uint64_t)>(
        [w, days](uint64_t seed) { return ResampleDays(w, seed, days); });
  }
  return std::function<Workload(uint64_t)>([w](uint64_t) { return w; });
}

// A factory of the workload by seed: synthetic traces change with the seed, replays do not.
// `replay_days`: days of a replay to resample (0: its span; -1: --replay_days).
absl::StatusOr<std::function<Workload(uint64_t)>> WorkloadFactory(const std::string& kind,
                                                                  std::string path,
                                                                  double days_scale,
                                                                  int64_t max_cases_fallback,
                                                                  int replay_days = -1) {
  if (replay_days < 0) replay_days = absl::GetFlag(FLAGS_replay_days);
  if (kind == "synthetic") {
    double days = absl::GetFlag(FLAGS_days) * days_scale;
    double rate = absl::GetFlag(FLAGS_rate);
    int per_shift = absl::GetFlag(FLAGS_agents_per_shift);
    int customers = absl::GetFlag(FLAGS_customers);
    return std::function<Workload(uint64_t)>([days, rate, per_shift, customers](uint64_t seed) {
      SyntheticWorkloadOptions o = DefaultSyntheticWorkload(seed);
      o.cases.duration = absl::Hours(24 * days);
      o.cases.cases_per_second = rate / 3600;
      o.agents_per_shift = per_shift;
      o.cases.customers = customers;
      return MakeSyntheticWorkload(o);
    });
  }
  if (path.empty()) path = DataFile(kind);
  std::optional<int64_t> max_cases = MaxCases(max_cases_fallback);
  if (kind == "bank") {
    return Replay<BankTraceOptions>(path, max_cases, replay_days, ReadBankTraceFile,
                                    MakeBankWorkload);
  }
  if (kind == "twcs") {
    return Replay<TwcsTraceOptions>(path, max_cases, replay_days, ReadTwcsTraceFile,
                                    MakeTwcsWorkload);
  }
  if (kind == "incident") {
    return Replay<IncidentTraceOptions>(path, max_cases, replay_days, ReadIncidentTraceFile,
                                        MakeIncidentWorkload);
  }
  if (kind == "csv") {
    if (absl::GetFlag(FLAGS_path).empty()) {
      return absl::InvalidArgumentError("--path: name the CSV trace to replay");
    }
    return Replay<CsvTraceOptions>(path, max_cases, replay_days, ReadCsvTraceFile,
                                   [](Trace t) { return MakeCsvWorkload(std::move(t)); });
  }
  return absl::InvalidArgumentError(
      absl::StrCat("--workload: '", kind, "' is not synthetic, bank, twcs, incident or csv"));
}

absl::StatusOr<EvaluationOptions> OptionsFromFlags() {
  absl::StatusOr<EngineConfig> config = LoadEngineConfigFile(absl::GetFlag(FLAGS_config));
  if (!config.ok()) return config.status();
  EvaluationOptions o;
  o.base.config = *config;
  o.base.truth = TruthFromFlags();
  if (absl::Status s = ValidateGroundTruthOptions(o.base.truth); !s.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("--", s.message()));
  }
  o.base.tick = absl::GetFlag(FLAGS_tick);
  o.base.config.full_routing_pass = absl::GetFlag(FLAGS_full_pass);
  absl::StatusOr<std::vector<Strategy>> strategies = StrategiesFromFlag(&o.oracle);
  if (!strategies.ok()) return strategies.status();
  o.strategies = *strategies;
  o.seeds = absl::GetFlag(FLAGS_seeds);
  if (o.seeds < 1) return absl::InvalidArgumentError("--seeds: at least 1");
  o.first_seed = absl::GetFlag(FLAGS_first_seed);
  return o;
}

// Prints why the command failed (the status names the flag or field) and returns `code`.
int Fail(const absl::Status& status, int code, absl::string_view what = "") {
  std::fprintf(stderr, "caserouter-sim: %s%s%s\n", std::string(what).c_str(),
               what.empty() ? "" : ": ", std::string(status.message()).c_str());
  return code;
}

void Progress(const std::string& line) { std::fprintf(stderr, "sim: %s\n", line.c_str()); }

int RunOne() {
  absl::StatusOr<EvaluationOptions> options = OptionsFromFlags();
  if (!options.ok()) {
    return Fail(options.status(), 2);
  }
  options->base.transfer_share = absl::GetFlag(FLAGS_transfer_share);
  if (!(options->base.transfer_share >= 0 && options->base.transfer_share < 1)) {
    return Fail(absl::InvalidArgumentError("--transfer_share: must be in [0, 1)"), 2);
  }
  std::string kind = absl::GetFlag(FLAGS_workload);
  auto make = WorkloadFactory(kind, absl::GetFlag(FLAGS_path), 1, 0);
  if (!make.ok()) {
    return Fail(make.status(), 2);
  }
  std::ofstream offer_log;
  if (std::string path = absl::GetFlag(FLAGS_offer_log); !path.empty()) {
    offer_log.open(path);
    if (!offer_log) return Fail(absl::InvalidArgumentError("--offer_log: cannot write " + path), 2);
    options->base.offer_log = &offer_log;
  }
  absl::StatusOr<WorkloadEvaluation> e = EvaluateWorkload(kind, *make, *options, Progress);
  if (!e.ok()) {
    return Fail(e.status(), 1);
  }
  EvaluationPage page;
  page.workloads.push_back(*std::move(e));
  std::cout << RenderEvaluation(page);
  return 0;
}

// One single-skill point from the flags, for each strategy named, against Erlang C or A.
// Exit status 1 when a figure disagrees with the theory.
int Theory() {
  absl::StatusOr<EngineConfig> config = LoadEngineConfigFile(absl::GetFlag(FLAGS_config));
  if (!config.ok()) return Fail(config.status(), 2);
  bool oracle = false;
  std::string list = absl::GetFlag(FLAGS_strategies);
  std::vector<Strategy> strategies = {Strategy::kLongestIdle, Strategy::kOutcome};
  if (list != "all") {
    absl::StatusOr<std::vector<Strategy>> named = StrategiesFromFlag(&oracle);
    if (!named.ok()) return Fail(named.status(), 2);
    strategies = *named;
  }
  if (strategies.empty()) {
    return Fail(absl::InvalidArgumentError("--strategies: the oracle has no theory of its own"), 2);
  }
  QueueModel model;
  model.arrivals_per_second = absl::GetFlag(FLAGS_arrivals_per_hour) / 3600;
  model.mean_handle_seconds = absl::GetFlag(FLAGS_handle_seconds);
  model.agents = absl::GetFlag(FLAGS_agents);
  double patience = absl::GetFlag(FLAGS_patience_seconds);
  model.mean_patience_seconds = patience == 0 ? std::numeric_limits<double>::infinity() : patience;
  model.answer_threshold_seconds = absl::GetFlag(FLAGS_threshold_seconds);
  TheoryCase c = MakeTheoryCase(model);
  EvaluationPage page;
  bool agrees = true;
  for (Strategy s : strategies) {
    TheoryOptions o;
    o.runs = absl::GetFlag(FLAGS_seeds);
    o.hours = absl::GetFlag(FLAGS_hours);
    o.strategy = s;
    o.seed_offset = absl::GetFlag(FLAGS_first_seed) - 1;
    absl::StatusOr<std::vector<TheoryRow>> rows = CheckTheory(*config, c, o);
    if (!rows.ok()) {
      // Name the flag behind the model's field.
      std::string message(rows.status().message());
      for (auto [field, flag] :
           {std::pair<const char*, const char*>{"arrivals_per_second", "arrivals_per_hour"},
            {"mean_handle_seconds", "handle_seconds"},
            {"agents", "agents"},
            {"mean_patience_seconds", "patience_seconds"},
            {"answer_threshold_seconds", "threshold_seconds"},
            {"runs", "seeds"},
            {"hours", "hours"}}) {
        if (absl::StartsWith(message, field)) {
          message = absl::StrCat("--", flag, " (", message, ")");
          break;
        }
      }
      return Fail(absl::InvalidArgumentError(message), 2);
    }
    for (const TheoryRow& r : *rows) agrees = agrees && TheoryAgrees(r);
    page.theory.insert(page.theory.end(), rows->begin(), rows->end());
    Progress(absl::StrCat(c.name, ", ", StrategyName(s), ": done"));
  }
  std::cout << RenderTheory(page.theory);
  return agrees ? 0 : 1;
}

// Issue 17: the live benchmark's coverage section of docs/evaluation.md, between these.
constexpr char kBenchmarkBegin[] = "<!-- benchmark-coverage:begin -->";
constexpr char kBenchmarkEnd[] = "<!-- benchmark-coverage:end -->";

absl::StatusOr<std::string> BenchmarkSection(const EvaluationOptions& options) {
  const double days = absl::GetFlag(FLAGS_benchmark_days);
  const double rate = absl::GetFlag(FLAGS_rate);
  const int per_shift = absl::GetFlag(FLAGS_agents_per_shift);
  const int customers = absl::GetFlag(FLAGS_customers);
  CoverageOptions c;
  c.base = options.base;
  c.runs = absl::GetFlag(FLAGS_benchmark_runs);
  c.first_seed = absl::GetFlag(FLAGS_first_seed);
  c.workload_name = absl::StrFormat("synthetic, %g h, %g cases/h, %d agents per shift", days * 24,
                                    rate, per_shift);
  c.make = [days, rate, per_shift, customers](uint64_t seed) {
    SyntheticWorkloadOptions o = DefaultSyntheticWorkload(seed);
    o.cases.duration = absl::Hours(24 * days);
    o.cases.cases_per_second = rate / 3600;
    o.agents_per_shift = per_shift;
    o.cases.customers = customers;
    return MakeSyntheticWorkload(o);
  };
  std::vector<CoverageResult> results;
  for (BenchmarkMode mode : {BenchmarkMode::kSplit, BenchmarkMode::kSlots}) {
    c.mode = mode;
    absl::StatusOr<CoverageResult> r = RunBenchmarkCoverage(c, Progress);
    if (!r.ok()) return r.status();
    results.push_back(*std::move(r));
  }
  return absl::StrCat(kBenchmarkBegin, "\n", RenderBenchmarkCoverage(results), kBenchmarkEnd, "\n");
}

// Replaces the section in `page` (or appends it).
std::string WithBenchmarkSection(std::string page, const std::string& section) {
  size_t begin = page.find(kBenchmarkBegin);
  size_t end = page.find(kBenchmarkEnd);
  if (begin != std::string::npos && end != std::string::npos && end > begin) {
    size_t stop = end + std::string(kBenchmarkEnd).size();
    if (stop < page.size() && page[stop] == '\n') ++stop;
    return page.replace(begin, stop - begin, section);
  }
  if (!page.empty() && page.back() != '\n') page += "\n";
  return absl::StrCat(page, "\n", section);
}

// `caserouter-sim benchmark`: only the benchmark section of --out, regenerated in place.
int Benchmark() {
  absl::StatusOr<EvaluationOptions> options = OptionsFromFlags();
  if (!options.ok()) return Fail(options.status(), 2);
  absl::StatusOr<std::string> section = BenchmarkSection(*options);
  if (!section.ok()) return Fail(section.status(), 1, "benchmark");
  const std::string path = absl::GetFlag(FLAGS_out);
  std::string page;
  {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    page = text.str();
  }
  std::ofstream out(path);
  out << WithBenchmarkSection(page, *section);
  if (!out) {
    std::fprintf(stderr, "caserouter-sim: --out: cannot write %s\n", path.c_str());
    return 1;
  }
  Progress(absl::StrCat("wrote the benchmark section of ", path));
  return 0;
}

int Report() {
  absl::StatusOr<EvaluationOptions> options = OptionsFromFlags();
  if (!options.ok()) {
    return Fail(options.status(), 2);
  }
  const bool quick = absl::GetFlag(FLAGS_quick);
  if (quick) options->seeds = std::min(options->seeds, 2);
  EvaluationPage page;
  page.command = "bash scripts/evaluate.sh";
  for (std::string kind : {"bank", "synthetic", "twcs", "incident"}) {
    if (kind != "synthetic") {
      std::ifstream probe(DataFile(kind));
      if (!probe) {
        page.skipped.push_back(absl::StrCat(kind, ": ", DataFile(kind), " is not present"));
        Progress(page.skipped.back());
        continue;
      }
    }
    auto make = WorkloadFactory(kind, "", quick ? 0.15 : 1, quick ? 2000 : 0);
    if (!make.ok()) {
      return Fail(make.status(), 1);
    }
    absl::StatusOr<WorkloadEvaluation> e = EvaluateWorkload(kind, *make, *options, Progress);
    if (!e.ok()) {
      std::fprintf(stderr, "caserouter-sim: %s: %s\n", kind.c_str(),
                   std::string(e.status().message()).c_str());
      return 1;
    }
    if (page.sweep.empty()) {
      EvaluationOptions sweep = *options;
      sweep.seeds = std::max(2, options->seeds - 2);
      absl::StatusOr<std::vector<StrategyRuns>> points =
          SweepOutcomeWeights(*make, sweep, Progress);
      if (!points.ok()) {
        return Fail(points.status(), 1, "sweep");
      }
      page.sweep = *std::move(points);
      page.sweep_key = kind;
    }
    page.workloads.push_back(*std::move(e));
  }
  // More evidence, more of the gain: the sparsest replay, longer (its traffic resampled).
  if (std::ifstream(DataFile("incident")) && absl::GetFlag(FLAGS_vary_traffic)) {
    EvaluationOptions evidence = *options;
    evidence.strategies = {Strategy::kOutcome, Strategy::kLongestIdle};
    evidence.oracle = true;
    for (int days : {12, 30}) {
      auto make = WorkloadFactory("incident", "", 1, quick ? 2000 : 0, quick ? days / 3 : days);
      if (!make.ok()) return Fail(make.status(), 1);
      absl::StatusOr<WorkloadEvaluation> e =
          EvaluateWorkload(absl::StrCat("incident_", days, "d"), *make, evidence, Progress);
      if (!e.ok()) return Fail(e.status(), 1, "evidence");
      e->name = absl::StrCat("incident replay, ", quick ? days / 3 : days, " days resampled");
      page.evidence.push_back(*std::move(e));
    }
  }
  // Issue 14: the synthetic centre again, a share of its needs transferred by their first agent.
  if (double share = absl::GetFlag(FLAGS_report_transfer_share); share > 0) {
    EvaluationOptions transfers = *options;
    transfers.base.transfer_share = share;
    auto make = WorkloadFactory("synthetic", "", quick ? 0.15 : 1, quick ? 2000 : 0);
    if (!make.ok()) return Fail(make.status(), 1);
    absl::StatusOr<WorkloadEvaluation> e =
        EvaluateWorkload("synthetic_transfers", *make, transfers, Progress);
    if (!e.ok()) return Fail(e.status(), 1, "transfers");
    page.with_transfers = *std::move(e);
    page.transfer_share = share;
  }
  absl::StatusOr<std::vector<TheoryRow>> theory =
      RunTheoryCheck(options->base.config, {Strategy::kLongestIdle, Strategy::kOutcome},
                     quick ? 2 : options->seeds, quick ? 4 : 24, Progress);
  if (!theory.ok()) {
    return Fail(theory.status(), 1, "theory");
  }
  page.theory = *std::move(theory);
  absl::StatusOr<std::string> benchmark = BenchmarkSection(*options);  // issue 17
  if (!benchmark.ok()) return Fail(benchmark.status(), 1, "benchmark");
  std::ofstream out(absl::GetFlag(FLAGS_out));
  out << WithBenchmarkSection(RenderEvaluation(page), *benchmark);
  if (!out) {
    std::fprintf(stderr, "caserouter-sim: --out: cannot write %s\n",
                 absl::GetFlag(FLAGS_out).c_str());
    return 1;
  }
  for (const auto& [name, content] : RenderFigures(page)) {
    std::string path = absl::GetFlag(FLAGS_figures) + "/" + name;
    std::ofstream f(path);
    f << content;
    if (!f) {
      std::fprintf(stderr, "caserouter-sim: --figures: cannot write %s\n", path.c_str());
      return 1;
    }
  }
  Progress(absl::StrCat("wrote ", absl::GetFlag(FLAGS_out)));
  return 0;
}

}  // namespace
}  // namespace caserouter

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "caserouter-sim run|theory|report [flags]: the routing engine on a virtual clock.\n"
      "  run     one workload (--workload), strategies side by side\n"
      "  theory  one single-skill centre (--arrivals_per_hour, --handle_seconds, --agents,\n"
      "          --patience_seconds, --threshold_seconds; --seeds runs of --hours) against\n"
      "          Erlang C or A, per strategy (default longest_idle,outcome); exit 1 on a\n"
      "          disagreement\n"
      "  report  every workload, the weight sweep and the theory check -> --out\n"
      "  benchmark  only the live benchmark's coverage section of --out (issue 17)");
  std::vector<char*> args = absl::ParseCommandLine(argc, argv);
  std::string command = args.size() > 1 ? args[1] : "";
  if (command == "run") return caserouter::RunOne();
  if (command == "report") return caserouter::Report();
  if (command == "theory") return caserouter::Theory();
  if (command == "benchmark") return caserouter::Benchmark();
  std::fprintf(stderr, "caserouter-sim: say run, theory or report (--help lists the flags)\n");
  return 2;
}
