// The simulator's behaviour: deterministic, the engine sees only what a real one would, the
// ground truth shows through returns, workloads from traces are built as documented.
#include "tools/sim/simulator.h"

#include <cmath>
#include <sstream>

#include "gtest/gtest.h"
#include "router/config/config_loader.h"
#include "tools/replay/bank_trace.h"
#include "tools/replay/csv_trace.h"
#include "tools/sim/ground_truth.h"
#include "tools/sim/report.h"
#include "tools/sim/sim_stats.h"
#include "tools/sim/workload.h"

namespace caserouter {
namespace {

Workload SmallSynthetic(uint64_t seed) {
  SyntheticWorkloadOptions o = DefaultSyntheticWorkload(seed);
  o.cases.duration = absl::Hours(24);
  o.agents_per_shift = 10;
  return MakeSyntheticWorkload(o);
}

SimOptions Options(Strategy strategy, uint64_t seed = 1) {
  SimOptions o;
  absl::StatusOr<EngineConfig> config =
      LoadEngineConfigFile(CASEROUTER_SOURCE_DIR "/deploy/caserouter.yaml");
  EXPECT_TRUE(config.ok()) << config.status();
  if (config.ok()) o.config = *config;
  o.config.strategy = strategy;
  o.config.topic_strategy.clear();
  o.seed = seed;
  return o;
}

TEST(SimulatorTest, SameSeedSameResult) {
  Workload w = SmallSynthetic(3);
  absl::StatusOr<SimResult> a = Simulate(w, Options(Strategy::kOutcome, 3));
  absl::StatusOr<SimResult> b = Simulate(w, Options(Strategy::kOutcome, 3));
  ASSERT_TRUE(a.ok()) << a.status();
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_EQ(a->completed, b->completed);
  EXPECT_EQ(a->returns, b->returns);
  EXPECT_EQ(a->first_contact_resolved, b->first_contact_resolved);
  EXPECT_EQ(a->decisions, b->decisions);
  absl::StatusOr<SimResult> c = Simulate(w, Options(Strategy::kOutcome, 4));
  ASSERT_TRUE(c.ok());
  EXPECT_NE(a->returns * 1000000 + a->first_contact_resolved,
            c->returns * 1000000 + c->first_contact_resolved);
}

TEST(SimulatorTest, EveryContactIsAccountedFor) {
  Workload w = SmallSynthetic(5);
  absl::StatusOr<SimResult> r = Simulate(w, Options(Strategy::kLongestIdle, 5));
  ASSERT_TRUE(r.ok()) << r.status();
  int64_t arrivals = 0, ended = 0;
  for (const ChannelResult& c : r->channels) {
    arrivals += c.arrivals;
    ended += c.answered + c.abandoned + c.expired;
    EXPECT_EQ(static_cast<int64_t>(c.waits.size()), c.answered);
    EXPECT_LE(c.answered_in_sla, c.answered);
  }
  EXPECT_GT(arrivals, 2000);
  EXPECT_EQ(arrivals, ended) << "a contact neither answered, abandoned nor expired";
  EXPECT_EQ(r->completed, [&] {
    int64_t answered = 0;
    for (const ChannelResult& c : r->channels) answered += c.answered;
    return answered;
  }());
  // Needs are the trace's cases (less those that joined an open case); returns are extra.
  EXPECT_EQ(r->needs, static_cast<int64_t>(w.trace.cases.size()));
  EXPECT_EQ(arrivals + r->joined, r->needs + r->returns);
  EXPECT_GT(r->returns, 0);
  EXPECT_GT(r->decisions, 0);
  EXPECT_EQ(r->occupancy.size(), w.agents.size());
}

// What agents report is not the truth: with false resolutions, more cases are reported
// resolved than are, and only returns reveal it.
TEST(SimulatorTest, ReportsOverstateTheTruth) {
  Workload w = SmallSynthetic(6);
  SimOptions o = Options(Strategy::kLongestIdle, 6);
  absl::StatusOr<SimResult> r = Simulate(w, o);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_GT(r->reported_resolved, r->truly_resolved);
  o.truth.false_resolution = 0;
  absl::StatusOr<SimResult> honest = Simulate(w, o);
  ASSERT_TRUE(honest.ok());
  EXPECT_EQ(honest->reported_resolved, honest->truly_resolved);
}

// Nobody comes back when every case is truly resolved; returns follow the truth.
TEST(SimulatorTest, ReturnsFollowTheGroundTruth) {
  Workload w = SmallSynthetic(7);
  SimOptions o = Options(Strategy::kLongestIdle, 7);
  o.truth.mean_resolution = 1;
  o.truth.spread = 0;
  o.truth.relationship_bonus = 0;
  absl::StatusOr<SimResult> perfect = Simulate(w, o);
  ASSERT_TRUE(perfect.ok()) << perfect.status();
  EXPECT_GT(Summarize(*perfect).fcr, 0.97);
  o.truth.mean_resolution = 0.4;
  absl::StatusOr<SimResult> poor = Simulate(w, o);
  ASSERT_TRUE(poor.ok());
  EXPECT_LT(Summarize(*poor).fcr, 0.5);
  EXPECT_GT(poor->returns, 3 * perfect->returns + 100);
}

// Routing by handle time prefers the fast agents, who are the sloppy ones in the default
// ground truth; routing by outcome learns who really resolves.
TEST(SimulatorTest, OutcomeRoutingBeatsCallsPerHourOnTrueResolution) {
  double outcome = 0, fastest = 0;
  for (uint64_t seed : {11, 12}) {
    Workload w = SmallSynthetic(seed);
    absl::StatusOr<SimResult> a = Simulate(w, Options(Strategy::kOutcome, seed));
    absl::StatusOr<SimResult> b = Simulate(w, Options(Strategy::kFastestHandle, seed));
    ASSERT_TRUE(a.ok()) << a.status();
    ASSERT_TRUE(b.ok()) << b.status();
    outcome += Summarize(*a).fcr;
    fastest += Summarize(*b).fcr;
  }
  EXPECT_GT(outcome, fastest);
}

// The oracle reads the truth and never holds: it resolves more than longest idle on the same
// seeds, and no case waits while an able agent is free (its time to answer is no worse).
TEST(SimulatorTest, TheOracleBoundsWhatRoutingCanGain) {
  double oracle = 0, idle = 0, ours = 0;
  for (uint64_t seed : {21, 22}) {
    Workload w = SmallSynthetic(seed);
    SimOptions o = Options(Strategy::kLongestIdle, seed);
    absl::StatusOr<SimResult> li = Simulate(w, o);
    o.oracle = true;
    absl::StatusOr<SimResult> best = Simulate(w, o);
    absl::StatusOr<SimResult> outcome = Simulate(w, Options(Strategy::kOutcome, seed));
    ASSERT_TRUE(li.ok() && best.ok() && outcome.ok());
    oracle += Summarize(*best).fcr;
    idle += Summarize(*li).fcr;
    ours += Summarize(*outcome).fcr;
    EXPECT_EQ(best->explored_offers, 0);
  }
  EXPECT_GT(oracle, idle + 0.04);  // two seeds: more than two points each on average
  EXPECT_GT(oracle, ours);
}

TEST(SimulatorTest, BadOptionsNameTheField) {
  Workload w = SmallSynthetic(1);
  SimOptions o = Options(Strategy::kOutcome);
  o.truth.false_resolution = 1.5;
  absl::StatusOr<SimResult> r = Simulate(w, o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("false_resolution"), std::string::npos);
  o = Options(Strategy::kOutcome);
  o.tick = absl::ZeroDuration();
  r = Simulate(w, o);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("tick"), std::string::npos);
}

TEST(GroundTruthTest, StableAndCorrelated) {
  GroundTruthOptions o;
  GroundTruth a(o, 9), b(o, 9), c(o, 10);
  EXPECT_EQ(a.ResolutionProbability("ana", "billing", false),
            b.ResolutionProbability("ana", "billing", false));
  EXPECT_NE(a.ResolutionProbability("ana", "billing", false),
            c.ResolutionProbability("ana", "billing", false));
  EXPECT_NEAR(a.ResolutionProbability("ana", "billing", true) -
                  a.ResolutionProbability("ana", "billing", false),
              o.relationship_bonus, 1e-9);
  // Over many agents, quality and handle time are correlated as configured (> 0: the good
  // agents are the slow ones).
  double sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0;
  const int n = 2000;
  for (int i = 0; i < n; ++i) {
    std::string id = "agent-" + std::to_string(i);
    double x = a.ResolutionProbability(id, "t", false), y = std::log(a.HandleFactor(id));
    sx += x, sy += y, sxx += x * x, syy += y * y, sxy += x * y;
  }
  double corr = (sxy - sx * sy / n) / std::sqrt((sxx - sx * sx / n) * (syy - sy * sy / n));
  EXPECT_GT(corr, 0.25);
  EXPECT_LT(corr, 0.6);
}

TEST(WorkloadTest, BankAgentsWorkWhenTheyDidInTheData) {
  // Two agents on two days, written in the bank log's format.
  std::string header =
      "vru+line\tcall_id\tcustomer_id\tpriority\ttype\tdate\tvru_entry\tvru_exit\tvru_time\t"
      "q_start\tq_exit\tq_time\toutcome\tser_start\tser_exit\tser_time\tserver\n";
  std::string rows =
      "AA0101\t1\t111\t0\tPS\t990201\t9:00:00\t9:00:10\t10\t9:00:10\t9:00:20\t10\tAGENT\t"
      "9:00:20\t9:05:20\t300\tDANA\n"
      "AA0101\t2\t222\t2\tPE\t990201\t10:00:00\t10:00:10\t10\t10:00:10\t10:00:30\t20\tAGENT\t"
      "10:00:30\t10:02:30\t120\tDANA\n"
      "AA0101\t3\t333\t0\tNE\t990202\t11:00:00\t11:00:10\t10\t11:00:10\t11:00:40\t30\tAGENT\t"
      "11:00:40\t11:10:40\t600\tGILI\n";
  std::istringstream in(header + rows);
  absl::StatusOr<Trace> trace = ReadBankTrace(in, {});
  ASSERT_TRUE(trace.ok()) << trace.status();
  Workload w = MakeBankWorkload(*trace);
  ASSERT_EQ(w.agents.size(), 2u);
  const SimAgent& dana = w.agents[0];
  EXPECT_EQ(dana.profile.id, "DANA");
  ASSERT_EQ(dana.shifts.size(), 1u);
  EXPECT_EQ(dana.shifts[0].start, absl::ZeroDuration());  // five minutes before, clipped
  // Her last call queued at 10:00:10 (an hour after the first) and took two minutes.
  EXPECT_EQ(dana.shifts[0].end, absl::Hours(1) + absl::Minutes(2) + absl::Minutes(5));
  EXPECT_EQ(dana.profile.languages, (std::vector<std::string>{"he", "en"}));
  EXPECT_EQ(dana.profile.skills.size(), 2u);
  EXPECT_EQ(w.agents[1].profile.languages, (std::vector<std::string>{"he"}));
  absl::StatusOr<SimResult> r = Simulate(w, Options(Strategy::kOutcome));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->channels[ChannelIndex(Channel::kPhone)].answered, 3);
}

