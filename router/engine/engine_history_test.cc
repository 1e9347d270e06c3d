// The engine's memory of outcomes: quality records, relationships, repeat contacts, case
// continuity across channels, empowerment, and decisions it can explain.
#include <optional>

#include "gtest/gtest.h"
#include "router/engine/engine.h"
#include "router/engine/engine_test_support.h"

namespace caserouter {
namespace {

class EngineHistoryTest : public EngineTest {
 protected:
  // The relationship of `customer` with `agent` as the store holds it, if it does.
  std::optional<Relationship> StoredRelationship(const std::string& customer,
                                                 const std::string& agent) {
    absl::StatusOr<StoredState> state = store_.Load(clock_.Now());
    EXPECT_TRUE(state.ok()) << state.status();
    if (!state.ok()) return std::nullopt;
    for (const Relationship& r : state->relationships) {
      if (r.customer_id == customer && r.agent_id == agent) return r;
    }
    return std::nullopt;
  }

  // Runs one case for `customer` through `agent` to completion.
  std::string Resolve(const std::string& key, const std::string& customer, const std::string& agent,
                      RecordingDesk* desk, Outcome outcome) {
    CaseSpec spec = Spec(Channel::kChat, key);
    spec.customer_id = customer;
    std::string id = SubmitOk(spec);
    EXPECT_EQ(Get(id).agent_id, agent);
    EXPECT_TRUE(Accept(agent, desk, id).ok());
    EXPECT_TRUE(Complete(agent, desk, id, outcome).ok());
    clock_.Advance(absl::Minutes(1));  // wrap-up ends
    engine_->Tick();
    return id;
  }

  QualityRecord StoredQuality(const std::string& agent, const std::string& topic) {
    absl::StatusOr<StoredState> state = store_.Load(clock_.Now());
    EXPECT_TRUE(state.ok());
    for (const QualityRecord& q : state->quality) {
      if (q.agent_id == agent && q.topic == topic) return q;
    }
    return QualityRecord{};
  }

  absl::StatusOr<Explanation> Explain(const std::string& id) {
    Answer<Explanation> answer;
    engine_->ExplainDecision(id, answer.Sink());
    engine_->Tick();
    return answer.get();
  }
};

TEST_F(EngineHistoryTest, OutcomesBecomeDurableQualityAndRelationshipRecords) {
  AddAgent("ana");
  auto ana = Connect("ana");
  clock_.Advance(absl::Seconds(30));
  Resolve("k1", "cust-1", "ana", ana.get(), Outcome{true, 5, false});
  Resolve("k2", "cust-2", "ana", ana.get(), Outcome{false, 2, true});
  QualityRecord q = StoredQuality("ana", "billing");
  EXPECT_EQ(q.completed, 2);
  EXPECT_EQ(q.resolved, 1);
  EXPECT_EQ(q.first_contact_resolutions, 1);
  EXPECT_EQ(q.csat_sum, 7);
  EXPECT_EQ(q.csat_count, 2);
  std::optional<Relationship> r = StoredRelationship("cust-1", "ana");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->cases, 1);
  EXPECT_EQ(r->resolved, 1);
  EXPECT_EQ(r->last_csat, 5);
}

TEST_F(EngineHistoryTest, AnOutcomeWithoutCsatKeepsTheRelationshipsLastCsat) {
  AddAgent("ana");
  auto ana = Connect("ana");
  clock_.Advance(absl::Seconds(30));
  Resolve("k1", "cust-1", "ana", ana.get(), Outcome{false, 2, true});
  Resolve("k2", "cust-1", "ana", ana.get(), Outcome{false, 0, true});  // no survey answered
  std::optional<Relationship> r = StoredRelationship("cust-1", "ana");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->cases, 2);
  EXPECT_EQ(r->csat_count, 1);
  EXPECT_EQ(r->last_csat, 2);  // the low score still counts against the relationship
}

TEST_F(EngineHistoryTest, AResolvedRepeatContactIsReportedAsARepeat) {
  AddAgent("ana");
  auto ana = Connect("ana");
  clock_.Advance(absl::Seconds(30));
  Resolve("k1", "cust-1", "ana", ana.get(), Outcome{true, 5, false});
  Resolve("k2", "cust-1", "ana", ana.get(), Outcome{true, 5, false});  // came back, resolved
  EXPECT_EQ(observer_.completed, 2);
  EXPECT_EQ(observer_.repeats, 1);
  // The metric counts the first contact only; the second case was the customer coming back.
  EXPECT_EQ(observer_.first_contact_resolutions, 1);
}

