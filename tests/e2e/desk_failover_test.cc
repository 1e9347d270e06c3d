// End-to-end: desks follow the leader (issue 11, defect 4). Two real `caserouter` binaries on
// one redis-server; the leader is paused past its lease (SIGSTOP), the standby takes over, and
// the old leader resumes (SIGCONT). Every desk stream of the deposed leader must end with
// UNAVAILABLE at once, and the project's agent client (tools/agent_client/desk_agent.h) must
// reconnect until it reaches the new leader — by the stream's end, or on its own when the old
// leader goes silent.
#include <signal.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "tests/e2e/e2e_support.h"
#include "tools/agent_client/desk_agent.h"

#ifndef CASEROUTER_BINARY
#error "CASEROUTER_BINARY must name the caserouter executable"
#endif

namespace caserouter::e2e {
namespace {

bool Serving(int port) {
  absl::StatusOr<int> health = HealthStatus(Dial(port), "");
  return health.ok() && *health == 1;
}

std::vector<std::string> RouterArgs(int redis_port, const std::string& config,
                                    const std::string& instance) {
  return {"--grpc_address=127.0.0.1:0",
          "--metrics_address=",
          absl::StrCat("--redis_address=127.0.0.1:", redis_port),
          absl::StrCat("--config=", config),
          absl::StrCat("--instance_id=", instance),
          "--drain_timeout=1s"};
}

// A DeskAgent whose Welcomes are recorded with the address they came from.
class WatchedDesk {
 public:
  WatchedDesk(const std::string& agent_id, std::vector<std::string> targets)
      : desk_(
            std::move(targets), DeskAgent::Options{.agent_id = agent_id},
            [this](const v1::ConnectResponse& event) {
              absl::MutexLock lock(&mu_);
              if (event.has_welcome()) welcomed_by_.push_back(desk_.target());
              if (event.has_offer()) offers_.push_back(event.offer().case_().case_id());
            },
            [this](const grpc::Status& end, bool) {
              absl::MutexLock lock(&mu_);
              ends_.push_back(end.error_code());
            }) {}

  void Start() { desk_.Start(); }
  // True once a Welcome came from `target`, waiting up to `timeout`.
  bool WaitForWelcomeFrom(const std::string& target, absl::Duration timeout) {
    absl::MutexLock lock(&mu_);
    auto welcomed = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      return !welcomed_by_.empty() && welcomed_by_.back() == target;
    };
    return mu_.AwaitWithTimeout(absl::Condition(&welcomed), timeout);
  }
  bool WaitForOffer(const std::string& case_id, absl::Duration timeout) {
    absl::MutexLock lock(&mu_);
    auto offered = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      for (const std::string& id : offers_) {
        if (id == case_id) return true;
      }
      return false;
    };
    return mu_.AwaitWithTimeout(absl::Condition(&offered), timeout);
  }
  std::vector<grpc::StatusCode> ends() {
    absl::MutexLock lock(&mu_);
    return ends_;
  }

 private:
  absl::Mutex mu_;
  std::vector<std::string> welcomed_by_ ABSL_GUARDED_BY(mu_);
  std::vector<std::string> offers_ ABSL_GUARDED_BY(mu_);
  std::vector<grpc::StatusCode> ends_ ABSL_GUARDED_BY(mu_);
  DeskAgent desk_;  // last: its threads stop before the members above go
};

class DeskFailoverTest : public ::testing::Test {
 protected:
  // `heartbeat_timeout` decides how soon a desk gives a silent router up (a third of it is the
  // heartbeat interval, and kSilentHeartbeats intervals of silence end the stream).
  void StartRouters(absl::Duration heartbeat_timeout) {
    absl::StatusOr<std::unique_ptr<RedisServer>> redis = RedisServer::Start();
    if (absl::IsNotFound(redis.status())) {
      GTEST_SKIP() << "redis-server is not installed: " << redis.status().message();
    }
    ASSERT_TRUE(redis.ok()) << redis.status();
    redis_ = *std::move(redis);
    const std::string config = dir_.Write(
        "caserouter.yaml", TestConfigYaml(absl::Seconds(120), heartbeat_timeout, kLease));
    absl::StatusOr<std::unique_ptr<RouterProcess>> a = RouterProcess::Start(
        CASEROUTER_BINARY, RouterArgs(redis_->port(), config, "replica-a"), dir_.path() + "/a.log");
    ASSERT_TRUE(a.ok()) << a.status();
    leader_ = *std::move(a);
    ASSERT_TRUE(WaitFor([&] { return Serving(leader_->grpc_port()); }));
    absl::StatusOr<std::unique_ptr<RouterProcess>> b = RouterProcess::Start(
        CASEROUTER_BINARY, RouterArgs(redis_->port(), config, "replica-b"), dir_.path() + "/b.log");
    ASSERT_TRUE(b.ok()) << b.status();
    standby_ = *std::move(b);
    leader_address_ = absl::StrCat("127.0.0.1:", leader_->grpc_port());
    standby_address_ = absl::StrCat("127.0.0.1:", standby_->grpc_port());
  }

