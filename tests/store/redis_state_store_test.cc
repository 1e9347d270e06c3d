// RedisStateStore against a real redis-server: the StateStore contract, plus what only Redis
// has — outages and recovery, the key schema, expiry, round trips and corrupt records.
//
// Every test binary process starts its own redis-server (tests/support/redis_server.h) on a
// free loopback port; tests that kill or stop the server start one of their own. Without
// redis-server on PATH every test is skipped with the reason printed.
#include "router/store/redis_state_store.h"

#include <hiredis/hiredis.h>
#include <signal.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "router/store/state_store_contract.h"
#include "router/store/test_records.h"
#include "tests/support/redis_rollback.h"
#include "tests/support/redis_server.h"

namespace caserouter {
namespace {

using testing_records::SampleAgent;
using testing_records::SampleCase;
using testing_records::SampleClosedCase;
using testing_records::SampleQuality;
using testing_records::SampleRelationship;
using testing_records::T0;

// The redis-server shared by the tests of this process that do not kill it.
class SharedRedis : public ::testing::Environment {
 public:
  static SharedRedis* Get() {
    static SharedRedis* const env =
        static_cast<SharedRedis*>(::testing::AddGlobalTestEnvironment(new SharedRedis));
    return env;
  }
  void SetUp() override {
    absl::StatusOr<std::unique_ptr<RedisServer>> server = RedisServer::Start();
    if (server.ok()) {
      server_ = *std::move(server);
    } else if (absl::IsNotFound(server.status())) {
      skip_reason_ = absl::StrCat("no redis-server for this test: ", server.status().ToString());
    } else {
      // Installed but broken, or required and missing: a failure, not a reason to skip.
      FAIL() << "redis-server for this test: " << server.status();
    }
  }
  void TearDown() override { server_.reset(); }

  RedisServer* server() { return server_.get(); }
  const std::string& skip_reason() const { return skip_reason_; }

 private:
  std::unique_ptr<RedisServer> server_;
  std::string skip_reason_;
};
// Registered before main() runs the tests.
SharedRedis* const kSharedRedis = SharedRedis::Get();

// A domain name no other test of this process uses.
std::string UniqueDomain(absl::string_view hint) {
  static std::atomic<int> next{0};
  return absl::StrCat(hint, "-", next.fetch_add(1));
}

std::unique_ptr<RedisStateStore> OpenStore(int port, const std::string& domain,
                                           const std::string& password = "") {
  RedisOptions options;
  options.port = port;
  options.domain = domain;
  options.password = password;
  options.connect_timeout = absl::Milliseconds(500);
  options.command_timeout = absl::Milliseconds(500);
  absl::StatusOr<std::unique_ptr<RedisStateStore>> store = RedisStateStore::Connect(options);
  EXPECT_TRUE(store.ok()) << store.status();
  return store.ok() ? *std::move(store) : nullptr;
}

class RedisBackend : public StateStoreContractBackend {
 public:
  std::string SkipReason() override { return kSharedRedis->skip_reason(); }
  std::unique_ptr<StateStore> Open(absl::string_view domain) override {
    return OpenStore(kSharedRedis->server()->port(), absl::StrCat(prefix_, domain));
  }
  // The lease expires on the server's clock (PX): wait it out for real.
  void LetLeaseLapse(absl::Duration ttl) override { absl::SleepFor(ttl + absl::Milliseconds(100)); }
  // Every key of the domain, DUMPed and RESTOREd (tests/support/redis_rollback.h).
  void Remember(absl::string_view domain) override {
    absl::StatusOr<RedisKeySnapshot> snapshot =
        SnapshotKeys(kSharedRedis->server()->port(), absl::StrCat("cr:{", prefix_, domain, "}:*"));
    ASSERT_TRUE(snapshot.ok()) << snapshot.status();
    remembered_[std::string(domain)] = *std::move(snapshot);
  }
  void RollBack(absl::string_view domain) override {
    absl::Status s =
        RollBackKeys(kSharedRedis->server()->port(), remembered_.at(std::string(domain)));
    ASSERT_TRUE(s.ok()) << s;
  }

