// End-to-end (issue 14, item 1): transfers over real gRPC against a real redis-server —
// cold (offered to the other agent at once), warm (a consult: accepted, the case moves;
// declined, it stays with the first agent), and back to routing with new requirements. The
// case keeps its age and is never offered back to the agent who transferred it; the outcome
// goes to the agent who resolves it and is not a first-contact resolution, in the metrics and
// in the stored track record alike.
#include <memory>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "tests/e2e/e2e_support.h"

namespace caserouter::e2e {
namespace {

// Offers and heartbeats outlast the test; the decline pass is the test config's 300 s.
class TransferTest : public RouterTest {
 protected:
  TransferTest() : RouterTest(TestConfigYaml(absl::Seconds(120), absl::Seconds(120))) {}

  std::unique_ptr<DeskClient> Desk(const std::string& agent,
                                   v1::Presence presence = v1::PRESENCE_AVAILABLE) {
    grpc::Status created = c().CreateAgent(agent, {{"billing", 8}});
    EXPECT_TRUE(created.ok()) << created.error_message();
    absl::StatusOr<std::unique_ptr<DeskClient>> desk = DeskClient::Connect(c().desk.get(), agent);
    EXPECT_TRUE(desk.ok()) << desk.status();
    if (!desk.ok()) return nullptr;
    if (presence == v1::PRESENCE_AVAILABLE) {
      absl::StatusOr<v1::Ack> ack = (*desk)->SetPresence(presence);
      EXPECT_TRUE(ack.ok() && ack->code() == 0);
    }
    return *std::move(desk);
  }

  // A case submitted while only `desk` is available, accepted by it.
  std::string AcceptedBy(DeskClient& desk, const std::string& key) {
    v1::SubmitCaseResponse submitted;
    EXPECT_TRUE(c().Submit(SampleSubmission(key), &submitted).ok());
    const std::string id = submitted.case_().case_id();
    EXPECT_TRUE(WaitFor([&] { return desk.OffersFor(id) == 1; }));
    absl::StatusOr<v1::Ack> accepted = desk.Accept(id);
    EXPECT_TRUE(accepted.ok() && accepted->code() == 0)
        << (accepted.ok() ? accepted->message() : "no ack");
    return id;
  }

  static absl::StatusOr<v1::Ack> Transfer(DeskClient& desk, const std::string& case_id,
                                          v1::TransferKind kind, const std::string& to,
                                          const std::string& topic = "") {
    v1::ConnectRequest request;
    v1::Transfer* t = request.mutable_transfer();
    t->set_case_id(case_id);
    t->set_kind(kind);
    t->set_to_agent_id(to);
    if (kind == v1::TRANSFER_KIND_ROUTING) {
      v1::SkillRequirement* skill = t->mutable_requirements()->add_required_skills();
      skill->set_skill("billing");
      skill->set_min_proficiency(5);
      t->mutable_requirements()->set_language("en");
      t->mutable_requirements()->set_topic(topic);
    }
    return desk.Send(request);
  }

  v1::Case Get(const std::string& id) {
    v1::Case out;
    grpc::Status status = c().GetCase(id, &out);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return out;
  }

  double Metric(const std::string& series) {
    return MetricSample(router_->server().metrics_port(), series);
  }