TEST_F(EngineHistoryTest, RepeatContactCorrectsTheRecordGainsPriorityAndGoesBackToTheAgent) {
  AddAgent("ana");
  AddAgent("bo");
  auto ana = Connect("ana");
  std::string first = Resolve("k1", "cust-1", "ana", ana.get(), Outcome{true, 5, false});
  EXPECT_EQ(StoredQuality("ana", "billing").first_contact_resolutions, 1);
  auto bo = Connect("bo");
  clock_.Advance(absl::Hours(5));  // both idle; bo longer idle than... ana finished earlier
  engine_->Heartbeat("ana", ana.get());
  engine_->Heartbeat("bo", bo.get());

  CaseSpec again = Spec(Channel::kPhone, "k2");
  again.customer_id = "cust-1";
  absl::StatusOr<SubmitResult> r = Submit(again);
  ASSERT_TRUE(r.ok()) << r.status();
  const Case& c = r->view.record;
  EXPECT_EQ(c.repeat_of, first);
  bool has_term = false;
  for (const ScoreTerm& t : r->view.priority.terms) has_term |= t.name == "repeat_contact";
  EXPECT_TRUE(has_term);
  EXPECT_EQ(observer_.repeats, 1);
  QualityRecord q = StoredQuality("ana", "billing");
  EXPECT_EQ(q.first_contact_resolutions, 0);
  EXPECT_EQ(q.repeats_after_resolved, 1);
  EXPECT_TRUE(Get(first).came_back);
  // The customer goes back to the agent who knows them.
  EXPECT_EQ(Get(c.id).agent_id, "ana");
  EXPECT_EQ(observer_.sticky_hits, 1);
}

TEST_F(EngineHistoryTest, AContactAfterTheWindowIsNotARepeat) {
  AddAgent("ana");
  auto ana = Connect("ana");
  Resolve("k1", "cust-1", "ana", ana.get(), Outcome{true, 5, false});
  clock_.Advance(config_.repeat_window + absl::Minutes(1));
  engine_->Heartbeat("ana", ana.get());
  CaseSpec later = Spec(Channel::kChat, "k2");
  later.customer_id = "cust-1";
  absl::StatusOr<SubmitResult> r = Submit(later);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->view.record.repeat_of.empty());
  EXPECT_EQ(observer_.repeats, 0);
}

TEST_F(EngineHistoryTest, TheCustomersNewContactJoinsTheirOpenCaseWhateverTheChannel) {
  AddAgent("ana");
  auto ana = Connect("ana");
  CaseSpec tweet = Spec(Channel::kSocial, "tweet-1");
  tweet.customer_id = "cust-1";
  std::string id = SubmitOk(tweet);
  ASSERT_TRUE(Accept("ana", ana.get(), id).ok());
  ana->Take();

  CaseSpec call = Spec(Channel::kPhone, "call-1");
  call.customer_id = "cust-1";
  call.subject = "calling about my tweet";
  absl::StatusOr<SubmitResult> r = Submit(call);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->joined);
  EXPECT_EQ(r->view.record.id, id);
  EXPECT_EQ(r->view.record.messages, std::vector<std::string>{"calling about my tweet"});
  std::vector<DeskNotice> notices = ana->Take();
  ASSERT_EQ(notices.size(), 1u);
  EXPECT_EQ(notices[0].kind, DeskNotice::Kind::kCaseMessage);
  EXPECT_EQ(notices[0].channel, Channel::kPhone);
  EXPECT_EQ(observer_.received, 1);  // one case, not two
  // A retry of the call's submission finds the same case.
  absl::StatusOr<SubmitResult> retry = Submit(call);
  ASSERT_TRUE(retry.ok());
  EXPECT_EQ(retry->view.record.id, id);
}

TEST_F(EngineHistoryTest, AWaitingPostBecomesAsUrgentAsTheCallThatJoinsIt) {
  CaseSpec tweet = Spec(Channel::kSocial, "tweet-1");
  tweet.customer_id = "cust-1";
  std::string id = SubmitOk(tweet);
  CaseSpec call = Spec(Channel::kPhone, "call-1");
  call.customer_id = "cust-1";
  ASSERT_TRUE(Submit(call).ok());
  EXPECT_EQ(Get(id).spec.channel, Channel::kPhone);
}

TEST_F(EngineHistoryTest, EmpoweredCaseWaitsForAnEmpoweredAgentUntilItsSlaIsBreached) {
  AddAgent("junior", 5, /*authority=*/50);
  auto junior = Connect("junior");
  CaseSpec refund = Spec(Channel::kChat, "refund");
  refund.authority_needed = 150;
  std::string id = SubmitOk(refund);
  EXPECT_EQ(Get(id).state, CaseState::kQueued);
  absl::StatusOr<Explanation> why = Explain(id);
  ASSERT_TRUE(why.ok()) << why.status();
  EXPECT_EQ(why->decision.excluded_by[static_cast<int>(Exclusion::kAuthority)], 1);
  EXPECT_FALSE(why->decision.winner.has_value());

  AddAgent("senior", 5, /*authority=*/500);
  auto senior = Connect("senior");
  EXPECT_EQ(Get(id).agent_id, "senior");

  // A second refund with only the junior free waits until its SLA is breached.
  ASSERT_TRUE(Accept("senior", senior.get(), id).ok());
  StatusAnswer away;
  engine_->SetPresence("senior", senior.get(), Presence::kAway, away.Sink());
  engine_->Tick();
  CaseSpec second = Spec(Channel::kChat, "refund-2");
  second.authority_needed = 150;
  std::string id2 = SubmitOk(second);
  EXPECT_EQ(Get(id2).state, CaseState::kQueued);
  clock_.Advance(config_.channels[ChannelIndex(Channel::kChat)].sla + absl::Seconds(1));
  engine_->Tick();
  Case routed = Get(id2);
  EXPECT_EQ(routed.agent_id, "junior");
  EXPECT_TRUE(routed.needs_supervisor);
  EXPECT_TRUE(Explain(id2)->decision.authority_waived);
}

