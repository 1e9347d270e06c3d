// End-to-end (issue 14, item 6): the context an agent needs, asked on the desk stream over
// real gRPC against a real redis-server — the customer's earlier cases and their outcomes,
// the repeat link, the channel history, the messages, why this agent, and the agent's own
// record on the topic; for the agent's own case only.
#include <memory>
#include <string>

#include "absl/strings/match.h"
#include "gtest/gtest.h"
#include "tests/e2e/e2e_support.h"

namespace caserouter::e2e {
namespace {

class AgentContextTest : public RouterTest {
 protected:
  AgentContextTest() : RouterTest(TestConfigYaml(absl::Seconds(120), absl::Seconds(120))) {}

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

  // The customer "cust-ctx" writes on `channel`; `desk` (alone available) accepts it.
  std::string Accepted(DeskClient& desk, const std::string& key, v1::Channel channel) {
    v1::SubmitCaseRequest request = SampleSubmission(key, channel);
    request.set_customer_id("cust-ctx");
    v1::SubmitCaseResponse submitted;
    EXPECT_TRUE(c().Submit(request, &submitted).ok());
    const std::string id = submitted.case_().case_id();
    EXPECT_TRUE(WaitFor([&] { return desk.OffersFor(id) == 1; }));
    absl::StatusOr<v1::Ack> accepted = desk.Accept(id);
    EXPECT_TRUE(accepted.ok() && accepted->code() == 0);
    return id;
  }

  static absl::StatusOr<v1::Ack> Context(DeskClient& desk, const std::string& case_id) {
    v1::ConnectRequest request;
    request.mutable_get_context()->set_case_id(case_id);
    return desk.Send(request);
  }
};

TEST_F(AgentContextTest, TheAgentSeesTheCustomersHistoryWhyThemAndTheirOwnRecord) {
  std::unique_ptr<DeskClient> ana = Desk("ana");
  ASSERT_NE(ana, nullptr);
  const std::string first = Accepted(*ana, "ctx-1", v1::CHANNEL_PHONE);
  absl::StatusOr<v1::Ack> done = ana->Complete(first, /*resolved=*/true, /*csat=*/5);
  ASSERT_TRUE(done.ok() && done->code() == 0);
  // The customer comes back on chat about the same thing: a repeat contact.
  const std::string second = Accepted(*ana, "ctx-2", v1::CHANNEL_CHAT);
  {
    grpc::ClientContext context;
    v1::AddMessageRequest request;
    request.set_case_id(second);
    request.set_text("Still charged twice");
    v1::AddMessageResponse response;
    ASSERT_TRUE(c().intake->AddMessage(&context, request, &response).ok());
  }

  absl::StatusOr<v1::Ack> answer = Context(*ana, second);
  ASSERT_TRUE(answer.ok()) << answer.status();
  ASSERT_EQ(answer->code(), 0) << answer->message();
  ASSERT_TRUE(answer->has_context());
  const v1::CaseContext& ctx = answer->context();
  EXPECT_EQ(ctx.case_().case_id(), second);
  EXPECT_EQ(ctx.case_().subject(), "I was charged twice for March");
  ASSERT_EQ(ctx.case_().messages_size(), 1);
  EXPECT_EQ(ctx.case_().messages(0), "Still charged twice");
  ASSERT_EQ(ctx.customer_cases_size(), 1);
  EXPECT_EQ(ctx.customer_cases(0).case_id(), first);
  EXPECT_EQ(ctx.customer_cases(0).state(), v1::CASE_STATE_COMPLETED);
  EXPECT_TRUE(ctx.customer_cases(0).outcome().resolved());
  EXPECT_EQ(ctx.customer_cases(0).outcome().csat(), 5);
  EXPECT_EQ(ctx.repeat_of_case_id(), first);
  ASSERT_EQ(ctx.channel_history_size(), 2);
  EXPECT_EQ(ctx.channel_history(0), v1::CHANNEL_PHONE);
  EXPECT_EQ(ctx.channel_history(1), v1::CHANNEL_CHAT);
  EXPECT_EQ(ctx.strategy(), "longest_idle");
  EXPECT_FALSE(ctx.assigned_by_supervisor());
  EXPECT_FALSE(ctx.score_terms().empty());
  EXPECT_EQ(ctx.own_record().topic(), "billing");
  EXPECT_EQ(ctx.own_record().completed(), 1);
  EXPECT_EQ(ctx.own_record().resolved(), 1);
  EXPECT_DOUBLE_EQ(ctx.own_record().resolution_rate(), 1.0);
  EXPECT_DOUBLE_EQ(ctx.own_record().csat_average(), 5.0);
  EXPECT_EQ(ctx.own_record().first_contact_resolutions(), 0);  // the customer came back

  // Only the agent's own case: Bob may not read Ana's.
  std::unique_ptr<DeskClient> bob = Desk("bob", /*available=*/false);
  ASSERT_NE(bob, nullptr);
  absl::StatusOr<v1::Ack> refused = Context(*bob, second);
  ASSERT_TRUE(refused.ok());
  EXPECT_EQ(refused->code(), static_cast<int>(grpc::StatusCode::PERMISSION_DENIED));
  EXPECT_FALSE(refused->has_context());
}

}  // namespace
}  // namespace caserouter::e2e
