// End-to-end: a hung Redis (issue 11, defect 5). The real `caserouter` binary over a real
// redis-server that is paused with SIGSTOP: the connection stays open and nothing answers, the
// worst way for a store to fail. Callers must get UNAVAILABLE (retry elsewhere or later), never
// DEADLINE_EXCEEDED, within the detection time `store.command_timeout_seconds`; and the router
// must serve again by itself once Redis resumes.
#include <signal.h>

#include <atomic>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "tests/e2e/e2e_support.h"

#ifndef CASEROUTER_BINARY
#error "CASEROUTER_BINARY must name the caserouter executable"
#endif

namespace caserouter::e2e {
namespace {

// Submits with `deadline` from `threads` threads for `duration` while Redis is paused, and
// returns how many calls ended with each code. Resumes Redis before returning.
std::map<grpc::StatusCode, int> SubmitWhileRedisIsHung(RedisServer& redis, int router_port,
                                                       absl::Duration deadline,
                                                       absl::Duration duration, int threads) {
  std::map<grpc::StatusCode, int> codes;
  absl::Mutex mu;
  EXPECT_EQ(kill(redis.pid(), SIGSTOP), 0);
  const absl::Time end = absl::Now() + duration;
  std::vector<std::thread> submitters;
  for (int t = 0; t < threads; ++t) {
    submitters.emplace_back([&, t] {
      auto stub = v1::CaseIntakeService::NewStub(Dial(router_port));
      for (int i = 0; absl::Now() < end; ++i) {
        grpc::ClientContext context;
        context.set_deadline(absl::ToChronoTime(absl::Now() + deadline));
        v1::SubmitCaseResponse response;
        grpc::Status status = stub->SubmitCase(
            &context, SampleSubmission(absl::StrCat("hung-", t, "-", i)), &response);
        absl::MutexLock lock(&mu);
        ++codes[status.error_code()];
        // A refusal is immediate while the replica knows it cannot lead: pace the retries as
        // a client would.
        if (!status.ok()) absl::SleepFor(absl::Milliseconds(20));
      }
    });
  }
  for (std::thread& s : submitters) s.join();
  EXPECT_EQ(kill(redis.pid(), SIGCONT), 0);
  return codes;
}

std::string Describe(const std::map<grpc::StatusCode, int>& codes) {
  std::string out;
  for (const auto& [code, n] : codes) absl::StrAppend(&out, "code ", code, ": ", n, "; ");
  return out;
}

class StoreOutageTest : public ::testing::Test {
 protected:
  void StartRouter(const std::string& yaml) {
    absl::StatusOr<std::unique_ptr<RedisServer>> redis = RedisServer::Start();
    if (absl::IsNotFound(redis.status())) {
      GTEST_SKIP() << "redis-server is not installed: " << redis.status().message();
    }
    ASSERT_TRUE(redis.ok()) << redis.status();
    redis_ = *std::move(redis);
    const std::string config = dir_.Write("caserouter.yaml", yaml);
    absl::StatusOr<std::unique_ptr<RouterProcess>> router = RouterProcess::Start(
        CASEROUTER_BINARY,
        {"--grpc_address=127.0.0.1:0",
         "--metrics_address=", absl::StrCat("--redis_address=127.0.0.1:", redis_->port()),
         absl::StrCat("--config=", config), "--instance_id=hung-store", "--drain_timeout=1s"},
        dir_.path() + "/router.log");
    ASSERT_TRUE(router.ok()) << router.status();
    router_ = *std::move(router);
    clients_ = std::make_unique<Clients>(Dial(router_->grpc_port()));
    ASSERT_TRUE(WaitFor([&] {
      absl::StatusOr<int> health = HealthStatus(clients_->channel, "");
      return health.ok() && *health == 1;
    }));
    v1::SubmitCaseResponse before;
    ASSERT_TRUE(clients_->Submit(SampleSubmission("before-hang"), &before).ok());
    before_id_ = before.case_().case_id();
  }

  void TearDown() override {
    if (redis_ != nullptr && redis_->running()) kill(redis_->pid(), SIGCONT);
  }

  // After Redis resumed: the router leads again by itself, and kept what it acknowledged.
  void ExpectResumed() {
    v1::SubmitCaseResponse after;
    EXPECT_TRUE(WaitFor([&] {
      return clients_->Submit(SampleSubmission("after-hang"), &after).ok();
    })) << "the router did not serve again after Redis resumed";
    v1::Case kept;
    ASSERT_TRUE(clients_->GetCase(before_id_, &kept).ok());
    EXPECT_EQ(kept.case_id(), before_id_);
  }

  TempDir dir_;
  std::unique_ptr<RedisServer> redis_;
  std::unique_ptr<RouterProcess> router_;
  std::unique_ptr<Clients> clients_;
  std::string before_id_;
};

TEST_F(StoreOutageTest, AHungRedisIsAnsweredWithUnavailableWithinTheDetectionTime) {
  // Detection after 0.25 s; callers give up after 1.5 s: every answer must come before that.
  StartRouter(TestConfigYaml() + "store: {command_timeout_seconds: 0.25}\n");
  if (IsSkipped() || HasFatalFailure()) return;
  std::map<grpc::StatusCode, int> codes = SubmitWhileRedisIsHung(
      *redis_, router_->grpc_port(), absl::Milliseconds(1500), absl::Seconds(3), 4);
  EXPECT_EQ(codes[grpc::StatusCode::DEADLINE_EXCEEDED], 0) << Describe(codes);
  EXPECT_GT(codes[grpc::StatusCode::UNAVAILABLE], 0) << Describe(codes);
  for (const auto& [code, n] : codes) {
    if (n == 0) continue;  // the lookups above made it
    EXPECT_TRUE(code == grpc::StatusCode::OK || code == grpc::StatusCode::UNAVAILABLE)
        << Describe(codes);
  }
  ExpectResumed();
}

TEST_F(StoreOutageTest, WithTheDefaultDetectionTimeCallersSeeUnavailableNotDeadlineExceeded) {
  // The default detection time is 1 s; callers with a 3 s deadline must be told UNAVAILABLE.
  // Before the fix a command could wait for a stuck commit and then for a stuck attempt to
  // lead again (2 s each), and its caller saw DEADLINE_EXCEEDED.
  StartRouter(TestConfigYaml());
  if (IsSkipped() || HasFatalFailure()) return;
  std::map<grpc::StatusCode, int> codes =
      SubmitWhileRedisIsHung(*redis_, router_->grpc_port(), absl::Seconds(3), absl::Seconds(6), 4);
  EXPECT_EQ(codes[grpc::StatusCode::DEADLINE_EXCEEDED], 0) << Describe(codes);
  EXPECT_GT(codes[grpc::StatusCode::UNAVAILABLE], 0) << Describe(codes);
  ExpectResumed();
}

}  // namespace
}  // namespace caserouter::e2e
