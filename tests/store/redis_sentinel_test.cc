// RedisStateStore with replicas and Sentinel (issue 11): WAIT for min_replicas_acked replicas
// before a commit or an acquisition is confirmed, and the primary found through Sentinels and
// followed through a failover. Real redis-server and redis-sentinel processes on loopback.
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "router/store/redis_state_store.h"
#include "router/store/test_records.h"
#include "tests/support/redis_server.h"

namespace caserouter {
namespace {

using testing_records::SampleCase;
using testing_records::T0;

#define START_OR_SKIP(var, options)                                               \
  absl::StatusOr<std::unique_ptr<RedisServer>> var = RedisServer::Start(options); \
  if (absl::IsNotFound(var.status())) GTEST_SKIP() << var.status().message();     \
  ASSERT_TRUE(var.ok()) << var.status()

bool WaitFor(const std::function<bool()>& condition, absl::Duration timeout = absl::Seconds(20)) {
  const absl::Time deadline = absl::Now() + timeout;
  while (!condition()) {
    if (absl::Now() > deadline) return false;
    absl::SleepFor(absl::Milliseconds(20));
  }
  return true;
}

RedisServer::Options ReplicaOf(int primary_port) {
  RedisServer::Options o;
  o.extra_args = {"--replicaof", "127.0.0.1", absl::StrCat(primary_port)};
  return o;
}

bool InSync(const RedisServer& replica) {
  absl::StatusOr<std::string> info = replica.Command({"INFO", "replication"});
  return info.ok() && absl::StrContains(*info, "master_link_status:up");
}

Batch OneCase(const std::string& id) {
  Batch batch;
  batch.cases.push_back(SampleCase(id));
  batch.now = T0();
  return batch;
}

TEST(RedisReplicasTest, TooFewReplicasIsUnavailableAndEnoughIsOk) {
  START_OR_SKIP(primary, RedisServer::Options());
  RedisOptions options;
  options.port = (*primary)->port();
  options.domain = "wait";
  options.command_timeout = absl::Seconds(2);
  options.min_replicas_acked = 1;
  options.replica_ack_timeout = absl::Milliseconds(100);
  absl::StatusOr<std::unique_ptr<RedisStateStore>> store = RedisStateStore::Connect(options);
  ASSERT_TRUE(store.ok()) << store.status();

  // No replica: neither the lease nor a batch may be confirmed.
  absl::StatusOr<int64_t> epoch = (*store)->AcquireLeadership("a", absl::Seconds(5), T0());
  EXPECT_EQ(epoch.status().code(), absl::StatusCode::kUnavailable) << epoch.status();
  EXPECT_TRUE(absl::StrContains(epoch.status().message(), "0 of 1")) << epoch.status();
  epoch = (*store)->AcquireLeadership("a", absl::Seconds(5), T0());  // held by "a" already
  ASSERT_EQ(epoch.status().code(), absl::StatusCode::kUnavailable);

  START_OR_SKIP(replica, ReplicaOf((*primary)->port()));
  ASSERT_TRUE(WaitFor([&] {
    epoch = (*store)->AcquireLeadership("a", absl::Seconds(5), T0());
    return epoch.ok();
  })) << epoch.status();
  EXPECT_TRUE((*store)->Commit(OneCase("c-1"), *epoch).ok());

  // The replica goes: the next batch is written on the primary but not confirmed.
  (*replica)->Kill();
  absl::Status commit = (*store)->Commit(OneCase("c-2"), *epoch);
  EXPECT_EQ(commit.code(), absl::StatusCode::kUnavailable) << commit;
}

TEST(RedisSentinelTest, TheStoreFindsThePrimaryAndFollowsAFailover) {
  START_OR_SKIP(primary, RedisServer::Options());
  START_OR_SKIP(replica, ReplicaOf((*primary)->port()));
  ASSERT_TRUE(WaitFor([&] { return InSync(**replica); }));
  RedisServer::Options sentinel_options;
  sentinel_options.sentinel = true;
  sentinel_options.sentinel_config = {
      absl::StrCat("sentinel monitor caserouter 127.0.0.1 ", (*primary)->port(), " 1"),
      "sentinel down-after-milliseconds caserouter 1000",
      "sentinel failover-timeout caserouter 3000"};
  START_OR_SKIP(sentinel, sentinel_options);

  RedisOptions options;
  options.host = "unused.invalid";
  options.sentinels = {{"127.0.0.1", (*sentinel)->port()}};
  options.master_name = "caserouter";
  options.domain = "sentinel";
  options.command_timeout = absl::Seconds(2);
  absl::StatusOr<std::unique_ptr<RedisStateStore>> store = RedisStateStore::Connect(options);
  ASSERT_TRUE(store.ok()) << store.status();
  absl::StatusOr<int64_t> epoch = (*store)->AcquireLeadership("a", absl::Seconds(30), T0());
  ASSERT_TRUE(epoch.ok()) << epoch.status();
  ASSERT_TRUE((*store)->Commit(OneCase("before"), *epoch).ok());

  // Sentinel must know the replica before it can promote it.
  ASSERT_TRUE(WaitFor([&] {
    absl::StatusOr<std::string> replicas =
        (*sentinel)->Command({"SENTINEL", "replicas", "caserouter"});
    return replicas.ok() && absl::StrContains(*replicas, absl::StrCat((*replica)->port()));
  }));
  ASSERT_TRUE(WaitFor([&] {
    return (*sentinel)->Command({"SENTINEL", "failover", "caserouter"}).ok();
  }));
  ASSERT_TRUE(WaitFor([&] {
    absl::StatusOr<std::string> primary_now =
        (*sentinel)->Command({"SENTINEL", "get-master-addr-by-name", "caserouter"});
    return primary_now.ok() && absl::StrContains(*primary_now, absl::StrCat((*replica)->port()));
  }));

  // The first call after the switch says the primary moved (the engine reloads); then the
  // store writes to the new primary, fenced by the epoch it carried over.
  // (Until the old primary is demoted, a write to it may still succeed: the window that
  // min_replicas_acked closes.)
  bool moved_seen = false;
  absl::Status last;
  ASSERT_TRUE(WaitFor([&] {
    last = (*store)->Commit(OneCase("after"), *epoch);
    if (absl::StrContains(last.message(), "moved")) moved_seen = true;
    absl::StatusOr<std::string> on_new =
        (*replica)->Command({"EXISTS", "cr:{sentinel}:case:after"});
    return last.ok() && on_new.ok() && *on_new == "1";
  })) << last;
  EXPECT_TRUE(moved_seen);
}

TEST(RedisSentinelTest, NoSentinelAnsweringIsUnavailable) {
  absl::StatusOr<int> port = PickFreeLoopbackPort();
  ASSERT_TRUE(port.ok());
  RedisOptions options;
  options.sentinels = {{"127.0.0.1", *port}};
  options.master_name = "caserouter";
  options.domain = "nobody";
  options.connect_timeout = absl::Milliseconds(200);
  absl::StatusOr<std::unique_ptr<RedisStateStore>> store = RedisStateStore::Connect(options);
  ASSERT_TRUE(store.ok()) << store.status();
  absl::Status ping = (*store)->Ping();
  EXPECT_EQ(ping.code(), absl::StatusCode::kUnavailable);
  EXPECT_TRUE(absl::StrContains(ping.message(), "Sentinel")) << ping;
  options.master_name = "";
  EXPECT_EQ(RedisStateStore::Connect(options).status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace caserouter
