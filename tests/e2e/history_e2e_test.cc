// End-to-end over real gRPC and a real redis-server: routing by history and empowerment.
// A repeat contact goes back to the agent who earned the customer's trust, an empowered case
// waits for an empowered agent, and ExplainDecision says why.
#include <iostream>
#include <memory>
#include <optional>
#include <string>

#include "gtest/gtest.h"
#include "tests/e2e/e2e_support.h"

namespace caserouter::e2e {
namespace {

// The default (outcome) strategy, wrap-up 0 so agents are free again at once, SLAs long enough
// that no test depends on how fast the machine is.
constexpr char kConfig[] = R"(
domain: e2e
channels:
  phone: {sla_seconds: 600, wrap_up_seconds: 0}
  chat: {sla_seconds: 600, wrap_up_seconds: 0}
offers: {timeout_seconds: 60}
agents: {heartbeat_timeout_seconds: 60}
leadership: {lease_ttl_seconds: 2}
routing: {strategy: outcome}
)";

class HistoryE2eTest : public RouterTest {
 protected:
  HistoryE2eTest() : RouterTest(kConfig, "e2e-history") {}

  std::unique_ptr<DeskClient> Desk(const std::string& agent, int64_t authority) {
    grpc::ClientContext context;
    v1::CreateAgentRequest request;
    v1::AgentProfile* profile = request.mutable_profile();
    profile->set_agent_id(agent);
    v1::Skill* skill = profile->add_skills();
    skill->set_name("billing");
    skill->set_proficiency(7);
    profile->add_languages("en");
    profile->set_authority_limit(authority);
    profile->set_max_phone(1);
    profile->set_max_chat(3);
    v1::CreateAgentResponse response;
    grpc::Status created = c().supervision->CreateAgent(&context, request, &response);
    EXPECT_TRUE(created.ok()) << created.error_message();
    absl::StatusOr<std::unique_ptr<DeskClient>> desk = DeskClient::Connect(c().desk.get(), agent);
    EXPECT_TRUE(desk.ok()) << desk.status();
    if (!desk.ok()) return nullptr;
    absl::StatusOr<v1::Ack> ack = (*desk)->SetPresence(v1::PRESENCE_AVAILABLE);
    EXPECT_TRUE(ack.ok() && ack->code() == 0);
    return *std::move(desk);
  }

  v1::SubmitCaseResponse Submit(const std::string& key, const std::string& customer,
                                v1::Channel channel, int64_t authority = 0) {
    v1::SubmitCaseRequest request = SampleSubmission(key, channel);
    request.set_customer_id(customer);
    request.set_authority_needed(authority);
    v1::SubmitCaseResponse response;
    grpc::Status status = c().Submit(request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response;
  }

  grpc::Status Explain(const std::string& id, v1::ExplainDecisionResponse* out) {
    grpc::ClientContext context;
    v1::ExplainDecisionRequest request;
    request.set_case_id(id);
    return c().supervision->ExplainDecision(&context, request, out);
  }
};

TEST_F(HistoryE2eTest, RepeatContactGoesBackToTheAgentWhoEarnedIt) {
  std::unique_ptr<DeskClient> ana = Desk("ana", 0);
  ASSERT_NE(ana, nullptr);
  const std::string first = Submit("h-1", "cust-42", v1::CHANNEL_CHAT).case_().case_id();
  std::optional<v1::Offer> offer = ana->WaitForOffer(0);
  ASSERT_TRUE(offer.has_value());
  ASSERT_EQ(offer->case_().case_id(), first);
  ASSERT_EQ(ana->Accept(first)->code(), 0);
  absl::StatusOr<v1::Ack> done = ana->Complete(first, /*resolved=*/true, /*csat=*/5);
  ASSERT_TRUE(done.ok() && done->code() == 0);

  // Bo joins, idle and free; the customer calls back on the same topic.
  std::unique_ptr<DeskClient> bo = Desk("bo", 0);
  ASSERT_NE(bo, nullptr);
  v1::SubmitCaseResponse again = Submit("h-2", "cust-42", v1::CHANNEL_PHONE);
  const std::string second = again.case_().case_id();
  EXPECT_EQ(again.case_().repeat_of(), first);
  bool repeat_term = false;
  for (const v1::ScoreTerm& t : again.case_().priority_terms()) {
    repeat_term |= t.name() == "repeat_contact";
  }
  EXPECT_TRUE(repeat_term);

  std::optional<v1::Offer> back = ana->WaitForOffer(1);
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->case_().case_id(), second);
  EXPECT_EQ(bo->OffersFor(second), 0);