  // The first transfer update on `desk` for `case_id`.
  static std::optional<v1::TransferUpdate> UpdateFor(DeskClient& desk, const std::string& case_id) {
    std::optional<v1::TransferUpdate> found;
    WaitFor([&] {
      for (const v1::ConnectResponse& e : desk.events()) {
        if (e.has_transfer_update() && e.transfer_update().case_id() == case_id) {
          found = e.transfer_update();
          return true;
        }
      }
      return false;
    });
    return found;
  }
};

TEST_F(TransferTest, ColdTransferCreditsTheResolvingAgentAndIsNoFirstContactResolution) {
  std::unique_ptr<DeskClient> ana = Desk("ana");
  ASSERT_NE(ana, nullptr);
  const std::string id = AcceptedBy(*ana, "cold-1");
  const v1::Case before = Get(id);
  std::unique_ptr<DeskClient> bob = Desk("bob");
  ASSERT_NE(bob, nullptr);

  absl::StatusOr<v1::Ack> moved = Transfer(*ana, id, v1::TRANSFER_KIND_COLD, "bob");
  ASSERT_TRUE(moved.ok()) << moved.status();
  ASSERT_EQ(moved->code(), 0) << moved->message();
  EXPECT_EQ(moved->case_().agent_id(), "bob");
  EXPECT_TRUE(moved->case_().subject().empty());  // no longer Ana's to read
  std::optional<v1::Offer> offer = bob->WaitForOffer();
  ASSERT_TRUE(offer.has_value());
  EXPECT_EQ(offer->case_().case_id(), id);
  EXPECT_FALSE(offer->consult());
  absl::StatusOr<v1::Ack> accepted = bob->Accept(id);
  ASSERT_TRUE(accepted.ok() && accepted->code() == 0);
  EXPECT_EQ(accepted->case_().create_time().seconds(), before.create_time().seconds());
  EXPECT_EQ(accepted->case_().answer_time().seconds(), before.answer_time().seconds());
  absl::StatusOr<v1::Ack> completed = bob->Complete(id, /*resolved=*/true, /*csat=*/5);
  ASSERT_TRUE(completed.ok() && completed->code() == 0);
  EXPECT_EQ(ana->OffersFor(id), 1);  // never offered back

  // Metrics: one cold transfer, one resolution, no first-contact resolution.
  EXPECT_TRUE(WaitFor([&] {
    return Metric("caserouter_transfers_total{channel=\"phone\",kind=\"cold\"}") == 1;
  })) << "caserouter_transfers_total{channel=\"phone\",kind=\"cold\"}";
  EXPECT_TRUE(WaitFor([&] {
    return Metric(
               "caserouter_cases_completed_total{channel=\"phone\",resolved=\"true\",topic="
               "\"billing\"}") == 1;
  })) << "caserouter_cases_completed_total{channel=\"phone\",resolved=\"true\",topic=\"billing\"}";
  EXPECT_EQ(
      Metric("caserouter_first_contact_resolutions_total{channel=\"phone\",topic=\"billing\"}"), 0);
  // The stored track record agrees: Bob resolved it, not at first contact; Ana has nothing.
  std::unique_ptr<RedisStateStore> store = OpenStore(redis_->port());
  ASSERT_NE(store, nullptr);
  absl::StatusOr<StoredState> state = store->Load(absl::Now());
  ASSERT_TRUE(state.ok()) << state.status();
  bool bob_found = false;
  for (const QualityRecord& q : state->quality) {
    EXPECT_FALSE(q.agent_id == "ana" && q.topic == "billing" && q.completed > 0);
    if (q.agent_id == "bob" && q.topic == "billing") {
      bob_found = true;
      EXPECT_EQ(q.completed, 1);
      EXPECT_EQ(q.resolved, 1);
      EXPECT_EQ(q.first_contact_resolutions, 0);
    }
  }
  EXPECT_TRUE(bob_found);
  for (const Case& stored : state->cases) {
    if (stored.id != id) continue;
    EXPECT_EQ(stored.transfers, 1);
    EXPECT_EQ(stored.transferred_by, std::vector<std::string>{"ana"});
  }
}

TEST_F(TransferTest, ADeclinedWarmTransferLeavesTheCaseWithTheFirstAgent) {
  std::unique_ptr<DeskClient> ana = Desk("ana");
  ASSERT_NE(ana, nullptr);
  const std::string id = AcceptedBy(*ana, "warm-1");
  std::unique_ptr<DeskClient> bob = Desk("bob");
  ASSERT_NE(bob, nullptr);

  absl::StatusOr<v1::Ack> asked = Transfer(*ana, id, v1::TRANSFER_KIND_WARM, "bob");
  ASSERT_TRUE(asked.ok() && asked->code() == 0) << (asked.ok() ? asked->message() : "");
  EXPECT_EQ(asked->case_().agent_id(), "ana");  // still hers during the consult
  std::optional<v1::Offer> consult = bob->WaitForOffer();
  ASSERT_TRUE(consult.has_value());
  EXPECT_TRUE(consult->consult());
  EXPECT_EQ(consult->consult_from_agent_id(), "ana");
  EXPECT_EQ(consult->case_().subject(), "I was charged twice for March");  // to judge it

  absl::StatusOr<v1::Ack> declined = bob->Decline(id);
  ASSERT_TRUE(declined.ok() && declined->code() == 0) << (declined.ok() ? declined->message() : "");
  std::optional<v1::TransferUpdate> update = UpdateFor(*ana, id);
  ASSERT_TRUE(update.has_value());
  EXPECT_FALSE(update->accepted());
  EXPECT_EQ(update->to_agent_id(), "bob");
  const v1::Case after = Get(id);
  EXPECT_EQ(after.state(), v1::CASE_STATE_ASSIGNED);
  EXPECT_EQ(after.agent_id(), "ana");
  // Still hers: she can complete it, and it is a first-contact resolution (no hand-over).
  absl::StatusOr<v1::Ack> completed = ana->Complete(id, /*resolved=*/true, /*csat=*/4);
  ASSERT_TRUE(completed.ok() && completed->code() == 0) << completed->message();
  EXPECT_TRUE(WaitFor([&] {
    return Metric("caserouter_transfers_total{channel=\"phone\",kind=\"warm_declined\"}") == 1;
  })) << "caserouter_transfers_total{channel=\"phone\",kind=\"warm_declined\"}";
  EXPECT_EQ(Metric("caserouter_transfers_total{channel=\"phone\",kind=\"warm\"}"), 0);
  EXPECT_TRUE(WaitFor([&] {
    return Metric(
               "caserouter_first_contact_resolutions_total{channel=\"phone\",topic=\"billing\"}") ==
           1;
  })) << "caserouter_first_contact_resolutions_total{channel=\"phone\",topic=\"billing\"}";
}

TEST_F(TransferTest, AnAcceptedWarmTransferHandsTheCaseOver) {
  std::unique_ptr<DeskClient> ana = Desk("ana");
  ASSERT_NE(ana, nullptr);
  const std::string id = AcceptedBy(*ana, "warm-2");
  std::unique_ptr<DeskClient> bob = Desk("bob");
  ASSERT_NE(bob, nullptr);
  ASSERT_TRUE(Transfer(*ana, id, v1::TRANSFER_KIND_WARM, "bob").ok());
  ASSERT_TRUE(bob->WaitForOffer().has_value());

  absl::StatusOr<v1::Ack> taken = bob->Accept(id);
  ASSERT_TRUE(taken.ok()) << taken.status();
  ASSERT_EQ(taken->code(), 0) << taken->message();
  EXPECT_EQ(taken->case_().agent_id(), "bob");
  EXPECT_EQ(taken->case_().state(), v1::CASE_STATE_ASSIGNED);
  std::optional<v1::TransferUpdate> update = UpdateFor(*ana, id);
  ASSERT_TRUE(update.has_value());
  EXPECT_TRUE(update->accepted());
  // Ana's line is free; she can no longer act on it.
  absl::StatusOr<v1::Ack> late = ana->Complete(id, true, 5);
  ASSERT_TRUE(late.ok());
  EXPECT_EQ(late->code(), static_cast<int>(grpc::StatusCode::PERMISSION_DENIED));
  EXPECT_TRUE(WaitFor([&] {
    return Metric("caserouter_transfers_total{channel=\"phone\",kind=\"warm\"}") == 1;
  })) << "caserouter_transfers_total{channel=\"phone\",kind=\"warm\"}";
}

TEST_F(TransferTest, BackToRoutingWithNewRequirementsAndNeverToTheTransferringAgent) {
  std::unique_ptr<DeskClient> ana = Desk("ana");
  ASSERT_NE(ana, nullptr);
  const std::string id = AcceptedBy(*ana, "routing-1");
  absl::StatusOr<v1::Ack> moved =
      Transfer(*ana, id, v1::TRANSFER_KIND_ROUTING, "", /*topic=*/"technical");
  ASSERT_TRUE(moved.ok() && moved->code() == 0) << (moved.ok() ? moved->message() : "");
  EXPECT_EQ(moved->case_().state(), v1::CASE_STATE_QUEUED);
  EXPECT_EQ(moved->case_().topic(), "technical");

  // Bob gets it; Ana, AVAILABLE and free, never does — not even after Bob declines it.
  std::unique_ptr<DeskClient> bob = Desk("bob");
  ASSERT_NE(bob, nullptr);
  std::optional<v1::Offer> offer = bob->WaitForOffer();
  ASSERT_TRUE(offer.has_value());
  EXPECT_EQ(offer->case_().case_id(), id);
  EXPECT_EQ(offer->case_().topic(), "technical");
  ASSERT_TRUE(bob->Decline(id).ok());
  ASSERT_TRUE(WaitFor([&] { return Get(id).state() == v1::CASE_STATE_QUEUED; }));
  std::unique_ptr<DeskClient> carl = Desk("carl");
  ASSERT_NE(carl, nullptr);
  std::optional<v1::Offer> to_carl = carl->WaitForOffer();
  ASSERT_TRUE(to_carl.has_value());
  EXPECT_EQ(to_carl->case_().case_id(), id);
  EXPECT_EQ(ana->OffersFor(id), 1);
  EXPECT_TRUE(WaitFor([&] {
    return Metric("caserouter_transfers_total{channel=\"phone\",kind=\"routing\"}") == 1;
  })) << "caserouter_transfers_total{channel=\"phone\",kind=\"routing\"}";
}

TEST_F(TransferTest, RefusesARecipientWhoCannotTakeItSayingWhy) {
  std::unique_ptr<DeskClient> ana = Desk("ana");
  ASSERT_NE(ana, nullptr);
  const std::string id = AcceptedBy(*ana, "refuse-1");
  std::unique_ptr<DeskClient> dan = Desk("dan", v1::PRESENCE_AWAY);
  ASSERT_NE(dan, nullptr);
  absl::StatusOr<v1::Ack> refused = Transfer(*ana, id, v1::TRANSFER_KIND_COLD, "dan");
  ASSERT_TRUE(refused.ok());
  EXPECT_EQ(refused->code(), static_cast<int>(grpc::StatusCode::FAILED_PRECONDITION));
  EXPECT_TRUE(absl::StrContains(refused->message(), "presence")) << refused->message();
  absl::StatusOr<v1::Ack> self = Transfer(*ana, id, v1::TRANSFER_KIND_COLD, "ana");
  ASSERT_TRUE(self.ok());
  EXPECT_EQ(self->code(), static_cast<int>(grpc::StatusCode::INVALID_ARGUMENT));
  EXPECT_TRUE(absl::StrContains(self->message(), "transfer.to_agent_id")) << self->message();
  absl::StatusOr<v1::Ack> no_kind = Transfer(*ana, id, v1::TRANSFER_KIND_UNSPECIFIED, "dan");
  ASSERT_TRUE(no_kind.ok());
  EXPECT_EQ(no_kind->code(), static_cast<int>(grpc::StatusCode::INVALID_ARGUMENT));
  EXPECT_TRUE(absl::StrContains(no_kind->message(), "transfer.kind")) << no_kind->message();
  EXPECT_EQ(Get(id).agent_id(), "ana");
}

}  // namespace
}  // namespace caserouter::e2e