// A centre's own history in the generic format replays end to end: its agents at work when
// they worked, every contact answered, abandoned or expired, the patience it gives kept.
TEST(WorkloadTest, YourOwnCsvTraceReplays) {
  absl::StatusOr<Trace> trace =
      ReadCsvTraceFile(CASEROUTER_SOURCE_DIR "/tools/replay/example_trace.csv", {});
  ASSERT_TRUE(trace.ok()) << trace.status();
  Workload w = MakeCsvWorkload(*trace);
  ASSERT_EQ(w.agents.size(), 3u);  // ana, bo, cy
  const SimAgent& ana = w.agents[0];
  EXPECT_EQ(ana.profile.id, "ana");
  EXPECT_EQ(ana.shifts.size(), 2u);                      // both days
  EXPECT_EQ(ana.shifts[0].start, absl::ZeroDuration());  // five minutes before, clipped
  EXPECT_EQ(ana.profile.languages, std::vector<std::string>{"en"});
  SimOptions o = Options(Strategy::kOutcome);
  o.truth.return_probability = 0;
  absl::StatusOr<SimResult> r = Simulate(w, o);
  ASSERT_TRUE(r.ok()) << r.status();
  int64_t arrivals = 0, ended = 0;
  for (const ChannelResult& c : r->channels) {
    arrivals += c.arrivals;
    ended += c.answered + c.abandoned + c.expired;
  }
  EXPECT_EQ(arrivals + r->joined, 20);
  EXPECT_EQ(arrivals, ended);
  EXPECT_GT(r->completed, 10);
  // Nobody named serves the unserved ones: a team of generalists when no agent is named.
  for (TraceCase& c : trace->cases) c.served_by.clear();
  trace->agents.clear();
  EXPECT_EQ(MakeCsvWorkload(*trace).agents.size(), 10u);
}

