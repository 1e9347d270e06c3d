// Recovery that converges: a new leader keeps its lease while it loads a domain that takes
// longer to load than the lease lasts, and a replica that lost the lease during its load does
// not serve. The engine runs on the in-memory store with a fake clock (deterministic: the
// load's slowness is the clock moving at each of its chunks) and on a real redis-server with
// the real clock (the slowness is a sleep at each chunk, short against the lease's margins).
#include <algorithm>
#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "router/engine/engine.h"
#include "router/engine/engine_test_support.h"
#include "router/model/clock.h"
#include "router/store/memory_state_store.h"
#include "router/store/redis_state_store.h"
#include "tests/support/redis_server.h"

namespace caserouter {
namespace {

// A StateStore that forwards to another, counts what a leader asks of it, and runs `on_chunk`
// at every progress report of a Load (before the caller's own callback), so that a test can
// make the load slow or act while it runs.
class ObservedStore : public StateStore {
 public:
  explicit ObservedStore(StateStore* inner) : inner_(inner) {}

  absl::StatusOr<int64_t> AcquireLeadership(absl::string_view owner, absl::Duration ttl,
                                            absl::Time now) override {
    ++acquires;
    return inner_->AcquireLeadership(owner, ttl, now);
  }
  absl::Status RenewLeadership(absl::string_view owner, int64_t epoch, absl::Duration ttl,
                               absl::Time now) override {
    absl::Status s = inner_->RenewLeadership(owner, epoch, ttl, now);
    if (s.ok()) ++renewals;
    return s;
  }
  absl::Status ReleaseLeadership(absl::string_view owner) override {
    return inner_->ReleaseLeadership(owner);
  }
  absl::Status Commit(const Batch& batch, int64_t epoch) override {
    absl::Status s = inner_->Commit(batch, epoch);
    s.ok() ? ++commits : ++refused_commits;
    return s;
  }
  using StateStore::Load;
  absl::StatusOr<StoredState> Load(absl::Time now, const LoadProgress& progress) override {
    ++loads;
    return inner_->Load(now, [&](size_t read, size_t total) {
      ++chunks;
      if (on_chunk) on_chunk(chunks);
      return progress ? progress(read, total) : absl::OkStatus();
    });
  }

  std::function<void(int chunk)> on_chunk;
  int acquires = 0, renewals = 0, commits = 0, refused_commits = 0, loads = 0, chunks = 0;

 private:
  StateStore* const inner_;
};

// Notes whether the engine ever started serving.
class LeadershipObserver : public EngineObserver {
 public:
  void Leadership(bool leader) override {
    if (leader) ++times_led;
  }
  int times_led = 0;
};

constexpr int kCases = static_cast<int>(5 * kLoadChunkRecords);  // 6+ progress reports a load

std::string CaseIdAt(int i) { return absl::StrFormat("c%08d", i + 1); }

// `cases` queued cases and two agents, stored by a leader that then gave the lease up.
absl::Status Populate(StateStore& store, absl::Time now) {
  absl::StatusOr<int64_t> epoch = store.AcquireLeadership("populator", absl::Minutes(10), now);
  if (!epoch.ok()) return epoch.status();
  Batch batch;
  batch.now = now;
  for (int i = 0; i < kCases; ++i) {
    Case c;
    c.id = CaseIdAt(i);
    c.spec = Spec(Channel::kEmail, absl::StrCat("k", i));
    c.created_time = c.enqueued_time = now - absl::Minutes(1);
    batch.cases.push_back(std::move(c));
  }
  for (const char* id : {"ana", "bob"}) {
    Agent a;
    a.id = id;
    a.skills = {{"billing", 5}};
    a.languages = {"en"};
    batch.agents.push_back(a);
  }
  if (absl::Status s = store.Commit(batch, *epoch); !s.ok()) return s;
  return store.ReleaseLeadership("populator");
}

// Asks for a case, ticks once, and returns the answer.
absl::StatusOr<CaseView> GetCaseInOneTick(Engine& engine, const std::string& id) {
  Answer<CaseView> answer;
  engine.GetCase(id, answer.Sink());
  engine.Tick();
  if (!answer.has_value()) return absl::InternalError("no answer in one tick");
  return answer.get();
}

// --- In memory, on a fake clock ---

class MemoryRecoveryTest : public testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(Populate(memory_, clock_.Now()).ok());
    config_.lease_ttl = kTtl;
  }

  static constexpr absl::Duration kTtl = absl::Seconds(5);
  FakeClock clock_;
  MemoryStateStore memory_;
  ObservedStore store_{&memory_};
  LeadershipObserver observer_;
  EngineConfig config_;
};