TEST_F(EngineHistoryTest, ExplainDecisionGivesStrategyTermsAndExclusionsWithoutText) {
  AddAgent("ana", 9);
  AddAgent("bo", 4);
  AddAgent("cy", 3);
  auto ana = Connect("ana");
  auto bo = Connect("bo");
  Connect("cy", /*available=*/false);
  clock_.Advance(absl::Seconds(45));  // past the bullseye bound of a fresh chat
  engine_->Heartbeat("ana", ana.get());
  CaseSpec spec = Spec(Channel::kChat, "k");
  spec.subject = "secret customer words";
  std::string id = SubmitOk(spec);
  absl::StatusOr<Explanation> why = Explain(id);
  ASSERT_TRUE(why.ok()) << why.status();
  const Decision& d = why->decision;
  EXPECT_EQ(d.strategy, Strategy::kOutcome);
  EXPECT_EQ(d.considered, 3);
  EXPECT_EQ(d.excluded_by[static_cast<int>(Exclusion::kPresence)], 1);
  ASSERT_TRUE(d.winner && d.runner_up);
  EXPECT_EQ(d.winner->agent_id, "ana");
  EXPECT_EQ(d.runner_up->agent_id, "bo");
  EXPECT_FALSE(d.priority.terms.empty());
  EXPECT_TRUE(why->view.record.spec.subject.empty());
  Answer<Explanation> missing;
  engine_->ExplainDecision("c99999999", missing.Sink());
  engine_->Tick();
  EXPECT_EQ(missing.get().status().code(), absl::StatusCode::kNotFound);
}

TEST_F(EngineHistoryTest, AWaitingCaseIsExplainedWhenNobodyIsAvailable) {
  constexpr int kPresence = static_cast<int>(Exclusion::kPresence);
  AddAgent("ana");
  auto ana = Connect("ana", /*available=*/false);
  std::string id = SubmitOk(Spec(Channel::kChat, "k"));
  absl::StatusOr<Explanation> why = Explain(id);
  ASSERT_TRUE(why.ok()) << why.status();
  EXPECT_FALSE(why->decision.winner.has_value());
  EXPECT_EQ(why->decision.considered, 1);
  EXPECT_EQ(why->decision.excluded_by[kPresence], 1);
  const absl::Time first = why->decision.time;

  // Nothing changed: the decision is not made again every tick.
  clock_.Advance(absl::Seconds(45));  // also past the bullseye bound, for the offer below
  engine_->Tick();
  why = Explain(id);
  ASSERT_TRUE(why.ok()) << why.status();
  EXPECT_EQ(why->decision.time, first);

  // Offered to ana, then she steps away: the case waits again, and its explanation says why
  // rather than still naming her the winner.
  StatusAnswer available, away;
  engine_->SetPresence("ana", ana.get(), Presence::kAvailable, available.Sink());
  engine_->Tick();
  ASSERT_EQ(Get(id).state, CaseState::kOffered);
  engine_->SetPresence("ana", ana.get(), Presence::kAway, away.Sink());
  engine_->Tick();
  ASSERT_EQ(Get(id).state, CaseState::kQueued);
  why = Explain(id);
  ASSERT_TRUE(why.ok()) << why.status();
  EXPECT_FALSE(why->decision.winner.has_value());
  EXPECT_EQ(why->decision.excluded_by[kPresence], 1);

  AddAgent("bo");  // a new agent, not connected, is counted too
  why = Explain(id);
  ASSERT_TRUE(why.ok()) << why.status();
  EXPECT_EQ(why->decision.considered, 2);
  EXPECT_EQ(why->decision.excluded_by[kPresence], 2);
}

TEST_F(EngineHistoryTest, HistorySurvivesFailover) {
  UseLeaseTtl(absl::Seconds(5));
  AddAgent("ana");
  AddAgent("bo");
  auto ana = Connect("ana");
  Resolve("k1", "cust-1", "ana", ana.get(), Outcome{true, 5, false});
  std::unique_ptr<MemoryStateStore> handle = store_.NewHandle();
  engine_.reset();
  clock_.Advance(absl::Hours(80));  // past the repeat window: a new need, same customer
  engine_ = MakeEngine(handle.get(), "replica-b");
  ASSERT_TRUE(engine_->IsServing());
  auto bo = Connect("bo");
  auto ana2 = Connect("ana");
  CaseSpec next = Spec(Channel::kChat, "k2");
  next.customer_id = "cust-1";
  std::string id = SubmitOk(next);
  EXPECT_EQ(Get(id).agent_id, "ana");  // the relationship came back with the state
}

}  // namespace
}  // namespace caserouter