TEST(ReportTest, PageShowsEveryStrategyAndTheTargets) {
  EvaluationOptions options;
  options.base = Options(Strategy::kOutcome);
  options.seeds = 2;
  options.strategies = {Strategy::kOutcome, Strategy::kLongestIdle};
  auto make = [](uint64_t seed) {
    SyntheticWorkloadOptions o = DefaultSyntheticWorkload(seed);
    o.cases.duration = absl::Hours(6);
    return MakeSyntheticWorkload(o);
  };
  absl::StatusOr<WorkloadEvaluation> e = EvaluateWorkload("synthetic", make, options, {});
  ASSERT_TRUE(e.ok()) << e.status();
  EvaluationPage page;
  page.workloads.push_back(*e);
  std::string md = RenderEvaluation(page);
  EXPECT_NE(md.find("| `outcome` |"), std::string::npos);
  EXPECT_NE(md.find("| `longest_idle` |"), std::string::npos);
  EXPECT_NE(md.find("| `oracle` |"), std::string::npos);
  EXPECT_NE(md.find("share of the oracle's FCR gain"), std::string::npos);
  EXPECT_NE(md.find("Paired by seed against `longest_idle`"), std::string::npos);
  EXPECT_NE(md.find("captures at least 80% of the oracle's FCR gain"), std::string::npos);
  EXPECT_NE(md.find("repeat contacts"), std::string::npos);
  EXPECT_NE(md.find("answers explored"), std::string::npos);
  EXPECT_NE(md.find("depth_synthetic.png"), std::string::npos);
  bool script = false;
  for (const auto& [name, content] : RenderFigures(page)) {
    if (name == "figures.gp") script = content.find("depth_synthetic.png") != std::string::npos;
  }
  EXPECT_TRUE(script);
}

}  // namespace
}  // namespace caserouter