  void TearDown() override {
    // A test that failed while the leader was paused must not leave it stopped.
    if (leader_ != nullptr) kill(leader_->pid(), SIGCONT);
  }

  // Pauses the leader past its lease until the standby leads.
  void PauseLeaderUntilStandbyLeads() {
    ASSERT_EQ(kill(leader_->pid(), SIGSTOP), 0);
    ASSERT_TRUE(WaitFor([&] { return Serving(standby_->grpc_port()); }))
        << "the standby did not take over";
  }

  static constexpr absl::Duration kLease = absl::Seconds(1);
  TempDir dir_;
  std::unique_ptr<RedisServer> redis_;
  std::unique_ptr<RouterProcess> leader_;
  std::unique_ptr<RouterProcess> standby_;
  std::string leader_address_;
  std::string standby_address_;
};

TEST_F(DeskFailoverTest, ADeposedLeaderEndsEveryDeskStreamAndTheAgentClientFindsTheNewLeader) {
  // Desks stay quiet-tolerant for 30 s: only the step-down can end their streams in time.
  StartRouters(absl::Seconds(30));
  if (IsSkipped() || HasFatalFailure()) return;
  Clients old_leader((Dial(leader_->grpc_port())));
  ASSERT_TRUE(old_leader.CreateAgent("ana", {{"billing", 8}}).ok());
  ASSERT_TRUE(old_leader.CreateAgent("bo", {{"billing", 8}}).ok());
  absl::StatusOr<std::unique_ptr<DeskClient>> ana =
      DeskClient::Connect(old_leader.desk.get(), "ana");
  ASSERT_TRUE(ana.ok()) << ana.status();
  WatchedDesk bo("bo", {leader_address_, standby_address_});
  bo.Start();
  ASSERT_TRUE(bo.WaitForWelcomeFrom(leader_address_, kWait));

  PauseLeaderUntilStandbyLeads();
  ASSERT_EQ(kill(leader_->pid(), SIGCONT), 0);

  // The resumed leader learns it lost the lease at its next tick and ends its streams then:
  // well within 5 s, where before the fix they stayed open (58 s in the run).
  std::optional<grpc::Status> end = (*ana)->WaitForEnd(absl::Seconds(5));
  ASSERT_TRUE(end.has_value()) << "the deposed leader kept the desk stream open";
  EXPECT_EQ(end->error_code(), grpc::StatusCode::UNAVAILABLE) << end->error_message();
  // The agent client moved to the new leader (lease TTL plus its backoff, generously).
  ASSERT_TRUE(bo.WaitForWelcomeFrom(standby_address_, absl::Seconds(10)));
  EXPECT_FALSE(bo.ends().empty());
  for (grpc::StatusCode code : bo.ends()) EXPECT_EQ(code, grpc::StatusCode::UNAVAILABLE);

  // And it works there: a case submitted to the new leader is offered to bo.
  Clients new_leader((Dial(standby_->grpc_port())));
  v1::SubmitCaseResponse submitted;
  ASSERT_TRUE(new_leader.Submit(SampleSubmission("after-failover"), &submitted).ok());
  EXPECT_TRUE(bo.WaitForOffer(submitted.case_().case_id(), kWait));
}

TEST_F(DeskFailoverTest, TheAgentClientLeavesAPausedLeaderOnItsOwn) {
  // Heartbeats every 0.5 s: a router silent for 1.5 s is given up.
  StartRouters(absl::Milliseconds(1500));
  if (IsSkipped() || HasFatalFailure()) return;
  Clients old_leader((Dial(leader_->grpc_port())));
  ASSERT_TRUE(old_leader.CreateAgent("cy", {{"billing", 8}}).ok());
  WatchedDesk cy("cy", {leader_address_, standby_address_});
  cy.Start();
  ASSERT_TRUE(cy.WaitForWelcomeFrom(leader_address_, kWait));

  PauseLeaderUntilStandbyLeads();
  // The old leader stays paused: nothing it could say reaches the desk.
  EXPECT_TRUE(cy.WaitForWelcomeFrom(standby_address_, absl::Seconds(10)));
  ASSERT_EQ(kill(leader_->pid(), SIGCONT), 0);
}

}  // namespace
}  // namespace caserouter::e2e
