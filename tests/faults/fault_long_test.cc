// Fault scenarios too long for CI (each waits for a retention window), run by
// `scripts/soak.sh` with SOAK_LONG=1 or by hand: build/tests/faults/caserouter_fault_long_test.
//
// The joined-key retry after eviction (issue 11, defect 1): a submission that joined an open
// case, retried after that case aged out of retention (60 s, the shortest the configuration
// allows), crashed the leader (std::out_of_range in DoSubmit). The retry must be answered — a
// new case is right then, the key's window having closed with its case — and the leader must
// live on. Fixed on the 'integrity' branch; on a branch without that fix this test fails.
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "tests/e2e/e2e_support.h"
#include "tests/faults/fault_harness.h"
#include "tests/support/redis_server.h"

#ifndef CASEROUTER_BINARY
#error "CASEROUTER_BINARY must name the caserouter executable"
#endif

namespace caserouter::faults {
namespace {

grpc::Status SubmitJoined(const std::string& address, const std::string& key,
                          v1::SubmitCaseResponse* response) {
  v1::SubmitCaseRequest request = e2e::SampleSubmission(key, v1::CHANNEL_CHAT);
  request.set_customer_id("cust-evicted");  // one customer, one topic: the second joins
  auto stub = v1::CaseIntakeService::NewStub(
      grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(5)));
  return stub->SubmitCase(&context, request, response);
}

TEST(FaultLongTest, AJoinedKeyRetriedAfterItsCaseAgedOutIsAnsweredAndTheLeaderLives) {
  absl::StatusOr<std::unique_ptr<RedisServer>> redis = RedisServer::Start();
  if (absl::IsNotFound(redis.status())) GTEST_SKIP() << redis.status().message();
  ASSERT_TRUE(redis.ok()) << redis.status();
  e2e::TempDir dir;
  absl::StatusOr<std::unique_ptr<RouterFleet>> fleet = RouterFleet::Start(
      CASEROUTER_BINARY,
      FaultConfigYaml(
          "retention: {closed_case_seconds: 60}\nhistory: {repeat_window_seconds: 60}\n"),
      {absl::StrCat("--redis_address=127.0.0.1:", (*redis)->port())}, dir.path(), 1);
  ASSERT_TRUE(fleet.ok()) << fleet.status();
  const std::string address = (*fleet)->addresses()[0];

  v1::SubmitCaseResponse first, joined;
  ASSERT_TRUE(SubmitJoined(address, "evict-first", &first).ok());
  ASSERT_TRUE(SubmitJoined(address, "evict-joined", &joined).ok());
  ASSERT_EQ(joined.case_().case_id(), first.case_().case_id());
  const std::string x = first.case_().case_id();

  e2e::Clients c(grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));
  ASSERT_TRUE(c.CreateAgent("closer", {{"billing", 8}}).ok());
  absl::StatusOr<std::unique_ptr<e2e::DeskClient>> closer =
      e2e::DeskClient::Connect(c.desk.get(), "closer");
  ASSERT_TRUE(closer.ok()) << closer.status();
  ASSERT_EQ((*closer)->SetPresence(v1::PRESENCE_AVAILABLE)->code(), 0);
  ASSERT_TRUE((*closer)->WaitForOffer().has_value());
  ASSERT_EQ((*closer)->Accept(x)->code(), 0);
  ASSERT_EQ((*closer)->Complete(x, true, 5)->code(), 0);

  // Past the retention the case is evicted (the engine evicts once a minute: within 120 s).
  ASSERT_TRUE(e2e::WaitFor(
      [&] {
        v1::Case gone;
        return c.GetCase(x, &gone).error_code() == grpc::StatusCode::NOT_FOUND;
      },
      absl::Seconds(150)))
      << "the closed case was not evicted";

  v1::SubmitCaseResponse retried;
  grpc::Status status = SubmitJoined(address, "evict-joined", &retried);
  EXPECT_TRUE(status.ok()) << status.error_code() << " " << status.error_message();
  // The leader is alive and still leads.
  absl::StatusOr<int> live =
      e2e::HealthStatus(e2e::Dial(std::stoi(address.substr(address.rfind(':') + 1))),
                        "caserouter.liveness", absl::Seconds(2));
  EXPECT_TRUE(live.ok() && *live == 1) << "the leader died on the retry (defect 1)";
  EXPECT_EQ((*fleet)->Leader(), 0);
}

}  // namespace
}  // namespace caserouter::faults