namespace caserouter {
namespace {

// Issue 14: with a share of needs beyond their first agent, that agent transfers them back
// to routing through the engine; another agent works them; a need resolved after a transfer
// is resolved but not at the first contact, so true FCR falls by what the transfers took.
TEST(SimulatorTest, TransfersGoThroughTheEngineAndAreNoFirstContactResolutions) {
  Workload w = SmallSynthetic(7);
  SimOptions none = Options(Strategy::kLongestIdle, 7);
  SimOptions some = none;
  some.transfer_share = 0.3;
  absl::StatusOr<SimResult> a = Simulate(w, none);
  absl::StatusOr<SimResult> b = Simulate(w, some);
  ASSERT_TRUE(a.ok()) << a.status();
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_EQ(a->engine_transfers, 0);
  EXPECT_GT(b->engine_transfers, b->needs_served / 5);  // about 30 %
  EXPECT_LT(b->engine_transfers, b->needs_served / 2);
  EXPECT_GT(b->resolved_after_transfer, 0);
  // Every transferred need that was resolved counts as resolved, not at the first contact.
  EXPECT_LT(Summarize(*b).fcr, Summarize(*a).fcr);
  EXPECT_LE(b->first_contact_resolved + b->resolved_after_transfer, b->needs_served);
}

}  // namespace
}  // namespace caserouter
