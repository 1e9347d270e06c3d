// Engine behaviour on a fake clock and the in-memory store: the life of a case, offers and
// timeouts, global order, desk sessions, idempotency, store outages, recovery and fencing.
#include "router/engine/engine.h"

#include "gtest/gtest.h"
#include "router/engine/engine_test_support.h"

namespace caserouter {
namespace {

TEST_F(EngineTest, BecomesLeaderAndServes) {
  EXPECT_TRUE(engine_->IsServing());
  EXPECT_TRUE(observer_.leading);
}

TEST_F(EngineTest, CaseLifeFromSubmitToComplete) {
  AddAgent("ana");
  auto desk = Connect("ana");
  std::string id = SubmitOk(Spec(Channel::kChat, "k1"));
  EXPECT_EQ(desk->TakeOffers(), std::vector<std::string>{id});
  EXPECT_EQ(Get(id).state, CaseState::kOffered);

  clock_.Advance(absl::Seconds(3));
  absl::StatusOr<CaseView> accepted = Accept("ana", desk.get(), id);
  ASSERT_TRUE(accepted.ok()) << accepted.status();
  EXPECT_EQ(accepted->record.state, CaseState::kAssigned);
  EXPECT_EQ(accepted->record.agent_id, "ana");
  EXPECT_EQ(observer_.answered, 1);
  EXPECT_EQ(observer_.sla_met_count, 1);  // 3 s against a 60 s chat SLA

  absl::StatusOr<CaseView> done = Complete("ana", desk.get(), id, Outcome{true, 5, false});
  ASSERT_TRUE(done.ok()) << done.status();
  EXPECT_EQ(done->record.state, CaseState::kCompleted);
  EXPECT_TRUE(done->record.outcome.resolved);
  EXPECT_EQ(observer_.completed, 1);
  EXPECT_EQ(observer_.topics, std::vector<std::string>{"billing"});

  // Wrap-up, then available again with the capacity freed.
  std::vector<AgentView> agents = Agents();
  EXPECT_EQ(agents[0].agent.presence, Presence::kWrapUp);
  EXPECT_EQ(agents[0].agent.TotalActive(), 0);
  clock_.Advance(config_.channels[ChannelIndex(Channel::kChat)].wrap_up);
  engine_->Tick();
  EXPECT_EQ(Agents()[0].agent.presence, Presence::kAvailable);
}

TEST_F(EngineTest, OfferIsDeliveredOnlyAfterTheBatchIsDurable) {
  AddAgent("ana");
  auto desk = Connect("ana");
  store_.SetUnavailable(true);
  absl::StatusOr<SubmitResult> r = Submit(Spec(Channel::kChat, "k1"));
  EXPECT_EQ(r.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_TRUE(desk->TakeOffers().empty());
  EXPECT_FALSE(engine_->IsServing());
  EXPECT_EQ(observer_.received, 0);

  // While the store is down, every call is UNAVAILABLE and nothing is acknowledged.
  EXPECT_EQ(Submit(Spec(Channel::kChat, "k2")).status().code(), absl::StatusCode::kUnavailable);

  // The store comes back: the engine rebuilds; the failed submissions never happened.
  store_.SetUnavailable(false);
  clock_.Advance(absl::Seconds(1));  // the next attempt to lead
  engine_->Tick();
  EXPECT_TRUE(engine_->IsServing());
  absl::StatusOr<SubmitResult> again = Submit(Spec(Channel::kChat, "k1"));
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_FALSE(again->deduplicated);
}

TEST_F(EngineTest, ResubmissionWithTheSameKeyReturnsTheSameCase) {
  absl::StatusOr<SubmitResult> first = Submit(Spec(Channel::kEmail, "same-key"));
  absl::StatusOr<SubmitResult> second = Submit(Spec(Channel::kEmail, "same-key"));
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_EQ(first->view.record.id, second->view.record.id);
  EXPECT_FALSE(first->deduplicated);
  EXPECT_TRUE(second->deduplicated);
  EXPECT_EQ(observer_.received, 1);
}

TEST_F(EngineTest, TwoSubmissionsWithOneKeyInOneTickMakeOneCase) {
  Answer<SubmitResult> a, b;
  engine_->SubmitCase(Spec(Channel::kEmail, "k"), a.Sink());
  engine_->SubmitCase(Spec(Channel::kEmail, "k"), b.Sink());
  engine_->Tick();
  ASSERT_TRUE(a.get().ok() && b.get().ok());
  EXPECT_EQ(a.get()->view.record.id, b.get()->view.record.id);
}

TEST_F(EngineTest, InvalidSubmissionNamesTheFieldAndChangesNothing) {
  CaseSpec bad = Spec(Channel::kChat, "k1");
  bad.required_skills[0].min_proficiency = 11;
  absl::StatusOr<SubmitResult> r = Submit(bad);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("required_skills[0].min_proficiency"), std::string::npos);
  EXPECT_EQ(r.status().message().find("my bill"), std::string::npos);
  EXPECT_EQ(observer_.received, 0);
  // The key was not consumed.
  EXPECT_FALSE(Submit(Spec(Channel::kChat, "k1"))->deduplicated);
}

TEST_F(EngineTest, OneGlobalOrderAcrossChannels) {
  AddAgent("ana");
  std::string email = SubmitOk(Spec(Channel::kEmail, "e"));
  std::string chat = SubmitOk(Spec(Channel::kChat, "c"));
  std::string social = SubmitOk(Spec(Channel::kSocial, "s"));
  auto desk = Connect("ana");  // one agent, one slot for the phone call: takes the most urgent
  std::vector<std::string> offers = desk->TakeOffers();
  // ana takes chats, posts and emails up to the shared attention budget: chat (0.34) and
  // social (0.25) and email (0.2) fit together in 1.0, offered in priority order.
  ASSERT_EQ(offers.size(), 3u);
  EXPECT_EQ(offers[0], chat);
  EXPECT_EQ(offers[1], social);
  EXPECT_EQ(offers[2], email);
}

TEST_F(EngineTest, HigherPriorityCaseGetsTheOnlyAgentFirst) {
  AddAgent("ana");
  CaseSpec low = Spec(Channel::kPhone, "low");
  CaseSpec high = Spec(Channel::kPhone, "high");
  high.explicit_priority = 100;
  std::string low_id = SubmitOk(low);
  std::string high_id = SubmitOk(high);
  auto desk = Connect("ana");
  EXPECT_EQ(desk->TakeOffers(), std::vector<std::string>{high_id});
  ASSERT_TRUE(Accept("ana", desk.get(), high_id).ok());
  EXPECT_EQ(Get(low_id).state, CaseState::kQueued);  // a call blocks other work
}

TEST_F(EngineTest, DeclinedCaseGoesToAnotherAgentAndNeverBackInThisPass) {
  AddAgent("ana", 9);
  AddAgent("bo", 5);
  auto ana = Connect("ana");
  auto bo = Connect("bo");
  std::string id = SubmitOk(Spec(Channel::kPhone, "k"));
  Case before = Get(id);
  EXPECT_EQ(ana->TakeOffers(), std::vector<std::string>{id});  // more proficient
  ASSERT_TRUE(Decline("ana", ana.get(), id).ok());
  EXPECT_EQ(bo->TakeOffers(), std::vector<std::string>{id});
  Case offered = Get(id);
  EXPECT_EQ(offered.enqueued_time, before.enqueued_time);  // keeps its age
  ASSERT_TRUE(Decline("bo", bo.get(), id).ok());
  // Both declined: it waits rather than bouncing back within the pass.
  engine_->Tick();
  EXPECT_TRUE(ana->TakeOffers().empty());
  EXPECT_EQ(Get(id).state, CaseState::kQueued);
  EXPECT_EQ(observer_.offers[static_cast<int>(OfferResult::kDeclined)], 2);
  EXPECT_GT(observer_.exclusions[static_cast<int>(Exclusion::kDeclined)], 0);
  // After the pass, it may be offered again.
  clock_.Advance(config_.decline_pass);
  engine_->Tick();
  EXPECT_EQ(ana->TakeOffers(), std::vector<std::string>{id});
}

TEST_F(EngineTest, OfferTimeoutReroutesAndMissedOffersSetTheAgentAway) {
  AddAgent("ana", 9);
  AddAgent("bo", 5);
  auto ana = Connect("ana");
  std::string first = SubmitOk(Spec(Channel::kPhone, "k1"));
  EXPECT_EQ(ana->TakeOffers(), std::vector<std::string>{first});
  clock_.Advance(config_.offer_timeout);
  engine_->Tick();
  EXPECT_EQ(Get(first).state, CaseState::kQueued);
  std::vector<DeskNotice> notices = ana->Take();
  ASSERT_FALSE(notices.empty());
  EXPECT_EQ(notices[0].kind, DeskNotice::Kind::kOfferRevoked);
  EXPECT_EQ(notices[0].reason, "timed_out");

  std::string second = SubmitOk(Spec(Channel::kPhone, "k2"));
  EXPECT_EQ(ana->TakeOffers(), std::vector<std::string>{second});
  clock_.Advance(config_.offer_timeout);
  engine_->Tick();
  // Two missed in a row: AWAY, and told so.
  bool told = false;
  for (const DeskNotice& n : ana->Take()) {
    if (n.kind == DeskNotice::Kind::kPresenceChanged && n.presence == Presence::kAway) {
      told = n.reason == "missed_offers";
    }
  }
  EXPECT_TRUE(told);
  EXPECT_EQ(Agents()[0].agent.presence, Presence::kAway);
  EXPECT_EQ(observer_.offers[static_cast<int>(OfferResult::kTimedOut)], 2);

  // bo connects and gets the waiting calls; ana (away) gets nothing.
  auto bo = Connect("bo");
  EXPECT_EQ(bo->TakeOffers().size(), 1u);  // one call at a time
  EXPECT_TRUE(ana->TakeOffers().empty());
}

TEST_F(EngineTest, OnlyTheOfferedAgentMayAcceptAndOnlyTheHolderMayComplete) {
  AddAgent("ana", 9);
  AddAgent("bo", 5);
  auto ana = Connect("ana");
  auto bo = Connect("bo");
  std::string id = SubmitOk(Spec(Channel::kPhone, "k"));
  // Another agent's offer or case: not bo's to act on (PERMISSION_DENIED, not a timing issue).
  EXPECT_EQ(Accept("bo", bo.get(), id).status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(Decline("bo", bo.get(), id).code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(Accept("bo", ana.get(), id).status().code(),
            absl::StatusCode::kFailedPrecondition);  // another agent's stream
  ASSERT_TRUE(Accept("ana", ana.get(), id).ok());
  EXPECT_EQ(Complete("bo", bo.get(), id, Outcome{}).status().code(),
            absl::StatusCode::kPermissionDenied);
  // ana's own case in the wrong state: a precondition.
  EXPECT_EQ(Accept("ana", ana.get(), id).status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(Complete("ana", ana.get(), "c99999999", Outcome{}).status().code(),
            absl::StatusCode::kNotFound);
  Outcome bad;
  bad.csat = 9;
  absl::StatusOr<CaseView> r = Complete("ana", ana.get(), id, bad);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("outcome.csat"), std::string::npos);
  EXPECT_EQ(Get(id).state, CaseState::kAssigned);
}

TEST_F(EngineTest, CaseTtlEndsAnUntakenCaseWithAReason) {
  std::string id = SubmitOk(Spec(Channel::kChat, "k"));
  clock_.Advance(config_.channels[ChannelIndex(Channel::kChat)].ttl);
  engine_->Tick();
  Case c = Get(id);
  EXPECT_EQ(c.state, CaseState::kExpired);
  EXPECT_EQ(c.end_reason, "no_agent_within_ttl");
  EXPECT_EQ(observer_.expired, 1);
}

// Closed cases (and their idempotency keys) are kept for closed_retention, then forgotten,
// oldest first; a case closed later stays until its own retention ends.
TEST_F(EngineTest, ClosedCasesAreForgottenAfterTheirRetention) {
  UseLeaseTtl(absl::Hours(24 * 30));  // one leader throughout: no rebuild from the store
  auto cancel = [this](const std::string& id) {
    Answer<CaseView> cancelled;
    engine_->CancelCase(id, "", cancelled.Sink());
    engine_->Tick();
    ASSERT_TRUE(cancelled.get().ok()) << cancelled.get().status();
  };
  auto known = [this](const std::string& id) {
    Answer<CaseView> answer;
    engine_->GetCase(id, answer.Sink());
    engine_->Tick();
    return answer.get().ok();
  };
  std::string first = SubmitOk(Spec(Channel::kEmail, "old"));
  cancel(first);
  clock_.Advance(absl::Hours(48));
  std::string second = SubmitOk(Spec(Channel::kEmail, "newer"));
  cancel(second);
  clock_.Advance(config_.closed_retention - absl::Hours(48) + absl::Minutes(2));
  engine_->Tick();
  EXPECT_FALSE(known(first));
  EXPECT_TRUE(known(second));
  absl::StatusOr<SubmitResult> again = Submit(Spec(Channel::kEmail, "old"));
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->deduplicated) << "the key was forgotten with its case";
  absl::StatusOr<SubmitResult> retried = Submit(Spec(Channel::kEmail, "newer"));
  ASSERT_TRUE(retried.ok());
  EXPECT_TRUE(retried->deduplicated);
  clock_.Advance(absl::Hours(48));
  engine_->Tick();
  EXPECT_FALSE(known(second));
}

TEST_F(EngineTest, CancelledWhileOfferedRevokesTheOffer) {
  AddAgent("ana");
  auto desk = Connect("ana");
  std::string id = SubmitOk(Spec(Channel::kPhone, "k"));
  desk->Take();
  Answer<CaseView> cancelled;
  engine_->CancelCase(id, "", cancelled.Sink());
  engine_->Tick();
  ASSERT_TRUE(cancelled.get().ok());
  EXPECT_EQ(cancelled.get()->record.state, CaseState::kCancelled);
  EXPECT_EQ(cancelled.get()->record.end_reason, "customer_left");
  std::vector<DeskNotice> notices = desk->Take();
  ASSERT_EQ(notices.size(), 1u);
  EXPECT_EQ(notices[0].kind, DeskNotice::Kind::kOfferRevoked);
  EXPECT_EQ(Agents()[0].agent.TotalActive(), 0);
  EXPECT_EQ(observer_.abandoned, 1);

  Answer<CaseView> again;
  engine_->CancelCase(id, "", again.Sink());
  engine_->Tick();
  EXPECT_EQ(again.get().status().code(), absl::StatusCode::kFailedPrecondition);
  Answer<CaseView> bad_reason;
  engine_->CancelCase(id, "because", bad_reason.Sink());
  engine_->Tick();
  EXPECT_EQ(bad_reason.get().status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(EngineTest, MessagesReachTheAgentHoldingTheCase) {
  AddAgent("ana");
  auto desk = Connect("ana");
  std::string id = SubmitOk(Spec(Channel::kChat, "k"));
  ASSERT_TRUE(Accept("ana", desk.get(), id).ok());
  desk->Take();
  Answer<CaseView> added;
  engine_->AddMessage(id, "still broken", added.Sink());
  engine_->Tick();
  ASSERT_TRUE(added.get().ok());
  EXPECT_EQ(added.get()->record.messages, std::vector<std::string>{"still broken"});
  std::vector<DeskNotice> notices = desk->Take();
  ASSERT_EQ(notices.size(), 1u);
  EXPECT_EQ(notices[0].kind, DeskNotice::Kind::kCaseMessage);
  EXPECT_EQ(notices[0].text, "still broken");
}

TEST_F(EngineTest, SilentDeskLosesItsOffersAtOnceAndAssignmentsAfterTheGrace) {
  AddAgent("ana", 9);
  AddAgent("bo", 5);
  auto ana = Connect("ana");
  std::string chat1 = SubmitOk(Spec(Channel::kChat, "k1"));
  ASSERT_TRUE(Accept("ana", ana.get(), chat1).ok());
  std::string chat2 = SubmitOk(Spec(Channel::kChat, "k2"));
  EXPECT_EQ(Get(chat2).agent_id, "ana");
  ana->Take();

  clock_.Advance(config_.heartbeat_timeout);
  engine_->Tick();
  std::vector<DeskNotice> notices = ana->Take();
  ASSERT_FALSE(notices.empty());
  EXPECT_EQ(notices.back().kind, DeskNotice::Kind::kSessionEnded);
  EXPECT_EQ(notices.back().reason, "heartbeat_lost");
  EXPECT_EQ(Get(chat2).state, CaseState::kQueued);    // the offer ended at once
  EXPECT_EQ(Get(chat1).state, CaseState::kAssigned);  // the assignment is held

  auto bo = Connect("bo");
  EXPECT_EQ(bo->TakeOffers(), std::vector<std::string>{chat2});
  clock_.Advance(config_.reconnect_grace);
  engine_->Tick();
  Case rerouted = Get(chat1);
  EXPECT_EQ(rerouted.preferred_agent, "ana");
  EXPECT_EQ(rerouted.agent_id, "bo");  // re-routed to whoever can take it
}

TEST_F(EngineTest, AgentWhoReconnectsWithinTheGraceKeepsTheCase) {
  AddAgent("ana");
  auto ana = Connect("ana");
  std::string id = SubmitOk(Spec(Channel::kChat, "k1"));
  ASSERT_TRUE(Accept("ana", ana.get(), id).ok());
  engine_->CloseSession("ana", ana.get());
  engine_->Tick();
  EXPECT_EQ(Agents()[0].agent.presence, Presence::kOffline);
  clock_.Advance(config_.reconnect_grace / 2);
  auto desk = std::make_shared<RecordingDesk>();
  Answer<Welcome> welcome;
  engine_->OpenSession("ana", desk, welcome.Sink());
  engine_->Tick();
  ASSERT_TRUE(welcome.get().ok());
  ASSERT_EQ(welcome.get()->assigned.size(), 1u);
  EXPECT_EQ(welcome.get()->assigned[0].record.id, id);
  clock_.Advance(config_.reconnect_grace);
  engine_->Tick();
  EXPECT_EQ(Get(id).state, CaseState::kAssigned);
}

TEST_F(EngineTest, ASecondSessionReplacesTheFirst) {
  AddAgent("ana");
  auto first = Connect("ana");
  auto second = Connect("ana");
  std::vector<DeskNotice> notices = first->Take();
  ASSERT_FALSE(notices.empty());
  EXPECT_EQ(notices.back().kind, DeskNotice::Kind::kSessionEnded);
  EXPECT_EQ(notices.back().reason, "replaced");
  std::string id = SubmitOk(Spec(Channel::kChat, "k"));
  EXPECT_EQ(Accept("ana", first.get(), id).status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(Accept("ana", second.get(), id).ok());
}

TEST_F(EngineTest, RecoveryRequeuesOffersKeepsAssignmentsAndCompletedCases) {
  UseLeaseTtl(absl::Seconds(5));
  AddAgent("ana");
  AddAgent("bo");
  auto ana = Connect("ana");
  std::string assigned = SubmitOk(Spec(Channel::kPhone, "a"));
  ASSERT_TRUE(Accept("ana", ana.get(), assigned).ok());
  auto bo = Connect("bo");
  std::string done = SubmitOk(Spec(Channel::kPhone, "d"));
  ASSERT_TRUE(Accept("bo", bo.get(), done).ok());
  ASSERT_TRUE(Complete("bo", bo.get(), done, Outcome{true, 4, false}).ok());
  clock_.Advance(absl::Seconds(40));  // bo's wrap-up ends
  engine_->Tick();
  std::string offered = SubmitOk(Spec(Channel::kPhone, "o"));
  EXPECT_EQ(Get(offered).state, CaseState::kOffered);
  std::string queued = SubmitOk(Spec(Channel::kPhone, "q"));
  EXPECT_EQ(Get(queued).state, CaseState::kQueued);

  // The replica dies (no clean shutdown); a new one takes over once the lease lapses.
  std::unique_ptr<MemoryStateStore> handle = store_.NewHandle();
  engine_.reset();
  clock_.Advance(config_.lease_ttl);
  engine_ = MakeEngine(handle.get(), "replica-b");
  ASSERT_TRUE(engine_->IsServing());
  EXPECT_EQ(Get(assigned).state, CaseState::kAssigned);
  EXPECT_EQ(Get(assigned).agent_id, "ana");
  EXPECT_EQ(Get(done).state, CaseState::kCompleted);
  EXPECT_EQ(Get(offered).state, CaseState::kQueued);
  EXPECT_EQ(Get(queued).state, CaseState::kQueued);
  // Nobody is connected to the new replica yet.
  for (const AgentView& a : Agents()) EXPECT_EQ(a.agent.presence, Presence::kOffline);
  // The same keys give the same cases; new cases get new ids.
  absl::StatusOr<SubmitResult> retried = Submit(Spec(Channel::kPhone, "o"));
  ASSERT_TRUE(retried.ok());
  EXPECT_TRUE(retried->deduplicated);
  EXPECT_EQ(retried->view.record.id, offered);
  std::string fresh = SubmitOk(Spec(Channel::kPhone, "new"));
  EXPECT_NE(fresh, offered);
  EXPECT_NE(fresh, queued);
}

TEST_F(EngineTest, DeposedLeaderIsFencedOutAndStepsDown) {
  UseLeaseTtl(absl::Seconds(5));
  std::unique_ptr<MemoryStateStore> handle = store_.NewHandle();
  clock_.Advance(config_.lease_ttl);  // the leader stalls past its lease...
  Engine usurper(config_, handle.get(), &clock_, nullptr, "replica-b");
  usurper.Tick();
  ASSERT_TRUE(usurper.IsServing());
  // ...and wakes up to write: refused, and it answers UNAVAILABLE so clients retry elsewhere.
  absl::StatusOr<SubmitResult> r = Submit(Spec(Channel::kChat, "k"));
  EXPECT_EQ(r.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_FALSE(engine_->IsServing());
}

TEST_F(EngineTest, SteppingDownEndsEveryDeskSessionAtOnce) {
  // Issue 11: a deposed leader kept its desk streams open, so the new leader saw the agents
  // OFFLINE while their desks sat on a replica that could do nothing for them.
  UseLeaseTtl(absl::Seconds(5));
  AddAgent("ana");
  AddAgent("bo");
  auto ana = Connect("ana");
  auto bo = Connect("bo");
  ana->Take();
  bo->Take();
  std::unique_ptr<MemoryStateStore> handle = store_.NewHandle();
  clock_.Advance(config_.lease_ttl);
  Engine usurper(config_, handle.get(), &clock_, nullptr, "replica-b");
  usurper.Tick();
  ASSERT_TRUE(usurper.IsServing());
  engine_->Tick();  // the renewal finds the lease taken
  EXPECT_FALSE(engine_->IsServing());
  for (RecordingDesk* desk : {ana.get(), bo.get()}) {
    std::vector<DeskNotice> notices = desk->Take();
    ASSERT_EQ(notices.size(), 1u);
    EXPECT_EQ(notices[0].kind, DeskNotice::Kind::kSessionEnded);
    EXPECT_EQ(notices[0].reason, kNotLeadingReason);
  }
}

TEST_F(EngineTest, AStoreFailureEndsEveryDeskSession) {
  AddAgent("ana");
  auto desk = Connect("ana");
  desk->Take();
  store_.SetUnavailable(true);
  EXPECT_EQ(Submit(Spec(Channel::kChat, "k")).status().code(), absl::StatusCode::kUnavailable);
  std::vector<DeskNotice> notices = desk->Take();
  ASSERT_EQ(notices.size(), 1u);
  EXPECT_EQ(notices[0].kind, DeskNotice::Kind::kSessionEnded);
  EXPECT_EQ(notices[0].reason, kNotLeadingReason);
}

// A store that notes, at each attempt to take the lease, whether a given command had been
// answered already (a real hung Redis blocks in that attempt for its whole command timeout).
class AttemptWatchingStore : public StateStore {
 public:
  explicit AttemptWatchingStore(MemoryStateStore* inner) : inner_(inner) {}
  std::function<void()> on_acquire;
  absl::StatusOr<int64_t> AcquireLeadership(absl::string_view owner, absl::Duration ttl,
                                            absl::Time now) override {
    if (on_acquire) on_acquire();
    return inner_->AcquireLeadership(owner, ttl, now);
  }
  absl::Status RenewLeadership(absl::string_view owner, int64_t epoch, absl::Duration ttl,
                               absl::Time now) override {
    return inner_->RenewLeadership(owner, epoch, ttl, now);
  }
  absl::Status ReleaseLeadership(absl::string_view owner) override {
    return inner_->ReleaseLeadership(owner);
  }
  absl::Status Commit(const Batch& batch, int64_t epoch) override {
    return inner_->Commit(batch, epoch);
  }
  using StateStore::Load;
  absl::StatusOr<StoredState> Load(absl::Time now, const LoadProgress& progress) override {
    return inner_->Load(now, progress);
  }

 private:
  MemoryStateStore* const inner_;
};

TEST_F(EngineTest, WhileTheStoreIsUnreachableWaitingCommandsAreAnsweredBeforeTheNextAttempt) {
  // Issue 11, defect 5: a command that waited for a stuck commit then waited for a stuck
  // attempt to lead again, and its caller saw DEADLINE_EXCEEDED.
  AttemptWatchingStore watching(&store_);
  engine_.reset();
  engine_ = MakeEngine(&watching, "replica-a");
  store_.SetUnavailable(true);
  EXPECT_EQ(Submit(Spec(Channel::kChat, "k")).status().code(), absl::StatusCode::kUnavailable);

  Answer<CaseView> waiting;
  engine_->GetCase("c-1", waiting.Sink());
  bool answered_before_attempt = false;
  int attempts = 0;
  watching.on_acquire = [&] {
    ++attempts;
    answered_before_attempt = waiting.has_value();
  };
  engine_->Tick();
  ASSERT_EQ(attempts, 1);
  EXPECT_TRUE(answered_before_attempt);
  EXPECT_EQ(waiting.get().status().code(), absl::StatusCode::kUnavailable);

  // The store is back: the next attempt leads (what waited for it was told to retry), and
  // commands are served again.
  store_.SetUnavailable(false);
  clock_.Advance(absl::Seconds(1));
  watching.on_acquire = nullptr;
  engine_->Tick();
  EXPECT_TRUE(engine_->IsServing());
  absl::StatusOr<SubmitResult> again = Submit(Spec(Channel::kChat, "k2"));
  EXPECT_TRUE(again.ok()) << again.status();
}

TEST_F(EngineTest, AgentsAreManagedWithClearErrors) {
  AddAgent("ana");
  Agent dup;
  dup.id = "ana";
  Answer<AgentView> created;
  engine_->CreateAgent(dup, created.Sink());
  engine_->Tick();
  EXPECT_EQ(created.get().status().code(), absl::StatusCode::kAlreadyExists);

  Agent bad;
  bad.id = "bo";
  bad.skills = {{"billing", 0}};
  Answer<AgentView> invalid;
  engine_->CreateAgent(bad, invalid.Sink());
  engine_->Tick();
  EXPECT_EQ(invalid.get().status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(invalid.get().status().message().find("skills[0].proficiency"), std::string::npos);

  Agent update;
  update.id = "ana";
  update.skills = {{"refunds", 7}};
  update.authority_limit = 500;
  Answer<AgentView> updated;
  engine_->UpdateAgent(update, updated.Sink());
  engine_->Tick();
  ASSERT_TRUE(updated.get().ok());
  EXPECT_EQ(updated.get()->agent.ProficiencyOf("refunds"), 7);

  StatusAnswer removed, missing;
  engine_->RemoveAgent("ana", removed.Sink());
  engine_->RemoveAgent("ana", missing.Sink());
  engine_->Tick();
  EXPECT_TRUE(removed.get().ok());
  EXPECT_EQ(missing.get().code(), absl::StatusCode::kNotFound);
  EXPECT_TRUE(Agents().empty());
}

TEST_F(EngineTest, NotFoundNamesAnIdOnlyWhenItIsOne) {
  // Callers other than the gRPC layer reach the engine unvalidated: what is not an id must not
  // come back in the message.
  const std::string junk = "no\ncase SECRET " + std::string(300, 'x');
  Answer<CaseView> bad_case, good_case;
  Answer<Explanation> bad_explain;
  StatusAnswer bad_agent, good_agent;
  engine_->GetCase(junk, bad_case.Sink());
  engine_->GetCase("c99999999", good_case.Sink());
  engine_->ExplainDecision(junk, bad_explain.Sink());
  engine_->RemoveAgent(junk, bad_agent.Sink());
  engine_->RemoveAgent("nobody", good_agent.Sink());
  engine_->Tick();
  for (const absl::Status& s :
       {bad_case.get().status(), bad_explain.get().status(), bad_agent.get()}) {
    EXPECT_EQ(s.code(), absl::StatusCode::kNotFound) << s;
    EXPECT_EQ(s.message().find("SECRET"), absl::string_view::npos) << s;
    EXPECT_LT(s.message().size(), 100u) << s;
  }
  EXPECT_EQ(good_case.get().status().message(), "case_id: no case 'c99999999'");
  EXPECT_EQ(good_agent.get().message(), "agent_id: no agent 'nobody'");
}

TEST_F(EngineTest, SentimentIsEstimatedFromTheTextWhenTheAdapterGaveNone) {
  CaseSpec angry = Spec(Channel::kSocial, "angry");
  angry.subject = "WORST service ever, still waiting, this is ridiculous!!!";
  CaseSpec given = angry;
  given.idempotency_key = "given";
  given.customer_id = "other";
  given.has_sentiment = true;
  given.sentiment = 0.5;
  absl::StatusOr<SubmitResult> estimated = Submit(angry);
  absl::StatusOr<SubmitResult> trusted = Submit(given);
  ASSERT_TRUE(estimated.ok() && trusted.ok());
  EXPECT_LT(estimated->view.record.spec.sentiment, -0.3);
  EXPECT_DOUBLE_EQ(trusted->view.record.spec.sentiment, 0.5);
  EXPECT_GT(estimated->view.priority.total, trusted->view.priority.total);
}

TEST_F(EngineTest, QueueSnapshotIsInRoutingOrderWithoutCustomerText) {
  SubmitOk(Spec(Channel::kEmail, "e"));
  std::string phone = SubmitOk(Spec(Channel::kPhone, "p"));
  Answer<QueueSnapshot> snapshot;
  engine_->ListQueue(10, snapshot.Sink());
  engine_->Tick();
  ASSERT_TRUE(snapshot.get().ok());
  ASSERT_EQ(snapshot.get()->cases.size(), 2u);
  EXPECT_EQ(snapshot.get()->cases[0].record.id, phone);
  EXPECT_TRUE(snapshot.get()->cases[0].record.spec.subject.empty());
  EXPECT_EQ(snapshot.get()->depth[ChannelIndex(Channel::kEmail)], 1);
  EXPECT_EQ(observer_.depth[ChannelIndex(Channel::kPhone)], 1);
}

}  // namespace
}  // namespace caserouter

namespace caserouter {
namespace {

// Issue 14: what transfers and pending cases add to a case is stored: a new leader still
// never offers a transferred case to the agent who transferred it, and a pending case stays
// pending, its capacity free, and comes back to its agent on the customer's message.
TEST_F(EngineTest, TransfersAndPendingCasesSurviveAFailover) {
  UseLeaseTtl(absl::Seconds(5));
  AddAgent("ana");
  AddAgent("bo");
  std::shared_ptr<RecordingDesk> ana = Connect("ana");
  const std::string moved = SubmitOk(Spec(Channel::kChat, "moved"));
  ASSERT_TRUE(Accept("ana", ana.get(), moved).ok());
  TransferRequest back;
  back.kind = TransferKind::kRouting;
  back.requirements.required_skills = {{"billing", 1}};
  Answer<CaseView> transferred;
  engine_->Transfer("ana", ana.get(), moved, back, transferred.Sink());
  engine_->Tick();
  ASSERT_TRUE(transferred.get().ok()) << transferred.get().status();
  const std::string waiting = SubmitOk(Spec(Channel::kEmail, "waiting"));
  ASSERT_TRUE(Accept("ana", ana.get(), waiting).ok());
  Answer<CaseView> pending;
  engine_->MarkPending("ana", ana.get(), waiting, pending.Sink());
  engine_->Tick();
  ASSERT_TRUE(pending.get().ok()) << pending.get().status();

  std::unique_ptr<MemoryStateStore> handle = store_.NewHandle();
  engine_.reset();
  clock_.Advance(config_.lease_ttl);
  absl::StatusOr<StoredState> stored = handle->Load(clock_.Now());
  ASSERT_TRUE(stored.ok()) << stored.status();  // what the new leader reads
  engine_ = MakeEngine(handle.get(), "replica-b");
  ASSERT_TRUE(engine_->IsServing());
  EXPECT_EQ(Get(moved).transfers, 1);
  EXPECT_EQ(Get(moved).transferred_by, std::vector<std::string>{"ana"});
  EXPECT_EQ(Get(waiting).state, CaseState::kPending);
  EXPECT_EQ(Get(waiting).agent_id, "ana");

  // Ana comes back: the transferred case is not offered to her; the pending one is, once the
  // customer writes.
  ana = Connect("ana");
  EXPECT_EQ(Get(moved).state, CaseState::kQueued);
  Answer<CaseView> wrote;
  engine_->AddMessage(waiting, "here is the photo", wrote.Sink());
  engine_->Tick();
  ASSERT_TRUE(wrote.get().ok()) << wrote.get().status();
  EXPECT_EQ(Get(waiting).state, CaseState::kOffered);
  EXPECT_EQ(Get(waiting).agent_id, "ana");
  // Bo, who did not transfer it, gets the transferred case.
  std::shared_ptr<RecordingDesk> bo = Connect("bo");
  EXPECT_EQ(Get(moved).state, CaseState::kOffered);
  EXPECT_EQ(Get(moved).agent_id, "bo");
}

}  // namespace
}  // namespace caserouter