TEST_F(MemoryRecoveryTest, ALoadLongerThanTheLeaseKeepsItAndConvergesAtOnce) {
  // Each chunk of the load takes 40 % of the lease: the whole load lasts about 2.4 leases.
  store_.on_chunk = [&](int) { clock_.Advance(kTtl * 2 / 5); };
  Engine engine(config_, &store_, &clock_, &observer_, "replica-a");
  absl::StatusOr<CaseView> first = GetCaseInOneTick(engine, CaseIdAt(kCases - 1));
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_TRUE(engine.IsServing());
  EXPECT_GE(store_.chunks, 6);
  // A renewal whenever a third of the lease had passed, i.e. at every chunk after the first.
  EXPECT_GE(store_.renewals, store_.chunks - 1);

  // It stays the leader: no step-down, no second load, its commits accepted.
  store_.on_chunk = nullptr;
  for (int i = 0; i < 30; ++i) {
    clock_.Advance(absl::Milliseconds(500));
    absl::StatusOr<CaseView> again = GetCaseInOneTick(engine, CaseIdAt(i));
    ASSERT_TRUE(again.ok()) << "tick " << i << ": " << again.status();
  }
  EXPECT_EQ(store_.loads, 1);
  EXPECT_EQ(observer_.times_led, 1);
  EXPECT_EQ(store_.refused_commits, 0);
  // And it holds the lease: another replica cannot take it.
  std::unique_ptr<MemoryStateStore> other = memory_.NewHandle();
  EXPECT_EQ(other->AcquireLeadership("replica-b", kTtl, clock_.Now()).status().code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST_F(MemoryRecoveryTest, AReplicaThatLosesTheLeaseWhileLoadingDoesNotServe) {
  std::unique_ptr<MemoryStateStore> other = memory_.NewHandle();
  absl::StatusOr<int64_t> usurper;
  // At the third chunk the load stalls past the lease, and replica-b takes it meanwhile.
  store_.on_chunk = [&](int chunk) {
    if (chunk != 3) return;
    clock_.Advance(kTtl + absl::Seconds(1));
    usurper = other->AcquireLeadership("replica-b", kTtl, clock_.Now());
  };
  Engine engine(config_, &store_, &clock_, &observer_, "replica-a");
  absl::StatusOr<CaseView> answer = GetCaseInOneTick(engine, CaseIdAt(0));
  ASSERT_TRUE(usurper.ok()) << usurper.status();
  EXPECT_EQ(answer.status().code(), absl::StatusCode::kUnavailable) << answer.status();
  EXPECT_FALSE(engine.IsServing());
  EXPECT_EQ(observer_.times_led, 0);
  EXPECT_EQ(store_.chunks, 3);  // it stopped at the renewal right after the stall
  EXPECT_EQ(store_.commits, 0);
  // replica-b commits at the epoch it took.
  Batch batch;
  batch.now = clock_.Now();
  batch.agents = {Agent{}};
  batch.agents[0].id = "carl";
  EXPECT_TRUE(other->Commit(batch, *usurper).ok());
}

TEST_F(MemoryRecoveryTest, ALeaseThatLapsedWhileNobodyTookItIsTakenBackWithoutAReload) {
  // One chunk stalls past the whole lease; no other replica is there to take it.
  store_.on_chunk = [&](int chunk) {
    if (chunk == 2) clock_.Advance(kTtl * 2);
  };
  Engine engine(config_, &store_, &clock_, &observer_, "replica-a");
  absl::StatusOr<CaseView> first = GetCaseInOneTick(engine, CaseIdAt(0));
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(store_.loads, 1);
  EXPECT_EQ(store_.acquires, 1);  // taken, lapsed, taken back by a renewal at its epoch

  // The same after it serves: a tick that stalls past the lease costs no reload.
  store_.on_chunk = nullptr;
  clock_.Advance(kTtl * 3);
  absl::StatusOr<CaseView> later = GetCaseInOneTick(engine, CaseIdAt(1));
  ASSERT_TRUE(later.ok()) << later.status();
  EXPECT_EQ(store_.loads, 1);
  EXPECT_EQ(observer_.times_led, 1);
  EXPECT_EQ(store_.refused_commits, 0);
}

TEST_F(MemoryRecoveryTest, AStalledLeaderWhoseLeaseWasTakenStillStepsDown) {
  Engine engine(config_, &store_, &clock_, &observer_, "replica-a");
  ASSERT_TRUE(GetCaseInOneTick(engine, CaseIdAt(0)).ok());
  clock_.Advance(kTtl * 2);
  std::unique_ptr<MemoryStateStore> other = memory_.NewHandle();
  ASSERT_TRUE(other->AcquireLeadership("replica-b", kTtl, clock_.Now()).ok());
  ASSERT_TRUE(other->ReleaseLeadership("replica-b").ok());  // and even gave it up again
  // The lease is free, but another replica led in between: replica-a's state may be stale.
  absl::StatusOr<CaseView> answer = GetCaseInOneTick(engine, CaseIdAt(0));
  EXPECT_EQ(answer.status().code(), absl::StatusCode::kUnavailable) << answer.status();
  EXPECT_FALSE(engine.IsServing());
  // It leads again after a fresh load.
  ASSERT_TRUE(GetCaseInOneTick(engine, CaseIdAt(0)).ok());
  EXPECT_EQ(store_.loads, 2);
}

// --- On a real redis-server, on the real clock ---

class RedisRecoveryTest : public testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<std::unique_ptr<RedisServer>> server = RedisServer::Start();
    if (absl::IsNotFound(server.status())) GTEST_SKIP() << server.status().message();
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    redis_ = Open();
    ASSERT_TRUE(Populate(*redis_, absl::Now()).ok());
  }

  std::unique_ptr<RedisStateStore> Open() {
    RedisOptions options;
    options.port = server_->port();
    options.domain = "recovery";
    absl::StatusOr<std::unique_ptr<RedisStateStore>> store = RedisStateStore::Connect(options);
    EXPECT_TRUE(store.ok()) << store.status();
    return store.ok() ? *std::move(store) : nullptr;
  }

  std::unique_ptr<RedisServer> server_;
  std::unique_ptr<RedisStateStore> redis_;
  RealClock clock_;
  LeadershipObserver observer_;
};

