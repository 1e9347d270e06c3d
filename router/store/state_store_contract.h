// The StateStore contract: value-parameterized tests every StateStore implementation must pass.
//
// A test binary instantiates the suite with a backend factory for its implementation:
//
//   class MyBackend : public StateStoreContractBackend { ... };
//   INSTANTIATE_TEST_SUITE_P(Memory, StateStoreContractTest,
//       ::testing::Values(StateStoreContractParam{
//           "memory", [] { return std::make_unique<MyBackend>(); }}),
//       [](const auto& info) { return info.param.name; });
//
// The tests are written against the StateStore interface only, with an injected `now`. A store
// whose lease expires on a server clock (Redis PX) rather than on `now` makes the lapse real
// in LetLeaseLapse; the tests always advance `now` past the lease as well, so both kinds of
// store see the lease as lapsed.
//
// Thread safety: test code, single-threaded.
#ifndef CASEROUTER_ROUTER_STORE_STATE_STORE_CONTRACT_H_
#define CASEROUTER_ROUTER_STORE_STATE_STORE_CONTRACT_H_

#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "router/store/state_store.h"
#include "router/store/test_records.h"

namespace caserouter {

// What one test needs from an implementation. One backend is made per test; it outlives every
// store it opened.
class StateStoreContractBackend {
 public:
  virtual ~StateStoreContractBackend() = default;
  // Non-empty: the implementation cannot run here (e.g. no redis-server); the test is skipped
  // with this reason.
  virtual std::string SkipReason() { return ""; }
  // A new handle (connection) on routing domain `domain` of this backend, initially empty.
  // Handles opened with the same name see the same data, as two replicas of one domain do.
  virtual std::unique_ptr<StateStore> Open(absl::string_view domain) = 0;
  // Called after a lease of `ttl` was taken, before the test acts at a `now` past its expiry.
  virtual void LetLeaseLapse(absl::Duration /*ttl*/) {}
  // A store that loses its latest writes: Remember notes everything domain `domain` holds now;
  // RollBack makes the domain hold exactly that again (records, lease and epoch), as a Redis
  // that restarted from an older append-only file would.
  virtual void Remember(absl::string_view domain) = 0;
  virtual void RollBack(absl::string_view domain) = 0;
};

struct StateStoreContractParam {
  std::string name;  // test name suffix: [A-Za-z0-9_]
  std::function<std::unique_ptr<StateStoreContractBackend>()> make_backend;
};

// So that gtest names the parameter ("redis") instead of dumping its bytes.
inline void PrintTo(const StateStoreContractParam& param, std::ostream* os) { *os << param.name; }

class StateStoreContractTest : public ::testing::TestWithParam<StateStoreContractParam> {
 protected:
  // A lease short enough for a real server clock to let it lapse within a test.
  static constexpr absl::Duration kShortTtl = absl::Milliseconds(150);
  static constexpr absl::Duration kLongTtl = absl::Seconds(60);

  void SetUp() override {
    backend_ = GetParam().make_backend();
    ASSERT_NE(backend_, nullptr);
    std::string skip = backend_->SkipReason();
    if (!skip.empty()) GTEST_SKIP() << skip;
    store_ = backend_->Open("d");
    ASSERT_NE(store_, nullptr);
  }

  static absl::Time T0() { return testing_records::T0(); }

  // Takes the lease for `owner` on `store` with a long ttl and returns the epoch.
  static int64_t Lead(StateStore& store, absl::string_view owner = "replica-a",
                      absl::Time now = T0()) {
    absl::StatusOr<int64_t> epoch = store.AcquireLeadership(owner, kLongTtl, now);
    EXPECT_TRUE(epoch.ok()) << epoch.status();
    return epoch.ok() ? *epoch : -1;
  }

  static StoredState MustLoad(StateStore& store, absl::Time now = T0()) {
    absl::StatusOr<StoredState> state = store.Load(now);
    EXPECT_TRUE(state.ok()) << state.status();
    return state.ok() ? *std::move(state) : StoredState{};
  }

