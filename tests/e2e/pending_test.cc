// End-to-end (issue 14, item 2): pending cases over real gRPC against a real redis-server.
// An agent marks an answered chat pending: it frees their capacity; the customer's next
// message (AddMessage) brings it back to that agent first, or to anyone able once the
// bounded wait is over; a pending case the customer never comes back to closes itself with
// the reason pending_timeout. A phone call cannot be pending.
#include <memory>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "gtest/gtest.h"
#include "tests/e2e/e2e_support.h"

namespace caserouter::e2e {
namespace {

// Offers and heartbeats outlast the test; a returned case waits a second for its agent.
std::string PendingYaml(double close_after_seconds) {
  return absl::StrCat(TestConfigYaml(absl::Seconds(120), absl::Seconds(120)),
                      "floor: {pending: {return_wait_seconds: 1, close_after_seconds: ",
                      close_after_seconds, "}}\n");
}

class PendingTest : public RouterTest {
 protected:
  explicit PendingTest(double close_after_seconds = 3600)
      : RouterTest(PendingYaml(close_after_seconds)) {}

  std::unique_ptr<DeskClient> Desk(const std::string& agent, bool available = true) {
    grpc::Status created = c().CreateAgent(agent, {{"billing", 8}});
    EXPECT_TRUE(created.ok()) << created.error_message();
    absl::StatusOr<std::unique_ptr<DeskClient>> desk = DeskClient::Connect(c().desk.get(), agent);
    EXPECT_TRUE(desk.ok()) << desk.status();
    if (!desk.ok()) return nullptr;
    if (available) {
      absl::StatusOr<v1::Ack> ack = (*desk)->SetPresence(v1::PRESENCE_AVAILABLE);
      EXPECT_TRUE(ack.ok() && ack->code() == 0);
    }
    return *std::move(desk);
  }

  // A case on `channel` accepted by `desk` (the only agent available then).
  std::string AcceptedBy(DeskClient& desk, const std::string& key,
                         v1::Channel channel = v1::CHANNEL_CHAT) {
    v1::SubmitCaseResponse submitted;
    EXPECT_TRUE(c().Submit(SampleSubmission(key, channel), &submitted).ok());
    const std::string id = submitted.case_().case_id();
    EXPECT_TRUE(WaitFor([&] { return desk.OffersFor(id) == 1; }));
    absl::StatusOr<v1::Ack> accepted = desk.Accept(id);
    EXPECT_TRUE(accepted.ok() && accepted->code() == 0);
    return id;
  }

  static absl::StatusOr<v1::Ack> SetPending(DeskClient& desk, const std::string& case_id) {
    v1::ConnectRequest request;
    request.mutable_set_pending()->set_case_id(case_id);
    return desk.Send(request);
  }

  grpc::Status CustomerWrites(const std::string& case_id) {
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
    v1::AddMessageRequest request;
    request.set_case_id(case_id);
    request.set_text("Here is the screenshot you asked for");
    v1::AddMessageResponse response;
    return c().intake->AddMessage(&context, request, &response);
  }

  v1::Case Get(const std::string& id) {
    v1::Case out;
    grpc::Status status = c().GetCase(id, &out);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return out;
  }

  int ActiveChats(const std::string& agent) {
    v1::ListAgentsResponse agents;
    EXPECT_TRUE(c().ListAgents(&agents).ok());
    for (const v1::AgentStatus& a : agents.agents()) {
      if (a.profile().agent_id() == agent) return a.active_cases(1);
    }
    return -1;
  }

