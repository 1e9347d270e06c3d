// End-to-end (issue 17): a live benchmark of two arms on the real `caserouter` binary over a
// real redis-server. Cases submitted over gRPC are split between the arms; GetBenchmarkReport
// shows the per-arm counts (which agree case by case with GetCase's arm), outcomes reported by
// a desk land in their arm, the arm label reaches /metrics, a caller without the supervisor
// role is refused, and a configuration reload stops the benchmark at once.
#include <map>
#include <memory>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "tests/e2e/e2e_support.h"

namespace caserouter::e2e {
namespace {

constexpr char kBenchmark[] = R"(benchmark:
  enabled: true
  mode: split
  seed: 17
  arms:
    - {name: outcome, strategy: outcome}
    - {name: idle, strategy: longest_idle}
)";

grpc::Status Report(v1::SupervisionService::Stub* stub, v1::GetBenchmarkReportResponse* out) {
  grpc::ClientContext context;
  v1::GetBenchmarkReportRequest request;
  request.set_fcr_precision(0.05);
  return stub->GetBenchmarkReport(&context, request, out);
}

TEST(BenchmarkE2eTest, TwoArmsSplitTheCasesAndTheReportCountsThem) {
  absl::StatusOr<std::unique_ptr<RedisServer>> redis = RedisServer::Start();
  if (absl::IsNotFound(redis.status())) {
    GTEST_SKIP() << "redis-server is not installed: " << redis.status().message();
  }
  ASSERT_TRUE(redis.ok()) << redis.status();
  TempDir dir;
  const std::string path = dir.Write("caserouter.yaml", TestConfigYaml() + kBenchmark);
  absl::StatusOr<std::unique_ptr<RouterProcess>> router =
      RouterProcess::Start(CASEROUTER_BINARY,
                           {"--grpc_address=127.0.0.1:0", "--metrics_address=127.0.0.1:0",
                            absl::StrCat("--redis_address=127.0.0.1:", (*redis)->port()),
                            "--config=" + path, "--instance_id=benchmark-e2e"},
                           dir.path() + "/router.log");
  ASSERT_TRUE(router.ok()) << router.status();
  Clients clients((*router)->grpc_port());
  ASSERT_TRUE(WaitFor([&] { return HealthStatus(clients.channel, "").value_or(0) == 1; }));

  // 40 email cases: each draws its arm (a seeded hash of its random id). Both arms get some
  // unless 40 fair draws all fall one way (2^-39).
  constexpr int kCases = 40;
  std::map<std::string, int> by_case_arm;
  std::vector<std::string> ids;
  for (int i = 0; i < kCases; ++i) {
    v1::SubmitCaseResponse submitted;
    grpc::Status s =
        clients.Submit(SampleSubmission(absl::StrCat("bench-", i), v1::CHANNEL_EMAIL), &submitted);
    ASSERT_TRUE(s.ok()) << s.error_message();
    ids.push_back(submitted.case_().case_id());
    const std::string& arm = submitted.case_().benchmark_arm();
    EXPECT_TRUE(arm == "outcome" || arm == "idle") << arm;
    EXPECT_FALSE(submitted.case_().benchmark_excluded());  // a split has no gap
    ++by_case_arm[arm];
  }
  EXPECT_GT(by_case_arm["outcome"], 0);
  EXPECT_GT(by_case_arm["idle"], 0);

  // A desk completes three cases, resolved with CSAT 4: their arms get the answers.
  ASSERT_TRUE(clients.CreateAgent("ana", {{"billing", 5}}).ok());
  absl::StatusOr<std::unique_ptr<DeskClient>> desk = DeskClient::Connect(clients.desk.get(), "ana");
  ASSERT_TRUE(desk.ok()) << desk.status();
  ASSERT_TRUE((*desk)->SetPresence(v1::PRESENCE_AVAILABLE).ok());
  std::map<std::string, int> answered_by_arm;
  for (size_t n = 0; n < 3; ++n) {
    std::optional<v1::Offer> offer = (*desk)->WaitForOffer(n);
    ASSERT_TRUE(offer.has_value());
    const std::string id = offer->case_().case_id();
    ASSERT_TRUE((*desk)->Accept(id).ok());
    ASSERT_TRUE((*desk)->Complete(id, /*resolved=*/true, /*csat=*/4).ok());
    v1::Case c;
    ASSERT_TRUE(clients.GetCase(id, &c).ok());
    ++answered_by_arm[c.benchmark_arm()];
  }
  ASSERT_TRUE((*desk)->SetPresence(v1::PRESENCE_AWAY).ok());

  v1::GetBenchmarkReportResponse report;
  grpc::Status status = Report(clients.supervision.get(), &report);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_TRUE(report.running());
  EXPECT_EQ(report.mode(), v1::BENCHMARK_MODE_SPLIT);
  ASSERT_EQ(report.arms_size(), 2);
  EXPECT_EQ(report.arms(0).arm(), "outcome");
  EXPECT_EQ(report.arms(0).strategy(), v1::STRATEGY_OUTCOME);
  EXPECT_EQ(report.arms(1).strategy(), v1::STRATEGY_LONGEST_IDLE);
  int64_t total = 0;
  for (const v1::BenchmarkArmReport& arm : report.arms()) {
    EXPECT_EQ(arm.cases_assigned(), by_case_arm[arm.arm()]) << arm.arm();
    EXPECT_EQ(arm.cases_excluded(), 0);
    EXPECT_EQ(arm.answer_seconds().count(), answered_by_arm[arm.arm()]) << arm.arm();
    EXPECT_EQ(arm.csat().count(), answered_by_arm[arm.arm()]) << arm.arm();
    // Resolved just now: inside the repeat window, so pending, not yet counted.
    EXPECT_EQ(arm.fcr_pending(), answered_by_arm[arm.arm()]) << arm.arm();
    EXPECT_EQ(arm.fcr().count(), 0);
    total += arm.cases_assigned();
  }
  EXPECT_EQ(total, kCases);
  ASSERT_EQ(report.differences_size(), 1);
  EXPECT_EQ(report.differences(0).baseline(), "outcome");
  EXPECT_EQ(report.differences(0).arm(), "idle");
  std::printf("benchmark e2e: outcome %lld cases, idle %lld cases\n",
              static_cast<long long>(report.arms(0).cases_assigned()),
              static_cast<long long>(report.arms(1).cases_assigned()));

  // The arm is a metric label.
  EXPECT_TRUE(WaitFor([&] {
    absl::StatusOr<std::string> metrics = HttpGet((*router)->metrics_port(), "/metrics");
    return metrics.ok() && absl::StrContains(*metrics, "caserouter_benchmark_cases_total") &&
           absl::StrContains(*metrics, "arm=\"idle\"") &&
           absl::StrContains(*metrics, "arm=\"outcome\"");
  }));

  // The report is a supervisor's: an adapter and a viewer are refused.
  for (const char* role : {"adapter", "viewer"}) {
    auto stub = v1::SupervisionService::NewStub(Dial((*router)->grpc_port(), role, "someone"));
    v1::GetBenchmarkReportResponse refused;
    EXPECT_EQ(Report(stub.get(), &refused).error_code(), grpc::StatusCode::PERMISSION_DENIED)
        << role;
  }
  {
    grpc::ClientContext context;
    v1::GetBenchmarkReportRequest bad;
    bad.set_csat_precision(-1);
    v1::GetBenchmarkReportResponse out;
    grpc::Status s = clients.supervision->GetBenchmarkReport(&context, bad, &out);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_TRUE(absl::StrContains(s.error_message(), "csat_precision")) << s.error_message();
  }

  // Stop: the same file without the benchmark, reloaded by the RPC.
  dir.Write("caserouter.yaml", TestConfigYaml());
  {
    grpc::ClientContext context;
    v1::ReloadConfigurationResponse response;
    grpc::Status s = clients.supervision->ReloadConfiguration(
        &context, v1::ReloadConfigurationRequest(), &response);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  v1::SubmitCaseResponse after;
  ASSERT_TRUE(clients.Submit(SampleSubmission("after-stop", v1::CHANNEL_EMAIL), &after).ok());
  EXPECT_EQ(after.case_().benchmark_arm(), "");
  v1::GetBenchmarkReportResponse stopped;
  ASSERT_TRUE(Report(clients.supervision.get(), &stopped).ok());
  EXPECT_FALSE(stopped.running());
  int64_t still_counted = 0;  // the cases kept still tell what the arms did
  for (const v1::BenchmarkArmReport& arm : stopped.arms()) still_counted += arm.cases_assigned();
  EXPECT_EQ(still_counted, kCases);
}

}  // namespace
}  // namespace caserouter::e2e
