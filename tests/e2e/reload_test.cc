// End-to-end: the configuration is reloaded without a restart, by SIGHUP and by the
// SupervisionService RPC, on the real `caserouter` binary; a bad file is refused with the key
// named and the running configuration stays.
#include <signal.h>

#include <memory>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "tests/e2e/e2e_support.h"

namespace caserouter::e2e {
namespace {

std::string ConfigWithTopics(const std::string& topics) {
  return absl::StrCat("domain: e2e\ntopics: [", topics, "]\nleadership: {lease_ttl_seconds: 2}\n");
}

bool MetricsMention(const RouterProcess& router, const std::string& text) {
  absl::StatusOr<std::string> metrics = HttpGet(router.metrics_port(), "/metrics");
  return metrics.ok() && absl::StrContains(*metrics, text);
}

TEST(ReloadTest, SighupAndTheRpcReloadTheFileAndABadFileIsRefused) {
  absl::StatusOr<std::unique_ptr<RedisServer>> redis = RedisServer::Start();
  if (absl::IsNotFound(redis.status())) {
    GTEST_SKIP() << "redis-server is not installed: " << redis.status().message();
  }
  ASSERT_TRUE(redis.ok()) << redis.status();
  TempDir dir;
  const std::string path = dir.Write("caserouter.yaml", ConfigWithTopics("billing"));
  absl::StatusOr<std::unique_ptr<RouterProcess>> router =
      RouterProcess::Start(CASEROUTER_BINARY,
                           {"--grpc_address=127.0.0.1:0", "--metrics_address=127.0.0.1:0",
                            absl::StrCat("--redis_address=127.0.0.1:", (*redis)->port()),
                            "--config=" + path, "--instance_id=reload-e2e"},
                           dir.path() + "/router.log");
  ASSERT_TRUE(router.ok()) << router.status();
  Clients clients((*router)->grpc_port());
  ASSERT_TRUE(WaitFor([&] { return HealthStatus(clients.channel, "").value_or(0) == 1; }));
  // Topics are metric labels: a configured topic gets its series at once.
  ASSERT_TRUE(WaitFor([&] { return MetricsMention(**router, "topic=\"billing\""); }));
  EXPECT_FALSE(MetricsMention(**router, "topic=\"refunds\""));

  // SIGHUP.
  dir.Write("caserouter.yaml", ConfigWithTopics("billing, refunds"));
  ASSERT_EQ(kill((*router)->pid(), SIGHUP), 0);
  EXPECT_TRUE(WaitFor([&] { return MetricsMention(**router, "topic=\"refunds\""); }));

  // The RPC.
  dir.Write("caserouter.yaml", ConfigWithTopics("billing, refunds, outage"));
  {
    grpc::ClientContext context;
    v1::ReloadConfigurationResponse response;
    grpc::Status status = clients.supervision->ReloadConfiguration(
        &context, v1::ReloadConfigurationRequest(), &response);
    ASSERT_TRUE(status.ok()) << status.error_message();
  }
  EXPECT_TRUE(WaitFor([&] { return MetricsMention(**router, "topic=\"outage\""); }));

  // A bad file: the RPC names the key, SIGHUP changes nothing, the router keeps serving.
  dir.Write("caserouter.yaml", "domain: e2e\ntopicz: [x]\n");
  {
    grpc::ClientContext context;
    v1::ReloadConfigurationResponse response;
    grpc::Status status = clients.supervision->ReloadConfiguration(
        &context, v1::ReloadConfigurationRequest(), &response);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_TRUE(absl::StrContains(status.error_message(), "topicz")) << status.error_message();
  }
  ASSERT_EQ(kill((*router)->pid(), SIGHUP), 0);
  v1::SubmitCaseResponse submitted;
  grpc::Status submit = clients.Submit(SampleSubmission("after-bad-reload"), &submitted);
  EXPECT_TRUE(submit.ok()) << submit.error_message();
  EXPECT_EQ(HealthStatus(clients.channel, "").value_or(0), 1);
  EXPECT_TRUE(MetricsMention(**router, "topic=\"outage\""));  // the last good configuration
}

}  // namespace
}  // namespace caserouter::e2e
