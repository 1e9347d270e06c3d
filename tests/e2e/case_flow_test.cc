// End-to-end: a case's life over real gRPC (127.0.0.1:0) against a real redis-server —
// submit, offer, accept, complete; re-routing after a decline, a timeout and a dead desk;
// idempotent resubmission; unknown ids; the standard services.
#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "tests/e2e/e2e_support.h"

namespace caserouter::e2e {
namespace {

class CaseFlowTest : public RouterTest {
 protected:
  // Creates `agent`, connects its desk and makes it AVAILABLE.
  std::unique_ptr<DeskClient> AvailableDesk(const std::string& agent) {
    grpc::Status created = c().CreateAgent(agent, {{"billing", 8}});
    EXPECT_TRUE(created.ok()) << created.error_message();
    absl::StatusOr<std::unique_ptr<DeskClient>> desk = DeskClient::Connect(c().desk.get(), agent);
    EXPECT_TRUE(desk.ok()) << desk.status();
    if (!desk.ok()) return nullptr;
    absl::StatusOr<v1::Ack> ack = (*desk)->SetPresence(v1::PRESENCE_AVAILABLE);
    EXPECT_TRUE(ack.ok() && ack->code() == 0) << (ack.ok() ? ack->message() : "no ack");
    return *std::move(desk);
  }