  double Metric(const std::string& series) {
    return MetricSample(router_->server().metrics_port(), series);
  }
};

TEST_F(PendingTest, APendingCaseReturnsToItsAgentOnTheCustomersMessage) {
  std::unique_ptr<DeskClient> ana = Desk("ana");
  ASSERT_NE(ana, nullptr);
  const std::string id = AcceptedBy(*ana, "pending-1");
  ASSERT_EQ(ActiveChats("ana"), 1);

  absl::StatusOr<v1::Ack> pending = SetPending(*ana, id);
  ASSERT_TRUE(pending.ok()) << pending.status();
  ASSERT_EQ(pending->code(), 0) << pending->message();
  EXPECT_EQ(pending->case_().state(), v1::CASE_STATE_PENDING);
  EXPECT_EQ(pending->case_().agent_id(), "ana");
  EXPECT_EQ(ActiveChats("ana"), 0);  // her capacity is free
  v1::ListQueueResponse queue;
  ASSERT_TRUE(c().ListQueue(&queue).ok());
  EXPECT_EQ(queue.total_size(), 0);  // not waiting for an agent

  // Bob is free too, but the case goes back to Ana when the customer writes.
  std::unique_ptr<DeskClient> bob = Desk("bob");
  ASSERT_NE(bob, nullptr);
  grpc::Status wrote = CustomerWrites(id);
  ASSERT_TRUE(wrote.ok()) << wrote.error_message();
  ASSERT_TRUE(WaitFor([&] { return ana->OffersFor(id) == 2; }));
  const std::vector<v1::ConnectResponse> events = ana->events();
  const v1::Offer* back = nullptr;
  for (const v1::ConnectResponse& e : events) {
    if (e.has_offer() && e.offer().case_().case_id() == id) back = &e.offer();
  }
  ASSERT_NE(back, nullptr);
  ASSERT_EQ(back->case_().messages_size(), 1);  // with the customer's new message
  EXPECT_EQ(bob->OffersFor(id), 0);
  absl::StatusOr<v1::Ack> accepted = ana->Accept(id);
  ASSERT_TRUE(accepted.ok() && accepted->code() == 0);
  EXPECT_TRUE(WaitFor([&] {
    return Metric("caserouter_pending_total{channel=\"chat\",step=\"marked\"}") == 1;
  })) << "caserouter_pending_total{channel=\"chat\",step=\"marked\"}";
  EXPECT_TRUE(WaitFor([&] {
    return Metric("caserouter_pending_total{channel=\"chat\",step=\"back_to_agent\"}") == 1;
  })) << "caserouter_pending_total{channel=\"chat\",step=\"back_to_agent\"}";
}

TEST_F(PendingTest, WhenItsAgentCannotTakeItTheCaseGoesToAnyoneAfterTheWait) {
  std::unique_ptr<DeskClient> ana = Desk("ana");
  ASSERT_NE(ana, nullptr);
  const std::string id = AcceptedBy(*ana, "pending-2");
  ASSERT_TRUE(SetPending(*ana, id).ok());
  absl::StatusOr<v1::Ack> away = ana->SetPresence(v1::PRESENCE_AWAY);
  ASSERT_TRUE(away.ok() && away->code() == 0);
  std::unique_ptr<DeskClient> bob = Desk("bob");
  ASSERT_NE(bob, nullptr);

  ASSERT_TRUE(CustomerWrites(id).ok());
  std::optional<v1::Offer> offer = bob->WaitForOffer();  // after the one-second wait
  ASSERT_TRUE(offer.has_value());
  EXPECT_EQ(offer->case_().case_id(), id);
  EXPECT_EQ(ana->OffersFor(id), 1);
  EXPECT_TRUE(WaitFor([&] {
    return Metric("caserouter_pending_total{channel=\"chat\",step=\"back_to_queue\"}") == 1;
  })) << "caserouter_pending_total{channel=\"chat\",step=\"back_to_queue\"}";
}

TEST_F(PendingTest, APhoneCallCannotWaitOnTheCustomer) {
  std::unique_ptr<DeskClient> ana = Desk("ana");
  ASSERT_NE(ana, nullptr);
  const std::string id = AcceptedBy(*ana, "pending-3", v1::CHANNEL_PHONE);
  absl::StatusOr<v1::Ack> refused = SetPending(*ana, id);
  ASSERT_TRUE(refused.ok());
  EXPECT_EQ(refused->code(), static_cast<int>(grpc::StatusCode::FAILED_PRECONDITION));
  EXPECT_TRUE(absl::StrContains(refused->message(), "phone")) << refused->message();
  EXPECT_EQ(Get(id).state(), v1::CASE_STATE_ASSIGNED);
}

class PendingCloseTest : public PendingTest {
 protected:
  PendingCloseTest() : PendingTest(/*close_after_seconds=*/1) {}
};

TEST_F(PendingCloseTest, APendingCaseClosesItselfWithAReason) {
  std::unique_ptr<DeskClient> ana = Desk("ana");
  ASSERT_NE(ana, nullptr);
  const std::string id = AcceptedBy(*ana, "pending-4", v1::CHANNEL_EMAIL);
  ASSERT_TRUE(SetPending(*ana, id).ok());
  ASSERT_TRUE(WaitFor([&] { return Get(id).state() == v1::CASE_STATE_CANCELLED; }));
  const v1::Case closed = Get(id);
  EXPECT_EQ(closed.end_reason(), v1::END_REASON_PENDING_TIMEOUT);
  EXPECT_TRUE(closed.has_close_time());
  EXPECT_TRUE(WaitFor([&] {
    return Metric("caserouter_pending_total{channel=\"email\",step=\"closed\"}") == 1;
  })) << "caserouter_pending_total{channel=\"email\",step=\"closed\"}";
  // Closed: the customer's message is refused now.
  EXPECT_EQ(CustomerWrites(id).error_code(), grpc::StatusCode::FAILED_PRECONDITION);
}

}  // namespace
}  // namespace caserouter::e2e
