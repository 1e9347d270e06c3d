// End-to-end (issue 14, item 4): wrap-up and away reasons from configuration, over real gRPC
// against a real redis-server — disposition codes on Complete validated against the topic's
// list (INVALID_ARGUMENT naming the field), wrap-up ended early or extended within the bound,
// AWAY with a reason from the closed list, counted by reason.
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

// Chat wrap-up of 10 minutes (so the test ends it, not the clock), extensions up to 2 more.
std::string WorkYaml() {
  std::string yaml = TestConfigYaml(absl::Seconds(120), absl::Seconds(120));
  absl::StrReplaceAll({{"chat:   {wrap_up_seconds: 0}", "chat:   {wrap_up_seconds: 600}"}}, &yaml);
  return absl::StrCat(yaml,
                      "floor:\n"
                      "  away_reasons: [break, lunch, training]\n"
                      "  wrap_up: {max_extension_seconds: 120}\n"
                      "  dispositions: {billing: [refund_issued, explained_charge]}\n");
}

class AgentWorkTest : public RouterTest {
 protected:
  AgentWorkTest() : RouterTest(WorkYaml()) {}

  std::unique_ptr<DeskClient> Desk(const std::string& agent) {
    grpc::Status created = c().CreateAgent(agent, {{"billing", 8}});
    EXPECT_TRUE(created.ok()) << created.error_message();
    absl::StatusOr<std::unique_ptr<DeskClient>> desk = DeskClient::Connect(c().desk.get(), agent);
    EXPECT_TRUE(desk.ok()) << desk.status();
    if (!desk.ok()) return nullptr;
    absl::StatusOr<v1::Ack> ack = (*desk)->SetPresence(v1::PRESENCE_AVAILABLE);
    EXPECT_TRUE(ack.ok() && ack->code() == 0);
    return *std::move(desk);
  }

  std::string AcceptedChat(DeskClient& desk, const std::string& key) {
    v1::SubmitCaseResponse submitted;
    EXPECT_TRUE(c().Submit(SampleSubmission(key, v1::CHANNEL_CHAT), &submitted).ok());
    const std::string id = submitted.case_().case_id();
    EXPECT_TRUE(WaitFor([&] { return desk.OffersFor(id) == 1; }));
    absl::StatusOr<v1::Ack> accepted = desk.Accept(id);
    EXPECT_TRUE(accepted.ok() && accepted->code() == 0);
    return id;
  }

  static absl::StatusOr<v1::Ack> Complete(DeskClient& desk, const std::string& id,
                                          const std::string& disposition) {
    v1::ConnectRequest request;
    request.mutable_complete()->set_case_id(id);
    request.mutable_complete()->mutable_outcome()->set_resolved(true);
    request.mutable_complete()->mutable_outcome()->set_csat(5);
    request.mutable_complete()->mutable_outcome()->set_disposition_code(disposition);
    return desk.Send(request);
  }

  v1::Presence PresenceOf(const std::string& agent) {
    v1::ListAgentsResponse agents;
    EXPECT_TRUE(c().ListAgents(&agents).ok());
    for (const v1::AgentStatus& a : agents.agents()) {
      if (a.profile().agent_id() == agent) return a.presence();
    }
    return v1::PRESENCE_UNSPECIFIED;
  }

  double Metric(const std::string& series) {
    return MetricSample(router_->server().metrics_port(), series);
  }
};

TEST_F(AgentWorkTest, ADispositionCodeOutsideTheTopicsListIsRefusedNamingTheField) {
  std::unique_ptr<DeskClient> ana = Desk("ana");
  ASSERT_NE(ana, nullptr);
  const std::string id = AcceptedChat(*ana, "dispo-1");
  absl::StatusOr<v1::Ack> refused = Complete(*ana, id, "gave_up");
  ASSERT_TRUE(refused.ok());
  EXPECT_EQ(refused->code(), static_cast<int>(grpc::StatusCode::INVALID_ARGUMENT));
  EXPECT_TRUE(absl::StrContains(refused->message(), "outcome.disposition_code"))
      << refused->message();
  EXPECT_FALSE(absl::StrContains(refused->message(), "gave_up"));  // the caller's word not echoed
  absl::StatusOr<v1::Ack> done = Complete(*ana, id, "refund_issued");
  ASSERT_TRUE(done.ok());
  ASSERT_EQ(done->code(), 0) << done->message();
  EXPECT_EQ(done->case_().outcome().disposition_code(), "refund_issued");
  v1::Case stored;
  ASSERT_TRUE(c().GetCase(id, &stored).ok());
  EXPECT_EQ(stored.outcome().disposition_code(), "refund_issued");
}

