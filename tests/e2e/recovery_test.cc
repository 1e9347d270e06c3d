// End-to-end recovery: the real `caserouter` binary killed with SIGKILL and started again on
// the same Redis; Redis itself dying under a running router; clean shutdown and bad
// configuration exit codes.
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "tests/e2e/e2e_support.h"

#ifndef CASEROUTER_BINARY
#error "CASEROUTER_BINARY must name the caserouter executable"
#endif

namespace caserouter::e2e {
namespace {

#define SKIP_WITHOUT_REDIS(redis)                                                    \
  if (absl::IsNotFound((redis).status())) {                                          \
    GTEST_SKIP() << "redis-server is not installed: " << (redis).status().message(); \
  }                                                                                  \
  ASSERT_TRUE((redis).ok()) << (redis).status()

std::vector<std::string> RouterArgs(int redis_port, const std::string& config,
                                    const std::string& instance) {
  return {"--grpc_address=127.0.0.1:0",
          "--metrics_address=127.0.0.1:0",
          absl::StrCat("--redis_address=127.0.0.1:", redis_port),
          absl::StrCat("--config=", config),
          absl::StrCat("--instance_id=", instance),
          "--drain_timeout=2s"};
}

bool Serving(const std::shared_ptr<grpc::Channel>& channel) {
  absl::StatusOr<int> health = HealthStatus(channel, "");
  return health.ok() && *health == 1;
}

std::unique_ptr<DeskClient> AvailableDesk(Clients& c, const std::string& agent) {
  grpc::Status created = c.CreateAgent(agent, {{"billing", 8}});
  EXPECT_TRUE(created.ok()) << created.error_message();
  absl::StatusOr<std::unique_ptr<DeskClient>> desk = DeskClient::Connect(c.desk.get(), agent);
  EXPECT_TRUE(desk.ok()) << desk.status();
  if (!desk.ok()) return nullptr;
  absl::StatusOr<v1::Ack> ack = (*desk)->SetPresence(v1::PRESENCE_AVAILABLE);
  EXPECT_TRUE(ack.ok() && ack->code() == 0);
  return *std::move(desk);
}

v1::CaseState StateOf(Clients& c, const std::string& id) {
  v1::Case out;
  return c.GetCase(id, &out).ok() ? out.state() : v1::CASE_STATE_UNSPECIFIED;
}

TEST(RecoveryTest, Kill9ThenRestartKeepsEveryAcknowledgedCaseOnceAndOnlyOnce) {
  absl::StatusOr<std::unique_ptr<RedisServer>> redis = RedisServer::Start();
  SKIP_WITHOUT_REDIS(redis);
  TempDir dir;
  // Offers must still stand when the router is killed, and desks must not time out meanwhile.
  const std::string config =
      dir.Write("caserouter.yaml", TestConfigYaml(absl::Seconds(120), absl::Seconds(30)));
  const int redis_port = (*redis)->port();

  absl::StatusOr<std::unique_ptr<RouterProcess>> first = RouterProcess::Start(
      CASEROUTER_BINARY, RouterArgs(redis_port, config, "replica-a"), dir.path() + "/first.log");
  ASSERT_TRUE(first.ok()) << first.status();
  Clients c((*first)->grpc_port());
  ASSERT_TRUE(WaitFor([&] { return Serving(c.channel); }));

  // Phone cases: each agent holds at most one, so who gets what is forced.
  std::map<std::string, std::string> id_of;  // idempotency key -> case id
  auto submit = [&](const std::string& key) {
    v1::SubmitCaseResponse response;
    grpc::Status status = c.Submit(SampleSubmission(key), &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    id_of[key] = response.case_().case_id();
    return response.case_().case_id();
  };

  std::unique_ptr<DeskClient> holder = AvailableDesk(c, "holder");
  ASSERT_NE(holder, nullptr);
  const std::string assigned = submit("r-assigned");
  ASSERT_TRUE(holder->WaitForOffer().has_value());
  ASSERT_EQ(holder->Accept(assigned)->code(), 0);

  std::unique_ptr<DeskClient> finisher = AvailableDesk(c, "finisher");
  ASSERT_NE(finisher, nullptr);
  const std::string completed = submit("r-completed");
  ASSERT_TRUE(finisher->WaitForOffer().has_value());
  ASSERT_EQ(finisher->Accept(completed)->code(), 0);
  ASSERT_EQ(finisher->Complete(completed, true, 4)->code(), 0);
  ASSERT_EQ(finisher->SetPresence(v1::PRESENCE_AWAY)->code(), 0);

  std::unique_ptr<DeskClient> offeree = AvailableDesk(c, "offeree");
  ASSERT_NE(offeree, nullptr);
  const std::string offered = submit("r-offered");
  ASSERT_TRUE(offeree->WaitForOffer().has_value());

  std::vector<std::string> queued;
  for (int i = 0; i < 5; ++i) queued.push_back(submit(absl::StrCat("r-queued-", i)));

  ASSERT_EQ(StateOf(c, assigned), v1::CASE_STATE_ASSIGNED);
  ASSERT_EQ(StateOf(c, completed), v1::CASE_STATE_COMPLETED);
  ASSERT_EQ(StateOf(c, offered), v1::CASE_STATE_OFFERED);
  for (const std::string& id : queued) ASSERT_EQ(StateOf(c, id), v1::CASE_STATE_QUEUED);

  (*first)->Kill();  // SIGKILL: no shutdown, no lease release
  holder.reset();
  finisher.reset();
  offeree.reset();

  absl::StatusOr<std::unique_ptr<RouterProcess>> second = RouterProcess::Start(
      CASEROUTER_BINARY, RouterArgs(redis_port, config, "replica-b"), dir.path() + "/second.log");
  ASSERT_TRUE(second.ok()) << second.status();
  Clients c2((*second)->grpc_port());
  // The killed replica's lease (1 s) must lapse before replica-b leads.
  ASSERT_TRUE(WaitFor([&] { return Serving(c2.channel); }));

  v1::Case after;
  ASSERT_TRUE(c2.GetCase(assigned, &after).ok());
  EXPECT_EQ(after.state(), v1::CASE_STATE_ASSIGNED);  // held for the agent's reconnect
  EXPECT_EQ(after.agent_id(), "holder");
  ASSERT_TRUE(c2.GetCase(completed, &after).ok());
  EXPECT_EQ(after.state(), v1::CASE_STATE_COMPLETED);
  EXPECT_TRUE(after.outcome().resolved());
  EXPECT_EQ(after.outcome().csat(), 4);
  ASSERT_TRUE(c2.GetCase(offered, &after).ok());
  EXPECT_EQ(after.state(), v1::CASE_STATE_QUEUED);  // an offer does not survive its leader
  EXPECT_EQ(after.agent_id(), "");
  for (const std::string& id : queued) EXPECT_EQ(StateOf(c2, id), v1::CASE_STATE_QUEUED);

  // Zero duplicated: every retried key answers with its original case.
  for (const auto& [key, id] : id_of) {
    v1::SubmitCaseResponse response;
    ASSERT_TRUE(c2.Submit(SampleSubmission(key), &response).ok()) << key;
    EXPECT_EQ(response.case_().case_id(), id) << key;
    EXPECT_TRUE(response.deduplicated()) << key;
  }
  // Zero lost: the queue holds exactly the offered and queued cases, once each.
  v1::ListQueueResponse queue;
  ASSERT_TRUE(c2.ListQueue(&queue).ok());
  std::multiset<std::string> in_queue;
  for (const auto& q : queue.cases()) in_queue.insert(q.case_id());
  std::multiset<std::string> want(queued.begin(), queued.end());
  want.insert(offered);
  EXPECT_EQ(in_queue, want);

  // The restarted binary exports its metrics and leads.
  absl::StatusOr<std::string> metrics = HttpGet((*second)->metrics_port(), "/metrics");
  ASSERT_TRUE(metrics.ok()) << metrics.status();
  EXPECT_TRUE(absl::StrContains(*metrics, "caserouter_leader 1")) << *metrics;
  EXPECT_TRUE(absl::StrContains(*metrics, "caserouter_queue_depth{channel=\"phone\"} 6"))
      << *metrics;

  EXPECT_EQ((*second)->Terminate(), 0);
}

TEST(RecoveryTest, SigtermReleasesTheLeaseSoAStandbyLeadsAtOnce) {
  absl::StatusOr<std::unique_ptr<RedisServer>> redis = RedisServer::Start();
  SKIP_WITHOUT_REDIS(redis);
  TempDir dir;
  // A long lease: if it were not released, the standby would wait a minute.
  const std::string config = dir.Write(
      "caserouter.yaml",
      TestConfigYaml(absl::Milliseconds(1500), absl::Milliseconds(1500), absl::Seconds(60)));
  absl::StatusOr<std::unique_ptr<RouterProcess>> leader =
      RouterProcess::Start(CASEROUTER_BINARY, RouterArgs((*redis)->port(), config, "leader"),
                           dir.path() + "/leader.log");
  ASSERT_TRUE(leader.ok()) << leader.status();
  ASSERT_TRUE(WaitFor([&] { return Serving(Dial((*leader)->grpc_port())); }));
  absl::StatusOr<std::unique_ptr<RouterProcess>> standby =
      RouterProcess::Start(CASEROUTER_BINARY, RouterArgs((*redis)->port(), config, "standby"),
                           dir.path() + "/standby.log");
  ASSERT_TRUE(standby.ok()) << standby.status();
  auto standby_channel = Dial((*standby)->grpc_port());
  // The standby is up but does not lead: liveness yes, readiness no.
  absl::StatusOr<int> live = HealthStatus(standby_channel, "caserouter.liveness");
  ASSERT_TRUE(live.ok());
  EXPECT_EQ(*live, 1);
  absl::StatusOr<int> ready = HealthStatus(standby_channel, "");
  ASSERT_TRUE(ready.ok());
  EXPECT_EQ(*ready, 2);

  // A desk on the leader is told to go elsewhere when the leader shuts down.
  Clients leader_clients((*leader)->grpc_port());
  std::unique_ptr<DeskClient> desk = AvailableDesk(leader_clients, "ana");
  ASSERT_NE(desk, nullptr);

  EXPECT_EQ((*leader)->Terminate(), 0);
  std::optional<grpc::Status> desk_end = desk->WaitForEnd();
  ASSERT_TRUE(desk_end.has_value());
  EXPECT_EQ(desk_end->error_code(), grpc::StatusCode::UNAVAILABLE) << desk_end->error_message();
  // Well inside the 60 s lease: only a released lease explains it.
  EXPECT_TRUE(WaitFor([&] { return Serving(standby_channel); }, absl::Seconds(20)));
}

TEST(RecoveryTest, RedisDownMeansUnavailableAndNotServingUntilItComesBack) {
  RedisServer::Options options;
  options.appendonly = true;  // what was acknowledged survives the restart
  absl::StatusOr<std::unique_ptr<RedisServer>> redis = RedisServer::Start(options);
  SKIP_WITHOUT_REDIS(redis);
  absl::StatusOr<std::unique_ptr<InProcessRouter>> router =
      InProcessRouter::Start((*redis)->port(), TestConfigYaml(), "e2e-outage");
  ASSERT_TRUE(router.ok()) << router.status();
  Clients& c = (*router)->clients();
  auto channel = (*router)->channel();

  v1::SubmitCaseResponse before;
  ASSERT_TRUE(c.Submit(SampleSubmission("before-outage"), &before).ok());

  (*redis)->Kill();
  grpc::Status during;
  ASSERT_TRUE(WaitFor([&] {
    v1::SubmitCaseResponse ignored;
    during = c.Submit(SampleSubmission("during-outage"), &ignored);
    return during.error_code() == grpc::StatusCode::UNAVAILABLE;
  })) << during.error_code()
      << " " << during.error_message();
  ASSERT_TRUE(WaitFor([&] {
    absl::StatusOr<int> health = HealthStatus(channel, "");
    return health.ok() && *health == 2;
  }));
  absl::StatusOr<int> live = HealthStatus(channel, "caserouter.liveness");
  ASSERT_TRUE(live.ok());
  EXPECT_EQ(*live, 1);  // alive, just not ready: no restart loop while Redis is away

  ASSERT_TRUE((*redis)->Restart().ok());
  ASSERT_TRUE(WaitFor([&] { return Serving(channel); }));
  v1::Case kept;
  ASSERT_TRUE(c.GetCase(before.case_().case_id(), &kept).ok());
  EXPECT_EQ(kept.state(), v1::CASE_STATE_QUEUED);
  // Nothing of the refused submission was written: it is new now.
  v1::SubmitCaseResponse after;
  ASSERT_TRUE(c.Submit(SampleSubmission("during-outage"), &after).ok());
  EXPECT_FALSE(after.deduplicated());
  EXPECT_NE(after.case_().case_id(), before.case_().case_id());
}

TEST(RecoveryTest, BadConfigurationExitsWithCodeTwoNamingTheKey) {
  TempDir dir;
  const std::string config =
      dir.Write("bad.yaml", "offers: {timeout_seconds: 20, max_missed_in_a_row: 2}\n");
  const std::string log = dir.path() + "/bad.log";
  absl::StatusOr<int> code = RunToExit(CASEROUTER_BINARY, {absl::StrCat("--config=", config)}, log);
  ASSERT_TRUE(code.ok()) << code.status();
  EXPECT_EQ(*code, 2);
  std::ifstream in(log);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_TRUE(absl::StrContains(text, "offers.max_missed_in_a_row")) << text;

  code = RunToExit(CASEROUTER_BINARY, {"--redis_address=no-port-here"}, log);
  ASSERT_TRUE(code.ok());
  EXPECT_EQ(*code, 2);
}

}  // namespace
}  // namespace caserouter::e2e