  static const Case* FindCase(const StoredState& s, absl::string_view id) {
    for (const Case& c : s.cases) {
      if (c.id == id) return &c;
    }
    return nullptr;
  }
  static const Agent* FindAgent(const StoredState& s, absl::string_view id) {
    for (const Agent& a : s.agents) {
      if (a.id == id) return &a;
    }
    return nullptr;
  }

  static Batch BatchAt(absl::Time now) {
    Batch b;
    b.now = now;
    return b;
  }

  std::unique_ptr<StateStoreContractBackend> backend_;
  std::unique_ptr<StateStore> store_;
};

// --- Round trips ---

TEST_P(StateStoreContractTest, NewDomainLoadsEmpty) {
  StoredState s = MustLoad(*store_);
  EXPECT_TRUE(s.cases.empty());
  EXPECT_TRUE(s.agents.empty());
  EXPECT_TRUE(s.quality.empty());
  EXPECT_TRUE(s.relationships.empty());
}

TEST_P(StateStoreContractTest, CommitThenLoadRoundTripsEveryRecordKind) {
  using namespace testing_records;
  int64_t epoch = Lead(*store_);
  Batch b = BatchAt(T0());
  Case open = SampleCase("c-open");
  open.spec.subject = HostileText();
  Case closed = SampleClosedCase("c-closed", T0() - absl::Minutes(10));
  Case bare;  // every field at its default, including empty customer text
  bare.id = "c-bare";
  b.cases = {open, closed, bare};
  Agent bare_agent;
  bare_agent.id = "bare";
  b.agents = {SampleAgent("ana"), bare_agent};
  b.quality = {SampleQuality("ana", "billing"), SampleQuality("ana", "outage")};
  b.relationships = {SampleRelationship("cust-1", "ana"), SampleRelationship("cust-2", "ana")};
  b.events = {Event{T0(), "submitted", "c-open", "", ""}};
  ASSERT_TRUE(store_->Commit(b, epoch).ok());

  // Read back through a fresh handle, as a new leader would.
  std::unique_ptr<StateStore> other = backend_->Open("d");
  StoredState s = MustLoad(*other);
  ASSERT_EQ(s.cases.size(), 3u);
  for (const Case& want : b.cases) {
    const Case* got = FindCase(s, want.id);
    ASSERT_NE(got, nullptr) << want.id;
    EXPECT_TRUE(CaseEquals(*got, want)) << want.id;
  }
  ASSERT_EQ(s.agents.size(), 2u);
  for (const Agent& want : b.agents) {
    const Agent* got = FindAgent(s, want.id);
    ASSERT_NE(got, nullptr) << want.id;
    EXPECT_TRUE(AgentEquals(*got, want)) << want.id;
  }
  ASSERT_EQ(s.quality.size(), 2u);
  for (const QualityRecord& want : b.quality) {
    bool found = false;
    for (const QualityRecord& got : s.quality) {
      if (got.agent_id == want.agent_id && got.topic == want.topic) {
        found = true;
        EXPECT_TRUE(QualityEquals(got, want));
      }
    }
    EXPECT_TRUE(found) << want.agent_id << "/" << want.topic;
  }
  ASSERT_EQ(s.relationships.size(), 2u);
  for (const Relationship& want : b.relationships) {
    bool found = false;
    for (const Relationship& got : s.relationships) {
      if (got.customer_id == want.customer_id && got.agent_id == want.agent_id) {
        found = true;
        EXPECT_TRUE(RelationshipEquals(got, want));
      }
    }
    EXPECT_TRUE(found) << want.customer_id << "/" << want.agent_id;
  }
}

TEST_P(StateStoreContractTest, UpsertReplacesTheWholeRecord) {
  using namespace testing_records;
  int64_t epoch = Lead(*store_);
  Batch b = BatchAt(T0());
  b.cases = {SampleCase("c-1")};  // four messages
  b.quality = {SampleQuality("ana", "billing")};
  b.relationships = {SampleRelationship("cust-1", "ana")};
  ASSERT_TRUE(store_->Commit(b, epoch).ok());

  Case fewer = SampleCase("c-1");
  fewer.messages = {"only one"};
  fewer.declined_by.clear();
  fewer.spec.subject = "";
  QualityRecord q = SampleQuality("ana", "billing");
  q.completed = 101;
  Relationship r = SampleRelationship("cust-1", "ana");
  r.cases = 6;
  Batch b2 = BatchAt(T0());
  b2.cases = {fewer};
  b2.quality = {q};
  b2.relationships = {r};
  ASSERT_TRUE(store_->Commit(b2, epoch).ok());

  StoredState s = MustLoad(*store_);
  ASSERT_EQ(s.cases.size(), 1u);
  EXPECT_TRUE(CaseEquals(s.cases[0], fewer));
  EXPECT_EQ(s.cases[0].messages, std::vector<std::string>{"only one"});
  ASSERT_EQ(s.quality.size(), 1u);
  EXPECT_EQ(s.quality[0].completed, 101);
  ASSERT_EQ(s.relationships.size(), 1u);
  EXPECT_EQ(s.relationships[0].cases, 6);
}

TEST_P(StateStoreContractTest, ACaseThatClosesIsStoredOnce) {
  using namespace testing_records;
  int64_t epoch = Lead(*store_);
  Batch b = BatchAt(T0());
  b.cases = {SampleCase("c-1")};
  ASSERT_TRUE(store_->Commit(b, epoch).ok());
  Case closed = SampleClosedCase("c-1", T0());
  Batch b2 = BatchAt(T0());
  b2.cases = {closed};
  ASSERT_TRUE(store_->Commit(b2, epoch).ok());

  StoredState s = MustLoad(*store_);
  ASSERT_EQ(s.cases.size(), 1u);
  EXPECT_EQ(s.cases[0].state, CaseState::kCompleted);
  EXPECT_EQ(s.cases[0].closed_time, T0());
}

TEST_P(StateStoreContractTest, QualityAndRelationshipKeysDoNotCollide) {
  using namespace testing_records;
  // Ids with the separators a key schema might use.
  int64_t epoch = Lead(*store_);
  Batch b = BatchAt(T0());
  b.quality = {SampleQuality("a:b", "c"), SampleQuality("a", "b:c")};
  b.relationships = {SampleRelationship("x:y", "z"), SampleRelationship("x", "y:z")};
  b.quality[1].completed = 1;
  b.relationships[1].cases = 1;
  ASSERT_TRUE(store_->Commit(b, epoch).ok());
  StoredState s = MustLoad(*store_);
  EXPECT_EQ(s.quality.size(), 2u);
  EXPECT_EQ(s.relationships.size(), 2u);
}

// --- Leadership and fencing ---

TEST_P(StateStoreContractTest, AcquireReturnsAPositiveEpoch) {
  absl::StatusOr<int64_t> epoch = store_->AcquireLeadership("replica-a", kLongTtl, T0());
  ASSERT_TRUE(epoch.ok()) << epoch.status();
  EXPECT_GT(*epoch, 0);
}

TEST_P(StateStoreContractTest, LiveLeaseOfAnotherOwnerIsRefused) {
  std::unique_ptr<StateStore> b = backend_->Open("d");
  Lead(*store_, "replica-a");
  absl::StatusOr<int64_t> epoch = b->AcquireLeadership("replica-b", kLongTtl, T0());
  EXPECT_EQ(epoch.status().code(), absl::StatusCode::kFailedPrecondition) << epoch.status();
}

TEST_P(StateStoreContractTest, SameOwnerReacquiresAtOnceWithANewerEpoch) {
  int64_t first = Lead(*store_, "replica-a");
  int64_t second = Lead(*store_, "replica-a", T0() + absl::Seconds(1));
  EXPECT_GT(second, first);
  // The older epoch is fenced out; the newer one commits.
  Batch b = BatchAt(T0());
  b.agents = {testing_records::SampleAgent("ana")};
  EXPECT_EQ(store_->Commit(b, first).code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(store_->Commit(b, second).ok());
}

TEST_P(StateStoreContractTest, DeposedLeaderCannotCommitOrRenew) {
  std::unique_ptr<StateStore> b_store = backend_->Open("d");
  absl::StatusOr<int64_t> a = store_->AcquireLeadership("replica-a", kShortTtl, T0());
  ASSERT_TRUE(a.ok()) << a.status();
  backend_->LetLeaseLapse(kShortTtl);
  absl::Time later = T0() + absl::Seconds(1);
  absl::StatusOr<int64_t> b = b_store->AcquireLeadership("replica-b", kLongTtl, later);
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_GT(*b, *a);

  Batch batch = BatchAt(later);
  batch.agents = {testing_records::SampleAgent("bob")};
  absl::Status commit = store_->Commit(batch, *a);
  EXPECT_EQ(commit.code(), absl::StatusCode::kFailedPrecondition) << commit;
  absl::Status renew = store_->RenewLeadership("replica-a", *a, kLongTtl, later);
  EXPECT_EQ(renew.code(), absl::StatusCode::kFailedPrecondition) << renew;
  // A cannot take the lease back while B holds it.
  EXPECT_EQ(store_->AcquireLeadership("replica-a", kLongTtl, later).status().code(),
            absl::StatusCode::kFailedPrecondition);

  EXPECT_TRUE(b_store->Commit(batch, *b).ok());
  EXPECT_TRUE(b_store->RenewLeadership("replica-b", *b, kLongTtl, later).ok());
  StoredState s = MustLoad(*b_store);
  ASSERT_EQ(s.agents.size(), 1u);
  EXPECT_EQ(s.agents[0].id, "bob");
}

TEST_P(StateStoreContractTest, FencedBatchWritesNothing) {
  using namespace testing_records;
  std::unique_ptr<StateStore> b_store = backend_->Open("d");
  int64_t a = Lead(*store_, "replica-a");
  Batch first = BatchAt(T0());
  first.agents = {SampleAgent("kept")};
  ASSERT_TRUE(store_->Commit(first, a).ok());
  ASSERT_TRUE(store_->ReleaseLeadership("replica-a").ok());
  int64_t b = Lead(*b_store, "replica-b");
  ASSERT_GT(b, a);

  Batch fenced = BatchAt(T0());
  fenced.cases = {SampleCase("c-1"), SampleClosedCase("c-2", T0())};
  fenced.agents = {SampleAgent("ana")};
  fenced.removed_agents = {"kept"};
  fenced.quality = {SampleQuality("ana", "billing")};
  fenced.relationships = {SampleRelationship("cust-1", "ana")};
  fenced.events = {Event{T0(), "submitted", "c-1", "", ""}};
  ASSERT_EQ(store_->Commit(fenced, a).code(), absl::StatusCode::kFailedPrecondition);

  StoredState s = MustLoad(*b_store);
  EXPECT_TRUE(s.cases.empty());
  ASSERT_EQ(s.agents.size(), 1u);
  EXPECT_EQ(s.agents[0].id, "kept");
  EXPECT_TRUE(s.quality.empty());
  EXPECT_TRUE(s.relationships.empty());
}

TEST_P(StateStoreContractTest, CommitAtAnEpochNotYetHandedOutIsFenced) {
  int64_t epoch = Lead(*store_);
  Batch b = BatchAt(T0());
  b.agents = {testing_records::SampleAgent("ana")};
  EXPECT_EQ(store_->Commit(b, epoch + 1).code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(MustLoad(*store_).agents.empty());
}

TEST_P(StateStoreContractTest, RenewExtendsTheLease) {
  std::unique_ptr<StateStore> b_store = backend_->Open("d");
  absl::StatusOr<int64_t> a = store_->AcquireLeadership("replica-a", kShortTtl, T0());
  ASSERT_TRUE(a.ok()) << a.status();
  ASSERT_TRUE(
      store_->RenewLeadership("replica-a", *a, kLongTtl, T0() + absl::Milliseconds(50)).ok());
  backend_->LetLeaseLapse(kShortTtl);
  absl::Time later = T0() + absl::Seconds(1);
  EXPECT_EQ(b_store->AcquireLeadership("replica-b", kLongTtl, later).status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(store_->RenewLeadership("replica-a", *a, kLongTtl, later).ok());
}

// A lease that lapsed while nobody took it is taken back by a renewal at the same epoch: the
// epoch proves that nobody led in between, so the leader's state is still the store's.
TEST_P(StateStoreContractTest, RenewAfterTheLeaseLapsedTakesItBackWhenNobodyLedSince) {
  std::unique_ptr<StateStore> b_store = backend_->Open("d");
  absl::StatusOr<int64_t> a = store_->AcquireLeadership("replica-a", kShortTtl, T0());
  ASSERT_TRUE(a.ok()) << a.status();
  backend_->LetLeaseLapse(kShortTtl);
  absl::Time later = T0() + absl::Seconds(1);
  absl::Status renew = store_->RenewLeadership("replica-a", *a, kLongTtl, later);
  ASSERT_TRUE(renew.ok()) << renew;
  EXPECT_EQ(b_store->AcquireLeadership("replica-b", kLongTtl, later).status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(store_->Commit(BatchAt(later), *a).ok());
}

// Once another replica acquired the lapsed lease, even one that gave it up again, the epoch
// moved: the renewal fails, and the old leader must rebuild before it leads again.
TEST_P(StateStoreContractTest, RenewAfterAnotherOwnerLedMeanwhileFails) {
  std::unique_ptr<StateStore> b_store = backend_->Open("d");
  absl::StatusOr<int64_t> a = store_->AcquireLeadership("replica-a", kShortTtl, T0());
  ASSERT_TRUE(a.ok()) << a.status();
  backend_->LetLeaseLapse(kShortTtl);
  absl::Time later = T0() + absl::Seconds(1);
  ASSERT_TRUE(b_store->AcquireLeadership("replica-b", kLongTtl, later).ok());
  ASSERT_TRUE(b_store->ReleaseLeadership("replica-b").ok());
  absl::Status renew = store_->RenewLeadership("replica-a", *a, kLongTtl, later);
  EXPECT_EQ(renew.code(), absl::StatusCode::kFailedPrecondition) << renew;
}

// An epoch must name one acquisition whatever the store forgets: a leader whose acquisition the
// store lost (it rolled back) must not share an epoch with the next leader, or both would
// commit. Epochs from one history still grow (the checks above).
TEST_P(StateStoreContractTest, AnEpochIsNotHandedOutTwiceWhenTheStoreForgetsItsLatestWrites) {
  backend_->Remember("d");
  int64_t a = Lead(*store_, "replica-a");
  Batch first = BatchAt(T0());
  first.agents = {testing_records::SampleAgent("ana")};
  ASSERT_TRUE(store_->Commit(first, a).ok());
  backend_->RollBack("d");  // the acquisition and the commit are gone

  std::unique_ptr<StateStore> b_store = backend_->Open("d");
  int64_t b = Lead(*b_store, "replica-b");
  EXPECT_NE(b, a);
  // replica-a, deposed without knowing it, is fenced out; replica-b commits.
  Batch late = BatchAt(T0());
  late.agents = {testing_records::SampleAgent("bob")};
  EXPECT_EQ(store_->Commit(late, a).code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(store_->RenewLeadership("replica-a", a, kLongTtl, T0()).code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(b_store->Commit(late, b).ok());
  StoredState s = MustLoad(*b_store);
  ASSERT_EQ(s.agents.size(), 1u);
  EXPECT_EQ(s.agents[0].id, "bob");

  // The same from a store that forgot every write ever made (an empty Redis).
  std::unique_ptr<StateStore> fresh = backend_->Open("empty");
  backend_->Remember("empty");
  int64_t c = Lead(*fresh, "replica-a");
  backend_->RollBack("empty");
  std::unique_ptr<StateStore> other = backend_->Open("empty");
  int64_t d = Lead(*other, "replica-b");
  EXPECT_NE(c, d);
  EXPECT_EQ(fresh->Commit(BatchAt(T0()), c).code(), absl::StatusCode::kFailedPrecondition);
}

TEST_P(StateStoreContractTest, RenewWithAStaleEpochFails) {
  int64_t first = Lead(*store_, "replica-a");
  int64_t second = Lead(*store_, "replica-a");
  EXPECT_EQ(store_->RenewLeadership("replica-a", first, kLongTtl, T0()).code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(store_->RenewLeadership("replica-a", second, kLongTtl, T0()).ok());
  EXPECT_EQ(store_->RenewLeadership("replica-b", second, kLongTtl, T0()).code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST_P(StateStoreContractTest, ReleaseFreesTheLeaseOnlyForItsOwner) {
  std::unique_ptr<StateStore> b_store = backend_->Open("d");
  int64_t a = Lead(*store_, "replica-a");
  // Someone else's release is a no-op.
  EXPECT_TRUE(b_store->ReleaseLeadership("replica-b").ok());
  EXPECT_EQ(b_store->AcquireLeadership("replica-b", kLongTtl, T0()).status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(store_->ReleaseLeadership("replica-a").ok());
  absl::StatusOr<int64_t> b = b_store->AcquireLeadership("replica-b", kLongTtl, T0());
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_GT(*b, a);
  // Releasing again (nothing held) is fine.
  EXPECT_TRUE(store_->ReleaseLeadership("replica-a").ok());
}

// --- Retention, removal, sequence, events ---

TEST_P(StateStoreContractTest, RetentionDropsOldClosedCasesAndKeepsOpenOnes) {
  using namespace testing_records;
  int64_t epoch = Lead(*store_);
  const absl::Duration retention = absl::Hours(1);
  Batch b = BatchAt(T0());
  b.closed_retention = retention;
  Case old_open = SampleCase("open-old");
  old_open.created_time = T0() - absl::Hours(240);
  Case cancelled = SampleClosedCase("cancelled", T0() - absl::Minutes(10));
  cancelled.state = CaseState::kCancelled;
  Case expired = SampleClosedCase("expired", T0() - absl::Minutes(5));
  expired.state = CaseState::kExpired;
  b.cases = {old_open, SampleClosedCase("completed", T0() - absl::Minutes(20)), cancelled, expired,
             // Already past retention when committed: never visible.
             SampleClosedCase("stale", T0() - absl::Hours(2))};
  ASSERT_TRUE(store_->Commit(b, epoch).ok());
  StoredState s = MustLoad(*store_);
  EXPECT_EQ(s.cases.size(), 4u);
  EXPECT_EQ(FindCase(s, "stale"), nullptr);

  // 55 minutes later: "completed" (closed at -20m) and "cancelled" (-10m) are past the hour;
  // "expired" (-5m) is exactly at the edge and kept; the open case stays however old.
  Batch later = BatchAt(T0() + absl::Minutes(55));
  later.closed_retention = retention;
  ASSERT_TRUE(store_->Commit(later, epoch).ok());
  s = MustLoad(*store_, later.now);
  EXPECT_NE(FindCase(s, "open-old"), nullptr);
  EXPECT_EQ(FindCase(s, "completed"), nullptr);
  EXPECT_EQ(FindCase(s, "cancelled"), nullptr);
  EXPECT_NE(FindCase(s, "expired"), nullptr);
  EXPECT_EQ(s.cases.size(), 2u);
}

TEST_P(StateStoreContractTest, RemovedAgentsAreGone) {
  using namespace testing_records;
  int64_t epoch = Lead(*store_);
  Batch b = BatchAt(T0());
  b.agents = {SampleAgent("ana"), SampleAgent("bob"), SampleAgent("eve")};
  ASSERT_TRUE(store_->Commit(b, epoch).ok());
  Batch remove = BatchAt(T0());
  remove.removed_agents = {"bob", "never-existed"};
  // Removed and re-created within one tick: removal applies first, so "eve" stays.
  remove.removed_agents.push_back("eve");
  Agent eve = SampleAgent("eve");
  eve.authority_limit = 7;
  remove.agents = {eve};
  ASSERT_TRUE(store_->Commit(remove, epoch).ok());

  StoredState s = MustLoad(*store_);
  EXPECT_NE(FindAgent(s, "ana"), nullptr);
  EXPECT_EQ(FindAgent(s, "bob"), nullptr);
  ASSERT_NE(FindAgent(s, "eve"), nullptr);
  EXPECT_EQ(FindAgent(s, "eve")->authority_limit, 7);
  EXPECT_EQ(s.agents.size(), 2u);
}

TEST_P(StateStoreContractTest, EventsNeverMakeLoadFail) {
  int64_t epoch = Lead(*store_);
  Batch b = BatchAt(T0());
  b.events = {Event{}, Event{absl::InfinitePast(), "", "", "", ""},
              Event{T0(), "offered", "c-1", "ana", "attempt=1"},
              Event{absl::InfiniteFuture(), std::string("x\0y", 3), "a,b", "c:d", "\r\n"}};
  for (int i = 0; i < 200; ++i) b.events.push_back(Event{T0(), "declined", "c-1", "ana", ""});
  ASSERT_TRUE(store_->Commit(b, epoch).ok());
  absl::StatusOr<StoredState> s = store_->Load(T0());
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_TRUE(s->cases.empty());
}

TEST_P(StateStoreContractTest, DomainsAreIndependent) {
  using namespace testing_records;
  std::unique_ptr<StateStore> other = backend_->Open("other");
  int64_t epoch = Lead(*store_);
  // The other domain has its own lease and epoch.
  absl::StatusOr<int64_t> other_epoch = other->AcquireLeadership("replica-b", kLongTtl, T0());
  ASSERT_TRUE(other_epoch.ok()) << other_epoch.status();
  Batch b = BatchAt(T0());
  b.cases = {SampleCase("c-1")};
  b.agents = {SampleAgent("ana")};
  ASSERT_TRUE(store_->Commit(b, epoch).ok());
  StoredState s = MustLoad(*other);
  EXPECT_TRUE(s.cases.empty());
  EXPECT_TRUE(s.agents.empty());
}

// --- Loading in chunks ---

// A domain of `cases` sample cases and two agents, committed in one batch.
inline Batch ManyCases(int cases, absl::Time now) {
  Batch b;
  b.now = now;
  for (int i = 0; i < cases; ++i) {
    b.cases.push_back(testing_records::SampleCase(absl::StrCat("c-", i)));
  }
  b.agents = {testing_records::SampleAgent("ana"), testing_records::SampleAgent("bob")};
  return b;
}

TEST_P(StateStoreContractTest, LoadReportsProgressAtLeastEveryChunk) {
  const int kCases = static_cast<int>(2 * kLoadChunkRecords + kLoadChunkRecords / 2);
  int64_t epoch = Lead(*store_);
  Batch b = ManyCases(kCases, T0());
  ASSERT_TRUE(store_->Commit(b, epoch).ok());
  const size_t records = b.cases.size() + b.agents.size();

  std::vector<std::pair<size_t, size_t>> calls;
  absl::StatusOr<StoredState> s = store_->Load(T0(), [&](size_t read, size_t total) {
    calls.emplace_back(read, total);
    return absl::OkStatus();
  });
  ASSERT_TRUE(s.ok()) << s.status();
  ASSERT_EQ(s->cases.size(), b.cases.size());
  // Every record came back whole across the chunk boundaries.
  for (const Case& want : b.cases) {
    const Case* got = FindCase(*s, want.id);
    ASSERT_NE(got, nullptr) << want.id;
    ASSERT_TRUE(testing_records::CaseEquals(*got, want)) << want.id;
  }
  EXPECT_EQ(s->agents.size(), 2u);

  ASSERT_GE(calls.size(), 1 + (records + kLoadChunkRecords - 1) / kLoadChunkRecords);
  EXPECT_EQ(calls.front().first, 0u);  // before the first record
  EXPECT_EQ(calls.back().first, records);
  for (size_t i = 0; i < calls.size(); ++i) {
    EXPECT_EQ(calls[i].second, records) << "call " << i;
    if (i > 0) {
      EXPECT_GE(calls[i].first, calls[i - 1].first) << "call " << i;
      EXPECT_LE(calls[i].first - calls[i - 1].first, kLoadChunkRecords) << "call " << i;
    }
  }
}

TEST_P(StateStoreContractTest, AnErrorFromProgressStopsTheLoadAndTheStoreStaysUsable) {
  const int kCases = static_cast<int>(3 * kLoadChunkRecords);
  int64_t epoch = Lead(*store_);
  ASSERT_TRUE(store_->Commit(ManyCases(kCases, T0()), epoch).ok());

  int calls = 0;
  absl::StatusOr<StoredState> stopped = store_->Load(T0(), [&](size_t, size_t) {
    return ++calls == 2 ? absl::FailedPreconditionError("lease lost") : absl::OkStatus();
  });
  EXPECT_EQ(calls, 2);
  EXPECT_EQ(stopped.status(), absl::FailedPreconditionError("lease lost"));

  // Nothing of the stopped load is left over for the next call on the same handle.
  Batch more = BatchAt(T0());
  more.agents = {testing_records::SampleAgent("carl")};
  ASSERT_TRUE(store_->Commit(more, epoch).ok());
  StoredState s = MustLoad(*store_);
  EXPECT_EQ(s.cases.size(), static_cast<size_t>(kCases));
  EXPECT_EQ(s.agents.size(), 3u);
}

TEST_P(StateStoreContractTest, ProgressMayRenewTheLeaseOnTheSameStore) {
  const int kCases = static_cast<int>(2 * kLoadChunkRecords);
  int64_t epoch = Lead(*store_);
  ASSERT_TRUE(store_->Commit(ManyCases(kCases, T0()), epoch).ok());
  int renewals = 0;
  absl::StatusOr<StoredState> s = store_->Load(T0(), [&](size_t, size_t) {
    absl::Status renewed = store_->RenewLeadership("replica-a", epoch, kLongTtl, T0());
    if (renewed.ok()) ++renewals;
    return renewed;
  });
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->cases.size(), static_cast<size_t>(kCases));
  EXPECT_GE(renewals, 3);
  // A deposed leader's renewal inside a load fails there too.
  std::unique_ptr<StateStore> other = backend_->Open("d");
  ASSERT_TRUE(store_->ReleaseLeadership("replica-a").ok());
  Lead(*other, "replica-b");
  absl::StatusOr<StoredState> deposed = store_->Load(T0(), [&](size_t, size_t) {
    return store_->RenewLeadership("replica-a", epoch, kLongTtl, T0());
  });
  EXPECT_EQ(deposed.status().code(), absl::StatusCode::kFailedPrecondition);
}

TEST_P(StateStoreContractTest, LargeRecordsRoundTrip) {
  using namespace testing_records;
  int64_t epoch = Lead(*store_);
  // Long customer text and many messages (a Redis hash then leaves its compact encoding and
  // returns its fields in no particular order).
  Case big = SampleCase("c-big");
  big.spec.subject = std::string(5000, 's') + HostileText();
  for (int i = 0; i < 300; ++i) big.messages.push_back(absl::StrCat("message ", i, HostileText()));
  Batch b = BatchAt(T0());
  b.cases = {big, SampleCase("c-small")};
  ASSERT_TRUE(store_->Commit(b, epoch).ok());
  StoredState s = MustLoad(*store_);
  ASSERT_EQ(s.cases.size(), 2u);
  for (const Case& want : b.cases) {
    const Case* got = FindCase(s, want.id);
    ASSERT_NE(got, nullptr) << want.id;
    EXPECT_TRUE(CaseEquals(*got, want)) << want.id;
  }
}

}  // namespace caserouter

#endif  // CASEROUTER_ROUTER_STORE_STATE_STORE_CONTRACT_H_