 private:
  std::string prefix_ = UniqueDomain("contract");
  std::map<std::string, RedisKeySnapshot> remembered_;
};

INSTANTIATE_TEST_SUITE_P(Redis, StateStoreContractTest,
                         ::testing::Values(StateStoreContractParam{
                             "redis", [] { return std::make_unique<RedisBackend>(); }}),
                         [](const auto& info) { return info.param.name; });

// A plain hiredis client for looking at what the store wrote.
class RawRedis {
 public:
  explicit RawRedis(int port) {
    timeval tv{2, 0};
    context_ = redisConnectWithTimeout("127.0.0.1", port, tv);
  }
  ~RawRedis() {
    if (context_ != nullptr) redisFree(context_);
  }
  bool ok() const { return context_ != nullptr && context_->err == 0; }

  struct Deleter {
    void operator()(redisReply* r) const { freeReplyObject(r); }
  };
  using Reply = std::unique_ptr<redisReply, Deleter>;

  Reply Run(const std::vector<std::string>& args) {
    std::vector<const char*> argv;
    std::vector<size_t> lengths;
    for (const std::string& a : args) {
      argv.push_back(a.data());
      lengths.push_back(a.size());
    }
    return Reply(static_cast<redisReply*>(
        redisCommandArgv(context_, static_cast<int>(argv.size()), argv.data(), lengths.data())));
  }

  std::vector<std::string> AllKeys() {
    std::vector<std::string> keys;
    std::string cursor = "0";
    do {
      Reply r = Run({"SCAN", cursor, "COUNT", "1000"});
      if (r == nullptr || r->type != REDIS_REPLY_ARRAY || r->elements != 2) break;
      cursor = std::string(r->element[0]->str, r->element[0]->len);
      for (size_t i = 0; i < r->element[1]->elements; ++i) {
        keys.emplace_back(r->element[1]->element[i]->str, r->element[1]->element[i]->len);
      }
    } while (cursor != "0");
    return keys;
  }

  // "calls" of one command in INFO commandstats (0 when it was never called).
  int64_t Calls(absl::string_view command) {
    Reply r = Run({"INFO", "commandstats"});
    if (r == nullptr || r->type != REDIS_REPLY_STRING) return -1;
    std::string prefix = absl::StrCat("cmdstat_", command, ":calls=");
    for (absl::string_view line : absl::StrSplit(absl::string_view(r->str, r->len), "\r\n")) {
      if (!absl::ConsumePrefix(&line, prefix)) continue;
      int64_t calls = 0;
      if (absl::SimpleAtoi(line.substr(0, line.find(',')), &calls)) return calls;
    }
    return 0;
  }

 private:
  redisContext* context_ = nullptr;
};

class RedisStateStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!kSharedRedis->skip_reason().empty()) GTEST_SKIP() << kSharedRedis->skip_reason();
    port_ = kSharedRedis->server()->port();
  }
  int port_ = 0;
};

// Starts a server of the test's own (to kill or stop it), or skips.
#define START_OWN_REDIS_OR_SKIP(var, options)                                     \
  absl::StatusOr<std::unique_ptr<RedisServer>> var = RedisServer::Start(options); \
  if (absl::IsNotFound(var.status())) GTEST_SKIP() << var.status().message();     \
  ASSERT_TRUE(var.ok()) << var.status()

Batch FullBatch(absl::Time now) {
  Batch b;
  b.now = now;
  b.cases = {SampleCase("c-open"), SampleClosedCase("c-closed", now - absl::Minutes(1))};
  b.agents = {SampleAgent("ana")};
  b.quality = {SampleQuality("ana", "billing")};
  b.relationships = {SampleRelationship("cust-1", "ana")};
  b.events = {Event{now, "submitted", "c-open", "", ""}};
  return b;
}