  v1::ExplainDecisionResponse why;
  grpc::Status explained = Explain(second, &why);
  ASSERT_TRUE(explained.ok()) << explained.error_message();
  EXPECT_EQ(why.strategy(), v1::STRATEGY_OUTCOME);
  EXPECT_EQ(why.winner().agent_id(), "ana");
  EXPECT_EQ(why.relationship_agent(), "ana");
  // A fresh call is inside the bullseye bound: offered to the customer's agent's ring only.
  ASSERT_EQ(why.preferred_agents_size(), 1);
  EXPECT_EQ(why.preferred_agents(0), "ana");
  double relationship = 0;
  for (const v1::ScoreTerm& t : why.winner().terms()) {
    if (t.name() == "relationship") relationship = t.value();
  }
  EXPECT_GT(relationship, 0);
  EXPECT_TRUE(why.case_().subject().empty());  // no customer text in explanations
  std::cout << "ExplainDecision(" << second << "):\n" << why.DebugString();
}

TEST_F(HistoryE2eTest, ACallOnAnOpenTopicJoinsTheCaseAndReachesItsAgent) {
  std::unique_ptr<DeskClient> ana = Desk("ana", 0);
  ASSERT_NE(ana, nullptr);
  const std::string held = Submit("j-1", "cust-7", v1::CHANNEL_CHAT).case_().case_id();
  std::optional<v1::Offer> offer = ana->WaitForOffer(0);
  ASSERT_TRUE(offer.has_value());
  ASSERT_EQ(offer->case_().case_id(), held);
  ASSERT_EQ(ana->Accept(held)->code(), 0);

  // The customer who chatted now calls about the same thing: one case, one agent.
  v1::SubmitCaseRequest call = SampleSubmission("j-2", v1::CHANNEL_PHONE);
  call.set_customer_id("cust-7");
  call.set_subject("calling about my chat");
  v1::SubmitCaseResponse joined;
  grpc::Status status = c().Submit(call, &joined);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_TRUE(joined.joined());
  EXPECT_FALSE(joined.deduplicated());
  EXPECT_EQ(joined.case_().case_id(), held);

  std::optional<v1::CaseMessage> message;
  EXPECT_TRUE(WaitFor([&] {
    for (const v1::ConnectResponse& e : ana->events()) {
      if (e.has_case_message()) message = e.case_message();
    }
    return message.has_value();
  }));
  ASSERT_TRUE(message.has_value());
  EXPECT_EQ(message->case_id(), held);
  EXPECT_EQ(message->text(), "calling about my chat");
  EXPECT_EQ(message->channel(), v1::CHANNEL_PHONE);
  EXPECT_EQ(ana->offers_received(), 1u);  // joined, not offered again
}

TEST_F(HistoryE2eTest, EmpoweredCaseWaitsForAnEmpoweredAgent) {
  std::unique_ptr<DeskClient> junior = Desk("junior", 50);
  ASSERT_NE(junior, nullptr);
  const std::string refund =
      Submit("refund-1", "cust-7", v1::CHANNEL_CHAT, /*authority=*/150).case_().case_id();

  // The decision says the only agent lacks the authority, and nobody gets the case.
  v1::ExplainDecisionResponse why;
  ASSERT_TRUE(WaitFor([&] {
    why.Clear();
    return Explain(refund, &why).ok();
  }));
  EXPECT_EQ(why.winner().agent_id(), "");
  bool authority = false;
  for (const v1::Exclusion& e : why.exclusions()) {
    if (e.reason() == v1::EXCLUSION_REASON_AUTHORITY) {
      authority = e.count() == 1 && e.agent_ids(0) == "junior";
    }
  }
  EXPECT_TRUE(authority) << why.DebugString();
  EXPECT_FALSE(why.authority_waived());
  EXPECT_EQ(junior->offers_received(), 0u);

  // An empowered agent logs in and gets it.
  std::unique_ptr<DeskClient> senior = Desk("senior", 500);
  ASSERT_NE(senior, nullptr);
  std::optional<v1::Offer> offer = senior->WaitForOffer(0);
  ASSERT_TRUE(offer.has_value());
  EXPECT_EQ(offer->case_().case_id(), refund);
  EXPECT_EQ(junior->OffersFor(refund), 0);
}

}  // namespace
}  // namespace caserouter::e2e
