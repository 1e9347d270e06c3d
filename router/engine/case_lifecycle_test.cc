// The case life cycle's rules that the engine split made explicit: one way to revoke an
// offer (each path writes an offer_revoked event naming why), and the SubmitCase answer as
// the case is stored after the tick.
#include "router/engine/case_lifecycle.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "router/engine/engine_test_support.h"

namespace caserouter {
namespace {

class CaseLifecycleTest : public EngineTest {
 protected:
  // The details of the offer_revoked events stored so far for `case_id`, oldest first.
  std::vector<std::string> RevocationsOf(const std::string& case_id) {
    std::vector<std::string> details;
    for (const FieldList& event : store_.events()) {
      std::string type, id, detail;
      for (const auto& [field, value] : event) {
        if (field == "type") type = value;
        if (field == "case") id = value;
        if (field == "detail") detail = value;
      }
      if (type == "offer_revoked" && id == case_id) details.push_back(detail);
    }
    return details;
  }

  // A case offered to "ana" (the only agent), and ana's desk.
  std::string OfferedToAna(const std::string& key, std::shared_ptr<RecordingDesk>* desk) {
    AddAgent("ana");
    *desk = Connect("ana");
    std::string id = SubmitOk(Spec(Channel::kChat, key));
    EXPECT_EQ(Get(id).state, CaseState::kOffered);
    (*desk)->Take();
    return id;
  }
};

TEST_F(CaseLifecycleTest, SubmitAnswersWithTheCaseAsStoredAfterTheTick) {
  AddAgent("ana");
  auto desk = Connect("ana");
  absl::StatusOr<SubmitResult> r = Submit(Spec(Channel::kChat, "k1"));
  ASSERT_TRUE(r.ok()) << r.status();
  // Offered in the same tick it was submitted: the answer says so, as the store does.
  EXPECT_EQ(r->view.record.state, CaseState::kOffered);
  EXPECT_EQ(r->view.record.agent_id, "ana");
  EXPECT_EQ(Get(r->view.record.id).state, CaseState::kOffered);
}

TEST_F(CaseLifecycleTest, SubmitWithNobodyFreeAnswersQueued) {
  absl::StatusOr<SubmitResult> r = Submit(Spec(Channel::kChat, "k1"));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->view.record.state, CaseState::kQueued);
  EXPECT_TRUE(r->view.record.agent_id.empty());
}

TEST_F(CaseLifecycleTest, SteppingAwayRevokesTheOfferWithAnEvent) {
  std::shared_ptr<RecordingDesk> desk;
  std::string id = OfferedToAna("k1", &desk);
  StatusAnswer away;
  engine_->SetPresence("ana", desk.get(), Presence::kAway, away.Sink());
  engine_->Tick();
  ASSERT_TRUE(away.get().ok()) << away.get();
  EXPECT_EQ(Get(id).state, CaseState::kQueued);
  EXPECT_EQ(RevocationsOf(id), std::vector<std::string>{"presence"});
  std::vector<DeskNotice> notices = desk->Take();
  ASSERT_EQ(notices.size(), 1u);
  EXPECT_EQ(notices[0].kind, DeskNotice::Kind::kOfferRevoked);
  EXPECT_EQ(notices[0].revocation, RevocationReason::kPresence);
}

TEST_F(CaseLifecycleTest, CancellingRevokesTheOfferWithAnEvent) {
  std::shared_ptr<RecordingDesk> desk;
  std::string id = OfferedToAna("k1", &desk);
  Answer<CaseView> cancelled;
  engine_->CancelCase(id, "", cancelled.Sink());
  engine_->Tick();
  ASSERT_TRUE(cancelled.get().ok()) << cancelled.get().status();
  EXPECT_EQ(cancelled.get()->record.state, CaseState::kCancelled);
  EXPECT_EQ(RevocationsOf(id), std::vector<std::string>{"cancelled"});
  EXPECT_EQ(observer_.offers[static_cast<int>(OfferResult::kRevoked)], 1);
}

TEST_F(CaseLifecycleTest, ADeskThatGoesAwayRevokesTheOfferWithAnEvent) {
  std::shared_ptr<RecordingDesk> desk;
  std::string id = OfferedToAna("k1", &desk);
  engine_->CloseSession("ana", desk.get());
  engine_->Tick();
  EXPECT_EQ(Get(id).state, CaseState::kQueued);
  EXPECT_EQ(RevocationsOf(id), std::vector<std::string>{"disconnected"});
}

TEST_F(CaseLifecycleTest, ALapsedOfferIsRevokedWithAnEventAndCountedAsTimedOut) {
  std::shared_ptr<RecordingDesk> desk;
  std::string id = OfferedToAna("k1", &desk);
  clock_.Advance(config_.offer_timeout + absl::Seconds(1));
  engine_->Tick();
  EXPECT_EQ(RevocationsOf(id), std::vector<std::string>{"timed_out"});
  EXPECT_EQ(observer_.offers[static_cast<int>(OfferResult::kTimedOut)], 1);
  EXPECT_EQ(observer_.offers[static_cast<int>(OfferResult::kRevoked)], 0);
  std::vector<DeskNotice> notices = desk->Take();
  ASSERT_FALSE(notices.empty());
  EXPECT_EQ(notices[0].kind, DeskNotice::Kind::kOfferRevoked);
  EXPECT_EQ(notices[0].revocation, RevocationReason::kTimedOut);
}

}  // namespace
}  // namespace caserouter