TEST(RedisStateStoreOutageTest, KilledServerIsUnavailableThenRecoversAfterRestart) {
  RedisServer::Options persistent;
  persistent.appendonly = true;  // the restarted server reads back what was acknowledged
  START_OWN_REDIS_OR_SKIP(redis, persistent);
  std::unique_ptr<RedisStateStore> store = OpenStore((*redis)->port(), "outage");
  absl::StatusOr<int64_t> epoch = store->AcquireLeadership("a", absl::Seconds(30), T0());
  ASSERT_TRUE(epoch.ok()) << epoch.status();
  ASSERT_TRUE(store->Commit(FullBatch(T0()), *epoch).ok());

  (*redis)->Kill();
  // Every call fails cleanly with UNAVAILABLE: no crash (SIGPIPE), no hang.
  EXPECT_EQ(store->Commit(FullBatch(T0()), *epoch).code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(store->Load(T0()).status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(store->Ping().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(store->AcquireLeadership("a", absl::Seconds(30), T0()).status().code(),
            absl::StatusCode::kUnavailable);
  EXPECT_EQ(store->RenewLeadership("a", *epoch, absl::Seconds(30), T0()).code(),
            absl::StatusCode::kUnavailable);
  EXPECT_EQ(store->ReleaseLeadership("a").code(), absl::StatusCode::kUnavailable);
  absl::Status down = store->Ping();
  EXPECT_TRUE(absl::StrContains(down.message(), absl::StrCat((*redis)->port()))) << down;

  ASSERT_TRUE((*redis)->Restart().ok());
  // The same store object reconnects on its next call.
  EXPECT_TRUE(store->Ping().ok());
  absl::StatusOr<StoredState> state = store->Load(T0());
  ASSERT_TRUE(state.ok()) << state.status();
  EXPECT_EQ(state->cases.size(), 2u);
  EXPECT_EQ(state->agents.size(), 1u);
  // The epoch survived too, so the leader's next batch is accepted.
  Batch next;
  next.now = T0();
  next.agents = {SampleAgent("bob")};
  EXPECT_TRUE(store->Commit(next, *epoch).ok());
}

TEST(RedisStateStoreOutageTest, ConnectWhileRedisIsDownGivesALazyStore) {
  START_OWN_REDIS_OR_SKIP(redis, RedisServer::Options());
  (*redis)->Kill();
  std::unique_ptr<RedisStateStore> store = OpenStore((*redis)->port(), "lazy");
  ASSERT_NE(store, nullptr);  // Connect does not need Redis
  EXPECT_EQ(store->Ping().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(store->Load(T0()).status().code(), absl::StatusCode::kUnavailable);
  ASSERT_TRUE((*redis)->Restart().ok());
  EXPECT_TRUE(store->Ping().ok());
  EXPECT_TRUE(store->AcquireLeadership("a", absl::Seconds(1), T0()).ok());
}

TEST(RedisStateStoreOutageTest, UnresponsiveServerTimesOutThenRecovers) {
  START_OWN_REDIS_OR_SKIP(redis, RedisServer::Options());
  std::unique_ptr<RedisStateStore> store = OpenStore((*redis)->port(), "stopped");
  ASSERT_TRUE(store->Ping().ok());
  ASSERT_EQ(kill((*redis)->pid(), SIGSTOP), 0);
  absl::Time start = absl::Now();
  absl::Status status = store->Ping();
  absl::Duration took = absl::Now() - start;
  ASSERT_EQ(kill((*redis)->pid(), SIGCONT), 0);
  EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable) << status;
  EXPECT_LT(took, absl::Seconds(3));  // command_timeout is 500 ms
  EXPECT_TRUE(store->Ping().ok());
}

TEST(RedisStateStoreOutageTest, PasswordIsSentAndAWrongOneIsUnavailable) {
  RedisServer::Options options;
  options.extra_args = {"--requirepass", "s3cret-pw"};
  START_OWN_REDIS_OR_SKIP(redis, options);
  std::unique_ptr<RedisStateStore> good = OpenStore((*redis)->port(), "auth", "s3cret-pw");
  EXPECT_TRUE(good->Ping().ok());
  EXPECT_TRUE(good->AcquireLeadership("a", absl::Seconds(5), T0()).ok());

  std::unique_ptr<RedisStateStore> bad = OpenStore((*redis)->port(), "auth", "wrong-pw");
  absl::Status status = bad->Ping();
  EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable) << status;
  EXPECT_FALSE(absl::StrContains(status.message(), "wrong-pw")) << status;
  std::unique_ptr<RedisStateStore> none = OpenStore((*redis)->port(), "auth");
  EXPECT_EQ(none->Load(T0()).status().code(), absl::StatusCode::kUnavailable);
}

TEST(RedisStateStoreOptionsTest, BadOptionsAreInvalidArgument) {
  RedisOptions options;
  EXPECT_EQ(RedisStateStore::Connect(options).status().code(),
            absl::StatusCode::kInvalidArgument);  // no domain
  options.domain = "d";
  options.port = 0;
  EXPECT_EQ(RedisStateStore::Connect(options).status().code(), absl::StatusCode::kInvalidArgument);
  options.port = 6379;
  options.command_timeout = absl::ZeroDuration();
  EXPECT_EQ(RedisStateStore::Connect(options).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(RedisStateStoreTest, AllKeysOfADomainShareItsHashTag) {
  const std::string domain = UniqueDomain("eu:{west}");
  std::unique_ptr<RedisStateStore> store = OpenStore(port_, domain);
  const std::string prefix = store->key_prefix();
  EXPECT_TRUE(absl::StartsWith(prefix, "cr:{eu%3A%7Bwest%7D-")) << prefix;

  absl::StatusOr<int64_t> epoch = store->AcquireLeadership("a", absl::Seconds(30), T0());
  ASSERT_TRUE(epoch.ok()) << epoch.status();
  Batch b = FullBatch(T0());
  b.quality.push_back(SampleQuality("odd:agent}", "top{ic"));
  ASSERT_TRUE(store->Commit(b, *epoch).ok());

  RawRedis raw(port_);
  ASSERT_TRUE(raw.ok());
  std::vector<std::string> mine;
  for (const std::string& key : raw.AllKeys()) {
    if (absl::StartsWith(key, prefix)) mine.push_back(key);
  }
  // The hash tag is what lies between the first '{' and the next '}': the escaped domain.
  const std::string tag = prefix.substr(4, prefix.size() - 6);  // "cr:{" tag "}:"
  for (const std::string& key : mine) {
    size_t open = key.find('{');
    size_t close = key.find('}', open + 1);
    ASSERT_NE(close, std::string::npos) << key;
    EXPECT_EQ(key.substr(open + 1, close - open - 1), tag) << key;
  }
  std::vector<std::string> expected = {"case:c-open",
                                       "case:c-closed",
                                       "open",
                                       "closed",
                                       "agent:ana",
                                       "agents",
                                       "stats:ana:billing",
                                       "stats",
                                       "rel:cust-1:ana",
                                       "rels",
                                       "events",
                                       "lease",
                                       "epoch",
                                       "stats:odd%3Aagent%7D:top%7Bic"};
  for (const std::string& suffix : expected) {
    EXPECT_NE(std::find(mine.begin(), mine.end(), prefix + suffix), mine.end()) << suffix;
  }
  EXPECT_EQ(mine.size(), expected.size());
}

TEST_F(RedisStateStoreTest, ClosedCaseKeyExpiresAndOpenOneDoesNot) {
  std::unique_ptr<RedisStateStore> store = OpenStore(port_, UniqueDomain("ttl"));
  absl::StatusOr<int64_t> epoch = store->AcquireLeadership("a", absl::Seconds(30), T0());
  ASSERT_TRUE(epoch.ok());
  Batch b;
  b.now = T0();
  b.closed_retention = absl::Hours(1);
  b.cases = {SampleCase("open"), SampleClosedCase("closed", T0() - absl::Minutes(10))};
  ASSERT_TRUE(store->Commit(b, *epoch).ok());

  RawRedis raw(port_);
  ASSERT_TRUE(raw.ok());
  RawRedis::Reply open_ttl = raw.Run({"PTTL", store->key_prefix() + "case:open"});
  RawRedis::Reply closed_ttl = raw.Run({"PTTL", store->key_prefix() + "case:closed"});
  ASSERT_NE(open_ttl, nullptr);
  ASSERT_NE(closed_ttl, nullptr);
  EXPECT_EQ(open_ttl->integer, -1);  // no expiry
  // What is left of the hour after closing 10 minutes before batch.now: 50 minutes.
  EXPECT_GT(closed_ttl->integer, absl::ToInt64Milliseconds(absl::Minutes(49)));
  EXPECT_LE(closed_ttl->integer, absl::ToInt64Milliseconds(absl::Minutes(50)));
  RawRedis::Reply score = raw.Run({"ZSCORE", store->key_prefix() + "closed", "closed"});
  ASSERT_NE(score, nullptr);
  ASSERT_EQ(score->type, REDIS_REPLY_STRING);
  EXPECT_EQ(std::string(score->str, score->len),
            absl::StrCat(absl::ToUnixMillis(T0() - absl::Minutes(10))));

  // Reopened (cannot happen in the engine, but the store must stay consistent): no expiry.
  b.cases = {SampleCase("closed")};
  ASSERT_TRUE(store->Commit(b, *epoch).ok());
  EXPECT_EQ(raw.Run({"PTTL", store->key_prefix() + "case:closed"})->integer, -1);
  EXPECT_EQ(raw.Run({"ZSCORE", store->key_prefix() + "closed", "closed"})->type, REDIS_REPLY_NIL);
}

TEST_F(RedisStateStoreTest, OneCommitIsOneRoundTrip) {
  std::unique_ptr<RedisStateStore> store = OpenStore(port_, UniqueDomain("trips"));
  ASSERT_TRUE(store->Ping().ok());  // connected, scripts loaded
  absl::StatusOr<int64_t> epoch = store->AcquireLeadership("a", absl::Seconds(30), T0());
  ASSERT_TRUE(epoch.ok());
  RawRedis raw(port_);
  ASSERT_TRUE(raw.ok());

  Batch b = FullBatch(T0());
  for (int i = 0; i < 50; ++i) b.cases.push_back(SampleCase(absl::StrCat("bulk-", i)));
  Case long_case = SampleCase("long");  // more fields than one HSET carries
  for (int i = 0; i < 700; ++i) long_case.messages.push_back(absl::StrCat("message ", i));
  b.cases.push_back(long_case);
  const int64_t evalsha_before = raw.Calls("evalsha");
  const int64_t eval_before = raw.Calls("eval");
  ASSERT_TRUE(store->Commit(b, *epoch).ok());
  const int64_t scripts = raw.Calls("evalsha") - evalsha_before + raw.Calls("eval") - eval_before;
  EXPECT_EQ(scripts, 1);

  absl::StatusOr<StoredState> state = store->Load(T0());
  ASSERT_TRUE(state.ok()) << state.status();
  EXPECT_EQ(state->cases.size(), 53u);
  for (const Case& c : state->cases) {
    if (c.id == "long") {
      EXPECT_EQ(c.messages.size(), long_case.messages.size());
    }
  }
}

TEST_F(RedisStateStoreTest, LoadReadsEachRecordOnceInIdOrder) {
  std::unique_ptr<RedisStateStore> store = OpenStore(port_, UniqueDomain("order"));
  absl::StatusOr<int64_t> epoch = store->AcquireLeadership("a", absl::Seconds(30), T0());
  ASSERT_TRUE(epoch.ok());
  RawRedis raw(port_);
  ASSERT_TRUE(raw.ok());
  // Open and closed cases interleaved by id, committed in reverse order (a set's members
  // come back in hash order anyway).
  Batch b;
  b.now = T0();
  const int kCases = 2500;
  for (int i = kCases - 1; i >= 0; --i) {
    std::string id = absl::StrFormat("c%08d", i);
    b.cases.push_back(i % 7 == 0 ? SampleClosedCase(id, T0() - absl::Minutes(1)) : SampleCase(id));
  }
  b.agents = {SampleAgent("zoe"), SampleAgent("ana"), SampleAgent("max")};
  ASSERT_TRUE(store->Commit(b, *epoch).ok());

  const int64_t hgetall_before = raw.Calls("hgetall");
  absl::StatusOr<StoredState> state = store->Load(T0());
  ASSERT_TRUE(state.ok()) << state.status();
  EXPECT_EQ(raw.Calls("hgetall") - hgetall_before, kCases + 3);
  ASSERT_EQ(state->cases.size(), static_cast<size_t>(kCases));
  for (int i = 0; i < kCases; ++i) {
    ASSERT_EQ(state->cases[i].id, absl::StrFormat("c%08d", i)) << i;
  }
  ASSERT_EQ(state->agents.size(), 3u);
  EXPECT_EQ(state->agents[0].id, "ana");
  EXPECT_EQ(state->agents[2].id, "zoe");
}

TEST_F(RedisStateStoreTest, PingAndTheLeaseAnswerWhileALoadHoldsTheDataConnection) {
  std::unique_ptr<RedisStateStore> store = OpenStore(port_, UniqueDomain("busy"));
  absl::StatusOr<int64_t> epoch = store->AcquireLeadership("a", absl::Seconds(30), T0());
  ASSERT_TRUE(epoch.ok());
  Batch b;
  b.now = T0();
  for (int i = 0; i < 1500; ++i) b.cases.push_back(SampleCase(absl::StrCat("c-", i)));
  ASSERT_TRUE(store->Commit(b, *epoch).ok());
  int pings = 0;
  absl::StatusOr<StoredState> state = store->Load(T0(), [&](size_t, size_t) {
    if (absl::Status s = store->Ping(); !s.ok()) return s;
    ++pings;
    return store->RenewLeadership("a", *epoch, absl::Seconds(30), T0());
  });
  ASSERT_TRUE(state.ok()) << state.status();
  EXPECT_EQ(state->cases.size(), 1500u);
  EXPECT_GE(pings, 3);
}

TEST_F(RedisStateStoreTest, CommitSurvivesAFlushedScriptCache) {
  std::unique_ptr<RedisStateStore> store = OpenStore(port_, UniqueDomain("noscript"));
  absl::StatusOr<int64_t> epoch = store->AcquireLeadership("a", absl::Seconds(30), T0());
  ASSERT_TRUE(epoch.ok());
  RawRedis raw(port_);
  ASSERT_TRUE(raw.ok());
  ASSERT_NE(raw.Run({"SCRIPT", "FLUSH"}), nullptr);
  ASSERT_TRUE(store->Commit(FullBatch(T0()), *epoch).ok());
  ASSERT_NE(raw.Run({"SCRIPT", "FLUSH"}), nullptr);
  EXPECT_TRUE(store->RenewLeadership("a", *epoch, absl::Seconds(30), T0()).ok());
  absl::StatusOr<StoredState> state = store->Load(T0());
  ASSERT_TRUE(state.ok()) << state.status();
  EXPECT_EQ(state->cases.size(), 2u);
}

TEST_F(RedisStateStoreTest, CorruptRecordIsDataLossNamingKeyAndFieldButNotValue) {
  std::unique_ptr<RedisStateStore> store = OpenStore(port_, UniqueDomain("corrupt"));
  absl::StatusOr<int64_t> epoch = store->AcquireLeadership("a", absl::Seconds(30), T0());
  ASSERT_TRUE(epoch.ok());
  ASSERT_TRUE(store->Commit(FullBatch(T0()), *epoch).ok());
  RawRedis raw(port_);
  ASSERT_TRUE(raw.ok());
  const std::string key = store->key_prefix() + "case:c-open";
  ASSERT_NE(raw.Run({"HSET", key, "created_time", "my card is 4111"}), nullptr);

  absl::Status status = store->Load(T0()).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kDataLoss) << status;
  EXPECT_TRUE(absl::StrContains(status.message(), key)) << status;
  EXPECT_TRUE(absl::StrContains(status.message(), "'created_time'")) << status;
  EXPECT_FALSE(absl::StrContains(status.message(), "4111")) << status;
  // The connection is still good: DATA_LOSS is about the data, not the link.
  EXPECT_TRUE(store->Ping().ok());
}

TEST_F(RedisStateStoreTest, MissingOpenCaseIsDataLossButAnExpiredClosedOneIsNot) {
  std::unique_ptr<RedisStateStore> store = OpenStore(port_, UniqueDomain("missing"));
  absl::StatusOr<int64_t> epoch = store->AcquireLeadership("a", absl::Seconds(30), T0());
  ASSERT_TRUE(epoch.ok());
  ASSERT_TRUE(store->Commit(FullBatch(T0()), *epoch).ok());
  RawRedis raw(port_);
  ASSERT_TRUE(raw.ok());
  // A closed case hash that expired before the next commit pruned its index entry.
  ASSERT_NE(raw.Run({"DEL", store->key_prefix() + "case:c-closed"}), nullptr);
  absl::StatusOr<StoredState> state = store->Load(T0());
  ASSERT_TRUE(state.ok()) << state.status();
  ASSERT_EQ(state->cases.size(), 1u);
  EXPECT_EQ(state->cases[0].id, "c-open");

  ASSERT_NE(raw.Run({"DEL", store->key_prefix() + "case:c-open"}), nullptr);
  EXPECT_EQ(store->Load(T0()).status().code(), absl::StatusCode::kDataLoss);
}

TEST_F(RedisStateStoreTest, KeysWrittenByOthersWithWrongTypesAreAnErrorNotACrash) {
  std::unique_ptr<RedisStateStore> store = OpenStore(port_, UniqueDomain("wrongtype"));
  absl::StatusOr<int64_t> epoch = store->AcquireLeadership("a", absl::Seconds(30), T0());
  ASSERT_TRUE(epoch.ok());
  RawRedis raw(port_);
  ASSERT_TRUE(raw.ok());
  ASSERT_NE(raw.Run({"SET", store->key_prefix() + "open", "not a set"}), nullptr);
  EXPECT_FALSE(store->Commit(FullBatch(T0()), *epoch).ok());
  EXPECT_FALSE(store->Load(T0()).ok());
  EXPECT_TRUE(store->Ping().ok());
}

}  // namespace
}  // namespace caserouter
