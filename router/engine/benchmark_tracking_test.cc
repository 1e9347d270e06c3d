// The engine's side of a live benchmark (issue 17): arms at intake, the arm's strategy in the
// decision, the arm across a restart, attribution of outcomes, the guard rail and the reload
// that stops it all.
#include "router/engine/benchmark_tracking.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "router/engine/engine_test_support.h"
#include "router/policy/benchmark_arms.h"

namespace caserouter {
namespace {

constexpr int kFcr = static_cast<int>(BenchmarkMeasure::kFcr);
constexpr int kCsat = static_cast<int>(BenchmarkMeasure::kCsat);
constexpr int kAnswer = static_cast<int>(BenchmarkMeasure::kAnswerSeconds);
constexpr int kAbandon = static_cast<int>(BenchmarkMeasure::kAbandonment);
constexpr int kLevel = static_cast<int>(BenchmarkMeasure::kServiceLevel);

BenchmarkConfig Slots(absl::Time start) {
  BenchmarkConfig b;
  b.enabled = true;
  b.mode = BenchmarkMode::kSlots;
  b.arms = {BenchmarkArm{"outcome", Strategy::kOutcome, 1},
            BenchmarkArm{"idle", Strategy::kLongestIdle, 1}};
  b.slot_length = absl::Minutes(30);
  b.stabilisation = absl::Minutes(2);
  b.start = start;
  b.seed = 5;
  return b;
}

class BenchmarkEngineTest : public EngineTest {
 protected:
  void Configure(const EngineConfig& config) {
    config_ = config;
    StatusAnswer s;
    engine_->Reconfigure(config_, s.Sink());
    engine_->Tick();
    ASSERT_TRUE(s.get().ok()) << s.get();
  }
  // The arm the schedule gives slot `slot` (billing's order).
  std::string ArmOfSlot(const BenchmarkConfig& b, int64_t slot) {
    int n = static_cast<int>(b.arms.size());
    return b.arms[SlotOrder(b, BenchmarkScope{"billing"}, slot / n)[slot % n]].name;
  }
  absl::StatusOr<Explanation> Explain(const std::string& id) {
    Answer<Explanation> a;
    engine_->ExplainDecision(id, a.Sink());
    engine_->Tick();
    return a.get();
  }
  BenchmarkReport Report() {
    Answer<BenchmarkReport> a;
    engine_->GetBenchmarkReport(kDefaultPrecision, a.Sink());
    engine_->Tick();
    EXPECT_TRUE(a.get().ok()) << a.get().status();
    return a.get().ok() ? *a.get() : BenchmarkReport{};
  }
  std::vector<Event> EventsOfType(const std::string& type) {
    std::vector<Event> out;
    for (const FieldList& f : store_.events()) {
      absl::StatusOr<Event> e = DecodeEvent(f);
      if (e.ok() && e->type == type) out.push_back(*e);
    }
    return out;
  }
};

TEST_F(BenchmarkEngineTest, ACaseTakesItsSlotsArmWhichDecidesAndIsRecorded) {
  EngineConfig config = config_;
  config.benchmark = Slots(clock_.Now());
  Configure(config);
  AddAgent("ana");
  auto desk = Connect("ana");

  clock_.Advance(absl::Minutes(5));  // slot 0, past its gap
  const std::string first = SubmitOk(Spec(Channel::kChat, "k1"));
  Case c = Get(first);
  EXPECT_EQ(c.arm, ArmOfSlot(config.benchmark, 0));
  EXPECT_FALSE(c.arm_excluded);
  absl::StatusOr<Explanation> e = Explain(first);
  ASSERT_TRUE(e.ok()) << e.status();
  EXPECT_EQ(e->decision.arm, c.arm);
  EXPECT_EQ(e->decision.strategy, config.benchmark.FindArm(c.arm)->strategy);

  clock_.Advance(absl::Minutes(26));  // slot 1, one minute into its gap
  const std::string second = SubmitOk(Spec(Channel::kEmail, "k2"));
  Case d = Get(second);
  EXPECT_EQ(d.arm, ArmOfSlot(config.benchmark, 1));
  EXPECT_NE(d.arm, c.arm);  // one slot per arm in a cycle
  EXPECT_TRUE(d.arm_excluded);

  // Announced on the stream, the gap marked.
  std::vector<Event> assigned = EventsOfType("arm_assigned");
  ASSERT_EQ(assigned.size(), 2u);
  EXPECT_EQ(assigned[0].case_id, first);
  EXPECT_EQ(assigned[0].detail, c.arm);
  EXPECT_EQ(assigned[1].detail, absl::StrCat(d.arm, ":excluded"));

  // A new replica reads the arm back from the store.
  engine_->ReleaseLeadership();
  engine_.reset();
  std::unique_ptr<MemoryStateStore> handle = store_.NewHandle();
  engine_ = MakeEngine(handle.get(), "replica-b");
  ASSERT_TRUE(engine_->IsServing());
  EXPECT_EQ(Get(first).arm, c.arm);
  EXPECT_EQ(Get(second).arm, d.arm);
  EXPECT_TRUE(Get(second).arm_excluded);
  BenchmarkReport r = Report();
  ASSERT_EQ(r.arms.size(), 2u);
  int64_t assigned_total = r.arms[0].assigned + r.arms[1].assigned;
  EXPECT_EQ(assigned_total, 2);
  engine_->ReleaseLeadership();
  engine_.reset();
}

TEST_F(BenchmarkEngineTest, AReloadWithoutTheBenchmarkStopsItAtOnce) {
  EngineConfig config = config_;
  config.strategy = Strategy::kRoundRobin;
  config.benchmark = Slots(clock_.Now());
  Configure(config);
  AddAgent("ana");
  Connect("ana", /*available=*/false);  // nobody takes cases: they wait
  clock_.Advance(absl::Minutes(5));
  const std::string waiting = SubmitOk(Spec(Channel::kChat, "k1"));
  ASSERT_FALSE(Get(waiting).arm.empty());
  absl::StatusOr<Explanation> before = Explain(waiting);
  ASSERT_TRUE(before.ok()) << before.status();
  EXPECT_FALSE(before->decision.arm.empty());

  config.benchmark.enabled = false;
  Configure(config);
  absl::StatusOr<Explanation> after = Explain(waiting);
  ASSERT_TRUE(after.ok()) << after.status();
  EXPECT_EQ(after->decision.arm, "");  // the usual strategy decides the waiting case now
  EXPECT_EQ(after->decision.strategy, Strategy::kRoundRobin);
  EXPECT_TRUE(Get(SubmitOk(Spec(Channel::kChat, "k2"))).arm.empty());
  EXPECT_FALSE(Report().running);
}

TEST_F(BenchmarkEngineTest, AnArmBelowItsServiceLevelFloorIsSuspended) {
  EngineConfig config = config_;
  config.benchmark = Slots(clock_.Now());
  config.benchmark.service_level_floor = 0.5;
  config.benchmark.service_level_min_cases = 2;
  Configure(config);
  clock_.Advance(absl::Minutes(5));
  const std::string arm = ArmOfSlot(config.benchmark, 0);
  // Two phone calls of slot 0 nobody answers: the callers hang up.
  for (const char* key : {"k1", "k2"}) {
    const std::string id = SubmitOk(Spec(Channel::kPhone, key));
    Answer<CaseView> a;
    engine_->CancelCase(id, "", a.Sink());
    engine_->Tick();
    ASSERT_TRUE(a.get().ok()) << a.get().status();
  }
  clock_.Advance(kGuardInterval);
  engine_->Tick();
  std::vector<Event> suspended = EventsOfType("benchmark_arm_suspended");
  ASSERT_EQ(suspended.size(), 1u);
  EXPECT_EQ(suspended[0].detail, arm);
  BenchmarkReport r = Report();
  for (const BenchmarkArmCounts& counts : r.arms) EXPECT_EQ(counts.suspended, counts.arm == arm);

  // Its slot's new cases go to the other arm, left out of the comparison.
  Case next = Get(SubmitOk(Spec(Channel::kEmail, "k3")));
  EXPECT_NE(next.arm, arm);
  EXPECT_FALSE(next.arm.empty());
  EXPECT_TRUE(next.arm_excluded);

  // A reload lifts the suspension.
  Configure(config);
  Case after = Get(SubmitOk(Spec(Channel::kEmail, "k4")));
  EXPECT_EQ(after.arm, arm);
  EXPECT_FALSE(after.arm_excluded);
}

// Attribution on known cases: a domain state built by hand.
Case Closed(const std::string& id, const std::string& arm, CaseState state, absl::Time created,
            absl::Duration wait, absl::Time closed) {
  Case c;
  c.id = id;
  c.arm = arm;
  c.spec.topic = "billing";
  c.spec.channel = Channel::kPhone;  // SLA 20 s
  c.state = state;
  c.created_time = created;
  if (wait >= absl::ZeroDuration()) c.answered_time = created + wait;
  c.closed_time = closed;
  return c;
}

TEST(BenchmarkAttributionTest, OutcomesAreAttributedAsTheSimulatorDoes) {
  EngineConfig config;
  config.benchmark = Slots(absl::UnixEpoch());
  config.repeat_window = absl::Hours(72);
  const absl::Time t0 = absl::FromUnixSeconds(1'000'000);
  const absl::Time now = t0 + absl::Hours(100);
  DomainState state;
  // Arm "outcome": resolved and kept (fcr 1, csat 5, 10 s), resolved but the customer came
  // back (fcr 0, 30 s: SLA missed), unresolved inside the window (pending), abandoned.
  Case a1 = Closed("a1", "outcome", CaseState::kCompleted, t0, absl::Seconds(10), t0);
  a1.outcome = {true, 5, false};
  Case a2 = Closed("a2", "outcome", CaseState::kCompleted, t0, absl::Seconds(30), t0);
  a2.outcome = {true, 0, false};
  a2.came_back = true;
  Case a3 =
      Closed("a3", "outcome", CaseState::kCompleted, t0, absl::Seconds(5), now - absl::Hours(1));
  a3.outcome = {false, 2, false};
  Case a4 = Closed("a4", "outcome", CaseState::kCancelled, t0, absl::Seconds(-1), t0);
  // Arm "idle": resolved (fcr 1, 20 s: within SLA), one in a gap (left out), one still queued.
  Case b1 = Closed("b1", "idle", CaseState::kCompleted, t0, absl::Seconds(20), t0);
  b1.outcome = {true, 3, false};
  Case b2 = Closed("b2", "idle", CaseState::kCompleted, t0, absl::Seconds(1), t0);
  b2.arm_excluded = true;
  Case b3 = Closed("b3", "idle", CaseState::kQueued, t0, absl::Seconds(-1), absl::InfinitePast());
  Case none = Closed("n1", "", CaseState::kCompleted, t0, absl::Seconds(1), t0);
  for (Case* c : {&a1, &a2, &a3, &a4, &b1, &b2, &b3, &none}) state.AddCase(*c);

  BenchmarkReport r = BenchmarkReportOf(state, config, now, kDefaultPrecision);
  ASSERT_EQ(r.arms.size(), 2u);
  EXPECT_EQ(r.arms[0].arm, "outcome");
  EXPECT_EQ(r.arms[0].assigned, 4);
  EXPECT_EQ(r.arms[0].fcr_pending, 1);
  EXPECT_EQ(r.arms[1].assigned, 3);
  EXPECT_EQ(r.arms[1].excluded, 1);
  EXPECT_EQ(r.arms[1].open, 1);
  const ArmMeasures& a = r.comparison.arms[0];
  EXPECT_EQ(a.cases, 4);
  EXPECT_EQ(a.measure[kFcr].n, 2);  // a1, a2 (a3 pending, a4 never completed)
  EXPECT_DOUBLE_EQ(a.measure[kFcr].mean, 0.5);
  EXPECT_EQ(a.measure[kCsat].n, 2);  // 5 and 2
  EXPECT_DOUBLE_EQ(a.measure[kCsat].mean, 3.5);
  EXPECT_EQ(a.measure[kAnswer].n, 3);
  EXPECT_DOUBLE_EQ(a.measure[kAnswer].mean, 15);  // (10 + 30 + 5) / 3
  EXPECT_EQ(a.measure[kAbandon].n, 4);
  EXPECT_DOUBLE_EQ(a.measure[kAbandon].mean, 0.25);
  EXPECT_DOUBLE_EQ(a.measure[kLevel].mean, 0.5);  // a1, a3 within 20 s of 4
  const ArmMeasures& b = r.comparison.arms[1];
  EXPECT_EQ(b.cases, 2);  // b1 and the queued b3; b2 excluded
  EXPECT_DOUBLE_EQ(b.measure[kFcr].mean, 1);
  EXPECT_DOUBLE_EQ(b.measure[kAnswer].mean, 20);
  EXPECT_EQ(b.measure[kAbandon].n, 1);  // b3 has not ended
  EXPECT_DOUBLE_EQ(b.measure[kLevel].mean, 1);
  ASSERT_EQ(r.comparison.differences.size(), 1u);
  EXPECT_DOUBLE_EQ(r.comparison.differences[0].measure[kFcr].diff, 0.5);

  // The CSAT source is replaceable (issue 13's survey CSAT).
  BenchmarkReport surveyed = BenchmarkReportOf(
      state, config, now, kDefaultPrecision,
      [](const Case& c) -> std::optional<double> { return c.id == "b1" ? 1.0 : 4.0; });
  EXPECT_DOUBLE_EQ(surveyed.comparison.arms[1].measure[kCsat].mean, 2.5);  // b1 1, b3 4
}

}  // namespace
}  // namespace caserouter