TEST_F(RedisRecoveryTest, ALoadLongerThanTheLeaseKeepsIt) {
  // A 2 s lease and chunks of 500 ms: the load lasts about 3.5 s, and every renewal comes
  // within 0.5 s (plus a chunk's own time) of the last, far inside the lease.
  EngineConfig config;
  config.domain = "recovery";
  config.lease_ttl = absl::Seconds(2);
  ObservedStore store(redis_.get());
  store.on_chunk = [](int) { absl::SleepFor(absl::Milliseconds(500)); };
  Engine engine(config, &store, &clock_, &observer_, "replica-a");
  absl::StatusOr<CaseView> first = GetCaseInOneTick(engine, CaseIdAt(kCases - 1));
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->record.id, CaseIdAt(kCases - 1));
  EXPECT_GE(store.chunks, 6);
  EXPECT_GE(store.renewals, 3);
  EXPECT_EQ(store.acquires, 1);  // never lapsed
  store.on_chunk = nullptr;
  ASSERT_TRUE(GetCaseInOneTick(engine, CaseIdAt(0)).ok());
  EXPECT_EQ(store.loads, 1);
  EXPECT_EQ(store.refused_commits, 0);
  std::unique_ptr<RedisStateStore> other = Open();
  EXPECT_EQ(other->AcquireLeadership("replica-b", config.lease_ttl, absl::Now()).status().code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST_F(RedisRecoveryTest, AReplicaThatLosesTheLeaseWhileLoadingDoesNotServe) {
  EngineConfig config;
  config.domain = "recovery";
  config.lease_ttl = absl::Milliseconds(300);
  std::unique_ptr<RedisStateStore> other = Open();
  absl::StatusOr<int64_t> usurper;
  ObservedStore store(redis_.get());
  // At the second chunk the load stalls until the lease has lapsed on the server, and
  // replica-b takes it.
  store.on_chunk = [&](int chunk) {
    if (chunk != 2) return;
    absl::SleepFor(config.lease_ttl + absl::Milliseconds(200));
    usurper = other->AcquireLeadership("replica-b", absl::Seconds(30), absl::Now());
  };
  Engine engine(config, &store, &clock_, &observer_, "replica-a");
  absl::StatusOr<CaseView> answer = GetCaseInOneTick(engine, CaseIdAt(0));
  ASSERT_TRUE(usurper.ok()) << usurper.status();
  EXPECT_EQ(answer.status().code(), absl::StatusCode::kUnavailable) << answer.status();
  EXPECT_FALSE(engine.IsServing());
  EXPECT_EQ(observer_.times_led, 0);
  EXPECT_EQ(store.chunks, 2);  // it stopped at the renewal right after the stall
  EXPECT_EQ(store.commits, 0);
  // A batch at another epoch (as replica-a's is) is refused; replica-b's is not.
  Batch batch;
  batch.now = absl::Now();
  batch.agents = {Agent{}};
  batch.agents[0].id = "carl";
  EXPECT_EQ(redis_->Commit(batch, *usurper - 1).code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(other->Commit(batch, *usurper).ok());
}

}  // namespace
}  // namespace caserouter