  std::string Submit(const std::string& key) {
    v1::SubmitCaseResponse response;
    grpc::Status status = c().Submit(SampleSubmission(key), &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response.case_().case_id();
  }

  v1::Case Get(const std::string& id) {
    v1::Case out;
    grpc::Status status = c().GetCase(id, &out);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return out;
  }
};

TEST_F(CaseFlowTest, SubmitOfferAcceptCompleteIsStoredInRedis) {
  std::unique_ptr<DeskClient> ana = AvailableDesk("ana");
  ASSERT_NE(ana, nullptr);
  const std::string id = Submit("flow-1");
  ASSERT_FALSE(id.empty());

  std::optional<v1::Offer> offer = ana->WaitForOffer();
  ASSERT_TRUE(offer.has_value());
  EXPECT_EQ(offer->case_().case_id(), id);
  EXPECT_EQ(offer->case_().subject(), "I was charged twice for March");  // the agent sees it
  EXPECT_TRUE(offer->has_expire_time());

  absl::StatusOr<v1::Ack> accepted = ana->Accept(id);
  ASSERT_TRUE(accepted.ok()) << accepted.status();
  ASSERT_EQ(accepted->code(), 0) << accepted->message();
  EXPECT_EQ(accepted->case_().state(), v1::CASE_STATE_ASSIGNED);
  EXPECT_EQ(accepted->case_().agent_id(), "ana");
  EXPECT_TRUE(accepted->case_().has_answer_time());

  absl::StatusOr<v1::Ack> completed = ana->Complete(id, /*resolved=*/true, /*csat=*/5);
  ASSERT_TRUE(completed.ok()) << completed.status();
  ASSERT_EQ(completed->code(), 0) << completed->message();
  EXPECT_EQ(completed->case_().state(), v1::CASE_STATE_COMPLETED);

  // What a new leader would rebuild from: read back with a second store on the same Redis.
  std::unique_ptr<RedisStateStore> store = OpenStore(redis_->port());
  ASSERT_NE(store, nullptr);
  absl::StatusOr<StoredState> state = store->Load(absl::Now());
  ASSERT_TRUE(state.ok()) << state.status();
  const Case* stored = nullptr;
  for (const Case& c : state->cases) {
    if (c.id == id) stored = &c;
  }
  ASSERT_NE(stored, nullptr) << "case " << id << " is not in Redis";
  EXPECT_EQ(stored->state, CaseState::kCompleted);
  EXPECT_EQ(stored->agent_id, "ana");
  EXPECT_TRUE(stored->outcome.resolved);
  EXPECT_EQ(stored->outcome.csat, 5);
  EXPECT_EQ(stored->spec.idempotency_key, "flow-1");
  EXPECT_EQ(stored->spec.subject, "I was charged twice for March");
  bool quality_found = false;
  for (const QualityRecord& q : state->quality) {
    if (q.agent_id == "ana" && q.topic == "billing") {
      quality_found = true;
      EXPECT_EQ(q.completed, 1);
      EXPECT_EQ(q.resolved, 1);
      EXPECT_EQ(q.csat_sum, 5);
    }
  }
  EXPECT_TRUE(quality_found);
  EXPECT_EQ(Get(id).state(), v1::CASE_STATE_COMPLETED);
}

// Which of two desks got the offer for `id`.
DeskClient* WhoGotOffer(DeskClient* a, DeskClient* b, const std::string& id) {
  DeskClient* who = nullptr;
  WaitFor([&] {
    if (a->OffersFor(id) > 0) who = a;
    if (b->OffersFor(id) > 0) who = b;
    return who != nullptr;
  });
  return who;
}

TEST_F(CaseFlowTest, DeclinedCaseGoesToAnotherAgentAndNeverBack) {
  std::unique_ptr<DeskClient> ana = AvailableDesk("ana");
  std::unique_ptr<DeskClient> bob = AvailableDesk("bob");
  ASSERT_TRUE(ana && bob);
  const std::string id = Submit("decline-1");
  DeskClient* first = WhoGotOffer(ana.get(), bob.get(), id);
  ASSERT_NE(first, nullptr);
  DeskClient* second = first == ana.get() ? bob.get() : ana.get();

  absl::StatusOr<v1::Ack> declined = first->Decline(id);
  ASSERT_TRUE(declined.ok() && declined->code() == 0);
  ASSERT_TRUE(WaitFor([&] { return second->OffersFor(id) == 1; }));
  declined = second->Decline(id);
  ASSERT_TRUE(declined.ok() && declined->code() == 0);

  // Both declined while both stay available: the case waits in the queue for someone else.
  ASSERT_TRUE(WaitFor([&] {
    v1::Case now = Get(id);
    return now.state() == v1::CASE_STATE_QUEUED && now.agent_id().empty();
  }));
  std::unique_ptr<DeskClient> carl = AvailableDesk("carl");
  ASSERT_NE(carl, nullptr);
  std::optional<v1::Offer> offer = carl->WaitForOffer();
  ASSERT_TRUE(offer.has_value());
  EXPECT_EQ(offer->case_().case_id(), id);
  EXPECT_EQ(first->OffersFor(id), 1);
  EXPECT_EQ(second->OffersFor(id), 1);
}

TEST_F(CaseFlowTest, TimedOutOfferGoesToAnotherAgentAndNeverBack) {
  std::unique_ptr<DeskClient> ana = AvailableDesk("ana");
  std::unique_ptr<DeskClient> bob = AvailableDesk("bob");
  ASSERT_TRUE(ana && bob);
  const std::string id = Submit("timeout-1");
  DeskClient* first = WhoGotOffer(ana.get(), bob.get(), id);
  ASSERT_NE(first, nullptr);
  DeskClient* second = first == ana.get() ? bob.get() : ana.get();

  // `first` does not answer: the offer lapses (1.5 s in the test configuration).
  ASSERT_TRUE(first->WaitForRevoked(id));
  bool timed_out = false;
  for (const v1::ConnectResponse& e : first->events()) {
    if (e.has_offer_revoked() && e.offer_revoked().case_id() == id) {
      timed_out = e.offer_revoked().reason() == v1::REVOCATION_REASON_TIMED_OUT;
    }
  }
  EXPECT_TRUE(timed_out);
  ASSERT_TRUE(WaitFor([&] { return second->OffersFor(id) == 1; }));
  absl::StatusOr<v1::Ack> accepted = second->Accept(id);
  ASSERT_TRUE(accepted.ok() && accepted->code() == 0);
  EXPECT_EQ(accepted->case_().agent_id(), second == ana.get() ? "ana" : "bob");
  EXPECT_EQ(first->OffersFor(id), 1);
}

TEST_F(CaseFlowTest, CancelledDeskStreamLosesItsOfferToAnotherAgent) {
  std::unique_ptr<DeskClient> ana = AvailableDesk("ana");
  std::unique_ptr<DeskClient> bob = AvailableDesk("bob");
  ASSERT_TRUE(ana && bob);
  const std::string id = Submit("cancel-stream-1");
  DeskClient* first = WhoGotOffer(ana.get(), bob.get(), id);
  ASSERT_NE(first, nullptr);
  DeskClient* second = first == ana.get() ? bob.get() : ana.get();
  const std::string first_id = first == ana.get() ? "ana" : "bob";

  first->Cancel();  // the desktop vanished without a goodbye
  ASSERT_TRUE(WaitFor([&] { return second->OffersFor(id) == 1; }));
  EXPECT_EQ(Get(id).agent_id(), first == ana.get() ? "bob" : "ana");
  // The engine saw the stream end: the agent is offline and no longer connected.
  ASSERT_TRUE(WaitFor([&] {
    v1::ListAgentsResponse agents;
    if (!c().ListAgents(&agents).ok()) return false;
    for (const auto& a : agents.agents()) {
      if (a.profile().agent_id() == first_id) {
        return !a.connected() && a.presence() == v1::PRESENCE_OFFLINE;
      }
    }
    return false;
  }));
}

TEST_F(CaseFlowTest, SilentDeskLosesItsOfferAndItsStreamEndsUnavailable) {
  std::unique_ptr<DeskClient> ana = AvailableDesk("ana");
  std::unique_ptr<DeskClient> bob = AvailableDesk("bob");
  ASSERT_TRUE(ana && bob);
  const std::string id = Submit("silent-1");
  DeskClient* first = WhoGotOffer(ana.get(), bob.get(), id);
  ASSERT_NE(first, nullptr);
  DeskClient* second = first == ana.get() ? bob.get() : ana.get();

  first->StopHeartbeats();  // connected but silent: a hung desktop
  std::optional<grpc::Status> ended = first->WaitForEnd();
  ASSERT_TRUE(ended.has_value());
  EXPECT_EQ(ended->error_code(), grpc::StatusCode::UNAVAILABLE) << ended->error_message();
  EXPECT_TRUE(absl::StrContains(ended->error_message(), "heartbeat")) << ended->error_message();
  ASSERT_TRUE(WaitFor([&] { return second->OffersFor(id) == 1; }));
  EXPECT_EQ(first->OffersFor(id), 1);
}

TEST_F(CaseFlowTest, SecondConnectReplacesTheFirstWithAborted) {
  std::unique_ptr<DeskClient> first = AvailableDesk("ana");
  ASSERT_NE(first, nullptr);
  absl::StatusOr<std::unique_ptr<DeskClient>> second = DeskClient::Connect(c().desk.get(), "ana");
  ASSERT_TRUE(second.ok()) << second.status();
  std::optional<grpc::Status> ended = first->WaitForEnd();
  ASSERT_TRUE(ended.has_value());
  EXPECT_EQ(ended->error_code(), grpc::StatusCode::ABORTED) << ended->error_message();
  // The new session works.
  absl::StatusOr<v1::Ack> ack = (*second)->SetPresence(v1::PRESENCE_AVAILABLE);
  ASSERT_TRUE(ack.ok());
  EXPECT_EQ(ack->code(), 0) << ack->message();
}

TEST_F(CaseFlowTest, ResubmittingAKeyReturnsTheSameCase) {
  v1::SubmitCaseRequest request = SampleSubmission("same-key");
  v1::SubmitCaseResponse first;
  ASSERT_TRUE(c().Submit(request, &first).ok());
  EXPECT_FALSE(first.deduplicated());
  request.set_subject("retried, and the text changed on the way");
  v1::SubmitCaseResponse again;
  ASSERT_TRUE(c().Submit(request, &again).ok());
  EXPECT_TRUE(again.deduplicated());
  EXPECT_EQ(again.case_().case_id(), first.case_().case_id());
  v1::ListQueueResponse queue;
  ASSERT_TRUE(c().ListQueue(&queue).ok());
  int copies = 0;
  for (const auto& q : queue.cases()) copies += q.case_id() == first.case_().case_id();
  EXPECT_EQ(copies, 1);
  EXPECT_EQ(queue.cases_size(), 1);
}

TEST_F(CaseFlowTest, ListQueuePagesThroughTheWholeQueueInRoutingOrder) {
  std::vector<std::string> submitted;
  for (int i = 0; i < 5; ++i) submitted.push_back(Submit(absl::StrCat("page-", i)));
  std::vector<std::string> seen;
  std::string token;
  int pages = 0;
  do {
    grpc::ClientContext context;
    v1::ListQueueRequest request;
    request.set_page_size(2);
    request.set_page_token(token);
    v1::ListQueueResponse page;
    grpc::Status status = c().supervision->ListQueue(&context, request, &page);
    ASSERT_TRUE(status.ok()) << status.error_message();
    EXPECT_LE(page.cases_size(), 2);
    EXPECT_EQ(page.total_size(), 5);
    for (const v1::Case& q : page.cases()) {
      seen.push_back(q.case_id());
      EXPECT_TRUE(q.subject().empty());  // no customer text in the queue
    }
    token = page.next_page_token();
    ASSERT_LT(++pages, 10) << "the pages never end";
  } while (!token.empty());
  EXPECT_EQ(pages, 3);
  std::sort(seen.begin(), seen.end());
  std::sort(submitted.begin(), submitted.end());
  EXPECT_EQ(seen, submitted);
}

TEST_F(CaseFlowTest, UnknownIdsAreNotFound) {
  v1::Case ignored;
  EXPECT_EQ(c().GetCase("c-404", &ignored).error_code(), grpc::StatusCode::NOT_FOUND);
  {
    grpc::ClientContext context;
    v1::CancelCaseRequest request;
    request.set_case_id("c-404");
    v1::CancelCaseResponse response;
    EXPECT_EQ(c().intake->CancelCase(&context, request, &response).error_code(),
              grpc::StatusCode::NOT_FOUND);
  }
  {
    grpc::ClientContext context;
    v1::AddMessageRequest request;
    request.set_case_id("c-404");
    request.set_text("hello?");
    v1::AddMessageResponse response;
    grpc::Status status = c().intake->AddMessage(&context, request, &response);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND);
    EXPECT_FALSE(absl::StrContains(status.error_message(), "hello?"));
  }
  {
    grpc::ClientContext context;
    v1::UpdateAgentRequest request;
    request.mutable_profile()->set_agent_id("ghost");
    v1::UpdateAgentResponse response;
    EXPECT_EQ(c().supervision->UpdateAgent(&context, request, &response).error_code(),
              grpc::StatusCode::NOT_FOUND);
  }
  {
    grpc::ClientContext context;
    v1::DeleteAgentRequest request;
    request.set_agent_id("ghost");
    v1::DeleteAgentResponse response;
    EXPECT_EQ(c().supervision->DeleteAgent(&context, request, &response).error_code(),
              grpc::StatusCode::NOT_FOUND);
  }
  {
    grpc::ClientContext context;
    v1::ExplainDecisionRequest request;
    request.set_case_id("c-404");
    v1::ExplainDecisionResponse response;
    EXPECT_EQ(c().supervision->ExplainDecision(&context, request, &response).error_code(),
              grpc::StatusCode::NOT_FOUND);
  }
  // A desk for an agent nobody created: the stream ends NOT_FOUND.
  absl::StatusOr<std::unique_ptr<DeskClient>> ghost = DeskClient::Connect(c().desk.get(), "ghost");
  EXPECT_EQ(ghost.status().code(), absl::StatusCode::kNotFound) << ghost.status();
  // A desk accepting a case that does not exist: the Ack says NOT_FOUND, the stream lives on.
  std::unique_ptr<DeskClient> ana = AvailableDesk("ana");
  ASSERT_NE(ana, nullptr);
  absl::StatusOr<v1::Ack> ack = ana->Accept("c-404");
  ASSERT_TRUE(ack.ok());
  EXPECT_EQ(ack->code(), static_cast<int>(grpc::StatusCode::NOT_FOUND)) << ack->message();
  ack = ana->SetPresence(v1::PRESENCE_AWAY);
  ASSERT_TRUE(ack.ok());
  EXPECT_EQ(ack->code(), 0);
}

// Health answers anyone (probes carry no credential); reflection, which would list every
// service and message to anyone who reaches the port, is off unless turned on
// (security_e2e_test turns it on).
TEST_F(CaseFlowTest, HealthIsOpenAndReflectionIsOffByDefault) {
  absl::StatusOr<int> serving = HealthStatus(router_->channel(), "");
  ASSERT_TRUE(serving.ok()) << serving.status();
  EXPECT_EQ(*serving, 1);
  absl::StatusOr<int> live = HealthStatus(router_->channel(), "caserouter.liveness");
  ASSERT_TRUE(live.ok()) << live.status();
  EXPECT_EQ(*live, 1);
  absl::StatusOr<std::vector<std::string>> services = ReflectedServices(router_->channel());
  EXPECT_EQ(services.status().code(), absl::StatusCode::kUnimplemented) << services.status();
}

TEST_F(CaseFlowTest, ReloadConfigurationRpcReloadsTheFile) {
  grpc::ClientContext context;
  v1::ReloadConfigurationResponse response;
  grpc::Status status =
      c().supervision->ReloadConfiguration(&context, v1::ReloadConfigurationRequest(), &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(response.domain(), "e2e");
  EXPECT_TRUE(absl::EndsWith(response.path(), "caserouter.yaml")) << response.path();
}

}  // namespace
}  // namespace caserouter::e2e
