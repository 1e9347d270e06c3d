// End-to-end (issue 14, item 3): an agent releases an accepted case back to the queue over
// real gRPC against a real redis-server. The case keeps its age, goes to another agent, is
// never offered back to the releasing agent in that pass, and the release is counted.
#include <memory>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "gtest/gtest.h"
#include "tests/e2e/e2e_support.h"

namespace caserouter::e2e {
namespace {

// Offers and heartbeats that outlast the test; the decline pass is the test config's 300 s.
class CaseReleaseTest : public RouterTest {
 protected:
  CaseReleaseTest() : RouterTest(TestConfigYaml(absl::Seconds(120), absl::Seconds(120))) {}

  std::unique_ptr<DeskClient> AvailableDesk(const std::string& agent) {
    grpc::Status created = c().CreateAgent(agent, {{"billing", 8}});
    EXPECT_TRUE(created.ok()) << created.error_message();
    absl::StatusOr<std::unique_ptr<DeskClient>> desk = DeskClient::Connect(c().desk.get(), agent);
    EXPECT_TRUE(desk.ok()) << desk.status();
    if (!desk.ok()) return nullptr;
    absl::StatusOr<v1::Ack> ack = (*desk)->SetPresence(v1::PRESENCE_AVAILABLE);
    EXPECT_TRUE(ack.ok() && ack->code() == 0);
    return *std::move(desk);
  }

  static absl::StatusOr<v1::Ack> Release(DeskClient& desk, const std::string& case_id) {
    v1::ConnectRequest request;
    request.mutable_release()->set_case_id(case_id);
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
};

TEST_F(CaseReleaseTest, AReleasedCaseGoesBackToTheQueueAndNotBackToItsAgent) {
  std::unique_ptr<DeskClient> ana = AvailableDesk("ana");
  ASSERT_NE(ana, nullptr);
  v1::SubmitCaseResponse submitted;
  ASSERT_TRUE(c().Submit(SampleSubmission("release-1"), &submitted).ok());
  const std::string id = submitted.case_().case_id();
  std::optional<v1::Offer> offer = ana->WaitForOffer();
  ASSERT_TRUE(offer.has_value());
  absl::StatusOr<v1::Ack> accepted = ana->Accept(id);
  ASSERT_TRUE(accepted.ok() && accepted->code() == 0);
  EXPECT_EQ(Metric("caserouter_cases_released_total{channel=\"phone\"}"), 0);

  absl::StatusOr<v1::Ack> released = Release(*ana, id);
  ASSERT_TRUE(released.ok()) << released.status();
  ASSERT_EQ(released->code(), 0) << released->message();
  EXPECT_EQ(released->case_().state(), v1::CASE_STATE_QUEUED);
  EXPECT_TRUE(released->case_().agent_id().empty());
  const v1::Case queued = Get(id);
  EXPECT_EQ(queued.state(), v1::CASE_STATE_QUEUED);
  EXPECT_EQ(queued.create_time().seconds(), submitted.case_().create_time().seconds());
  EXPECT_TRUE(queued.has_answer_time());  // its history is kept
  EXPECT_TRUE(WaitFor([&] {
    return Metric("caserouter_cases_released_total{channel=\"phone\"}") == 1;
  })) << "caserouter_cases_released_total{channel=\"phone\"}";

  // Another agent gets it; Ana, still AVAILABLE with her line free, does not get it back.
  std::unique_ptr<DeskClient> bob = AvailableDesk("bob");
  ASSERT_NE(bob, nullptr);
  std::optional<v1::Offer> to_bob = bob->WaitForOffer();
  ASSERT_TRUE(to_bob.has_value());
  EXPECT_EQ(to_bob->case_().case_id(), id);
  EXPECT_EQ(ana->OffersFor(id), 1);
  absl::StatusOr<v1::Ack> declined = bob->Decline(id);
  ASSERT_TRUE(declined.ok() && declined->code() == 0);
  ASSERT_TRUE(WaitFor([&] { return Get(id).state() == v1::CASE_STATE_QUEUED; }));
  // A case that is queued now is nobody's to release; nor is someone else's.
  absl::StatusOr<v1::Ack> again = Release(*ana, id);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->code(), static_cast<int>(grpc::StatusCode::FAILED_PRECONDITION));
  EXPECT_TRUE(absl::StrContains(again->message(), "case_id")) << again->message();
  EXPECT_EQ(ana->OffersFor(id), 1);
}

TEST_F(CaseReleaseTest, AnAgentCannotReleaseAnotherAgentsCase) {
  std::unique_ptr<DeskClient> ana = AvailableDesk("ana");
  ASSERT_NE(ana, nullptr);
  v1::SubmitCaseResponse submitted;
  ASSERT_TRUE(c().Submit(SampleSubmission("release-2"), &submitted).ok());
  const std::string id = submitted.case_().case_id();
  ASSERT_TRUE(ana->WaitForOffer().has_value());
  ASSERT_TRUE(ana->Accept(id).ok());
  std::unique_ptr<DeskClient> bob = AvailableDesk("bob");
  ASSERT_NE(bob, nullptr);
  absl::StatusOr<v1::Ack> refused = Release(*bob, id);
  ASSERT_TRUE(refused.ok());
  EXPECT_EQ(refused->code(), static_cast<int>(grpc::StatusCode::PERMISSION_DENIED));
  EXPECT_EQ(Get(id).state(), v1::CASE_STATE_ASSIGNED);
  absl::StatusOr<v1::Ack> malformed = Release(*ana, "");
  ASSERT_TRUE(malformed.ok());
  EXPECT_EQ(malformed->code(), static_cast<int>(grpc::StatusCode::INVALID_ARGUMENT));
  EXPECT_TRUE(absl::StrContains(malformed->message(), "release.case_id")) << malformed->message();
}

}  // namespace
}  // namespace caserouter::e2e
