// The load generator against real servers, briefly: the echo service in this process, the
// real `caserouter` binary over a real redis-server, and the whole matrix at toy size. Every
// assertion is a count (cases answered, offered, completed, refused); none depends on how
// fast the machine is.
#include <unistd.h>

#include <fstream>
#include <memory>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "tests/support/redis_server.h"
#include "tests/support/test_credentials.h"
#include "tools/load/child_process.h"
#include "tools/load/echo_server.h"
#include "tools/load/load_driver.h"
#include "tools/load/matrix.h"

namespace caserouter::load {
namespace {

constexpr int kResourceExhausted = 8;

// A phase that ends when `cases` were answered (and completed, with desks), whatever the
// machine's speed; the duration is only a bound.
PhaseOptions Counted(int64_t cases, int in_flight) {
  PhaseOptions phase;
  phase.in_flight = in_flight;
  phase.max_cases = cases;
  phase.warmup = absl::ZeroDuration();
  phase.duration = absl::Seconds(90);
  return phase;
}

TEST(LoadSmokeTest, EchoAnswersEverySubmission) {
  absl::StatusOr<std::unique_ptr<EchoServer>> echo = EchoServer::Start("127.0.0.1:0");
  ASSERT_TRUE(echo.ok()) << echo.status();
  SessionOptions session;
  session.target = absl::StrCat("127.0.0.1:", (*echo)->port());
  session.server_pid = getpid();
  ASSERT_TRUE(WaitForServing(session.target, absl::Seconds(30)).ok());

  absl::StatusOr<LoadResult> result = RunLoad(session, Counted(500, 8));
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->normal.sent, 500);
  EXPECT_EQ(result->normal.ok, 500);
  EXPECT_EQ(result->normal.error_total(), 0);
  EXPECT_EQ(result->normal.ack.count, 500);
  EXPECT_EQ((*echo)->calls(), 500);
  EXPECT_TRUE(result->server.measured);
  EXPECT_GE(result->server.threads_peak, 1);
}

class RouterLoadTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<std::unique_ptr<RedisServer>> redis = RedisServer::Start();
    if (absl::IsNotFound(redis.status())) GTEST_SKIP() << redis.status().message();
    ASSERT_TRUE(redis.ok()) << redis.status();
    redis_ = *std::move(redis);
    const std::string config = redis_->dir() + "/load.yaml";
    std::ofstream(config) << "domain: smoke\n"
                             "channels:\n"
                             "  phone:  {wrap_up_seconds: 0}\n"
                             "  chat:   {wrap_up_seconds: 0}\n"
                             "  social: {wrap_up_seconds: 0}\n"
                             "  email:  {wrap_up_seconds: 0}\n"
                             "routing: {bullseye_share: 0}\n";
    // The router as deployed: TLS, and a token for every caller (the load signs them).
    absl::StatusOr<std::unique_ptr<TestCredentials>> creds = TestCredentials::Create("smoke");
    if (absl::IsNotFound(creds.status())) GTEST_SKIP() << creds.status().message();
    ASSERT_TRUE(creds.ok()) << creds.status();
    creds_ = *std::move(creds);
    absl::StatusOr<std::unique_ptr<ChildProcess>> router =
        ChildProcess::Start({CASEROUTER_BINARY, "--print_ports", "--grpc_address=127.0.0.1:0",
                             "--metrics_address=127.0.0.1:0",
                             absl::StrCat("--redis_address=127.0.0.1:", redis_->port()),
                             absl::StrCat("--config=", config), "--instance_id=smoke",
                             absl::StrCat("--tls_cert=", creds_->server_cert_file()),
                             absl::StrCat("--tls_key=", creds_->server_key_file()),
                             absl::StrCat("--jwt_public_keys=", creds_->issuer_public_key_file())},
                            redis_->dir() + "/router.log", /*await_first_line=*/true);
    ASSERT_TRUE(router.ok()) << router.status();
    router_ = *std::move(router);
    target_ = absl::StrCat("127.0.0.1:", ParsePort(router_->first_line(), "grpc_port"));
    ASSERT_TRUE(WaitForServing(target_, absl::Seconds(60), Security()).ok());
  }

  ClientSecurity Security() const {
    ClientSecurity security;
    security.ca_file = creds_->ca_file();
    return security;
  }

  std::unique_ptr<TestCredentials> creds_;

  std::unique_ptr<RedisServer> redis_;
  std::unique_ptr<ChildProcess> router_;
  std::string target_;
};