TEST_F(AgentWorkTest, WrapUpEndsEarlyOrExtendsWithinTheBound) {
  std::unique_ptr<DeskClient> ana = Desk("ana");
  ASSERT_NE(ana, nullptr);
  const std::string first = AcceptedChat(*ana, "wrap-1");
  ASSERT_TRUE(Complete(*ana, first, "").ok());
  ASSERT_TRUE(WaitFor([&] { return PresenceOf("ana") == v1::PRESENCE_WRAP_UP; }));

  v1::ConnectRequest extend;
  extend.mutable_extend_wrap_up()->set_seconds(60);
  absl::StatusOr<v1::Ack> extended = ana->Send(extend);
  ASSERT_TRUE(extended.ok());
  EXPECT_EQ(extended->code(), 0) << extended->message();
  extend.mutable_extend_wrap_up()->set_seconds(600);  // beyond the 120 s allowed
  absl::StatusOr<v1::Ack> too_long = ana->Send(extend);
  ASSERT_TRUE(too_long.ok());
  EXPECT_EQ(too_long->code(), static_cast<int>(grpc::StatusCode::INVALID_ARGUMENT));
  EXPECT_TRUE(absl::StrContains(too_long->message(), "extend_wrap_up.seconds"))
      << too_long->message();
  EXPECT_EQ(PresenceOf("ana"), v1::PRESENCE_WRAP_UP);

  v1::ConnectRequest end;
  end.mutable_end_wrap_up();
  absl::StatusOr<v1::Ack> ended = ana->Send(end);
  ASSERT_TRUE(ended.ok());
  ASSERT_EQ(ended->code(), 0) << ended->message();
  EXPECT_EQ(PresenceOf("ana"), v1::PRESENCE_AVAILABLE);
  // Not in wrap-up any more: neither can be done now.
  absl::StatusOr<v1::Ack> again = ana->Send(end);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->code(), static_cast<int>(grpc::StatusCode::FAILED_PRECONDITION));
}

TEST_F(AgentWorkTest, AwayTakesAReasonFromTheClosedListCountedByReason) {
  std::unique_ptr<DeskClient> ana = Desk("ana");
  ASSERT_NE(ana, nullptr);
  v1::ConnectRequest away;
  away.mutable_set_presence()->set_presence(v1::PRESENCE_AWAY);
  away.mutable_set_presence()->set_away_reason("nap");
  absl::StatusOr<v1::Ack> refused = ana->Send(away);
  ASSERT_TRUE(refused.ok());
  EXPECT_EQ(refused->code(), static_cast<int>(grpc::StatusCode::INVALID_ARGUMENT));
  EXPECT_TRUE(absl::StrContains(refused->message(), "set_presence.away_reason"))
      << refused->message();
  EXPECT_EQ(PresenceOf("ana"), v1::PRESENCE_AVAILABLE);

  away.mutable_set_presence()->set_away_reason("lunch");
  absl::StatusOr<v1::Ack> lunch = ana->Send(away);
  ASSERT_TRUE(lunch.ok());
  ASSERT_EQ(lunch->code(), 0) << lunch->message();
  EXPECT_EQ(PresenceOf("ana"), v1::PRESENCE_AWAY);
  EXPECT_TRUE(WaitFor([&] { return Metric("caserouter_away_total{reason=\"lunch\"}") == 1; }))
      << "caserouter_away_total{reason=\"lunch\"}";
  EXPECT_EQ(Metric("caserouter_away_total{reason=\"nap\"}"), -1);  // no such series

  // A reason with another presence is refused.
  v1::ConnectRequest odd;
  odd.mutable_set_presence()->set_presence(v1::PRESENCE_AVAILABLE);
  odd.mutable_set_presence()->set_away_reason("lunch");
  absl::StatusOr<v1::Ack> mixed = ana->Send(odd);
  ASSERT_TRUE(mixed.ok());
  EXPECT_EQ(mixed->code(), static_cast<int>(grpc::StatusCode::INVALID_ARGUMENT));
}

}  // namespace
}  // namespace caserouter::e2e