TEST_F(RouterLoadTest, CountsSubmissionsOffersCompletionsAndRoundTrips) {
  SessionOptions session;
  session.target = target_;
  session.security = Security();
  session.issuer_key_file = creds_->issuer_private_key_file();
  session.domain = "smoke";
  session.desks = 5;
  session.server_pid = router_->pid();
  session.redis_port = redis_->port();
  PhaseOptions phase = Counted(200, 4);
  phase.burst_cases = 100;
  phase.burst_at = absl::ZeroDuration();
  phase.burst_length = absl::Milliseconds(200);

  absl::StatusOr<LoadResult> result = RunLoad(session, phase);
  ASSERT_TRUE(result.ok()) << result.status();
  const LoadResult& r = *result;
  EXPECT_EQ(r.normal.sent, 200);
  EXPECT_EQ(r.normal.ok, 200);
  EXPECT_EQ(r.normal.error_total(), 0);
  // Every post of the burst is accounted for: accepted or refused.
  EXPECT_EQ(r.burst.sent, 100);
  EXPECT_EQ(r.burst.ok + r.burst.error_total(), 100);
  EXPECT_EQ(r.desks.connected, 5);
  // The window closed only once the desks completed every accepted case, each offered once.
  EXPECT_EQ(r.desks.offer.count, r.normal.ok + r.burst.ok);
  EXPECT_EQ(r.desks.completes, r.normal.ok + r.burst.ok);
  EXPECT_EQ(r.desks.accepts, r.desks.completes);
  EXPECT_TRUE(r.server.measured);
  ASSERT_TRUE(r.redis.measured);
  // Each commit is one script call; the scripts' inner commands are counted as work only.
  EXPECT_GT(r.redis.round_trips, 0);
  EXPECT_GT(r.redis.commands, r.redis.round_trips);
}

TEST(LoadMatrixTest, ToyMatrixFillsEveryRow) {
  MatrixOptions options;
  options.router_binary = CASEROUTER_BINARY;
  options.echo_binary = CASEROUTER_LOAD_BINARY;
  if (absl::StatusOr<std::string> redis = RedisServer::FindBinary(); redis.ok()) {
    options.redis_binary = *redis;
  } else if (absl::IsNotFound(redis.status())) {
    GTEST_SKIP() << redis.status().message();
  } else {
    FAIL() << redis.status();
  }
  // The matrix makes its routers' token issuer with the openssl command.
  if (absl::StatusOr<std::unique_ptr<TestCredentials>> creds = TestCredentials::Create();
      absl::IsNotFound(creds.status())) {
    GTEST_SKIP() << creds.status().message();
  }
  options.rounds = 1;
  options.warmup = absl::Milliseconds(100);
  options.duration = absl::Milliseconds(500);
  options.in_flight = {1, 4};
  options.queued = 300;
  options.queued_in_flight = {4};
  options.desks = {3};
  options.burst_cases = 50;
  options.burst_desks = 3;
  options.burst_settle = absl::Milliseconds(200);
  options.ceiling_duration = absl::Milliseconds(200);

  absl::StatusOr<MatrixReport> report = RunMatrix(options);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_GT(report->redis_ceiling.records, 0);
  ASSERT_EQ(report->submit.size(), 4u);  // echo and router at two levels
  for (const Measurement& m : report->submit) {
    EXPECT_TRUE(m.ran) << m.system << " " << m.in_flight << ": " << m.failure;
    EXPECT_EQ(m.result.normal.error_total(), 0) << m.system << " " << m.in_flight;
  }
  ASSERT_EQ(report->queued.size(), 1u);
  EXPECT_TRUE(report->queued[0].ran) << report->queued[0].failure;
  EXPECT_GT(report->rss_recovered, 0);
  // At its limit, the queue refuses every submission, and only with RESOURCE_EXHAUSTED.
  const SubmitResult& full = report->full_queue.result.normal;
  ASSERT_TRUE(report->full_queue.ran) << report->full_queue.failure;
  EXPECT_GT(full.sent, 0);
  EXPECT_EQ(full.ok, 0);
  EXPECT_EQ(full.errors()[kResourceExhausted], full.error_total());
  ASSERT_EQ(report->desks.size(), 1u);
  EXPECT_EQ(report->desks[0].max.result.desks.connected, 3);
  EXPECT_TRUE(report->desks[0].half.ran) << report->desks[0].half.failure;
  ASSERT_TRUE(report->burst.ran) << report->burst.failure;
  EXPECT_EQ(report->burst.result.burst.sent, 50);
  EXPECT_EQ(report->burst.result.burst.ok + report->burst.result.burst.error_total(), 50);

  const std::string markdown = RenderMarkdown(*report);
  for (const char* heading : {"#### Ceilings", "#### Submissions", "#### Queue depth", "#### Desks",
                              "#### Burst", "#### Targets (issue 10)"}) {
    EXPECT_TRUE(absl::StrContains(markdown, heading)) << heading << "\n" << markdown;
  }
}

}  // namespace
}  // namespace caserouter::load
