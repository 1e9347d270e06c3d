// Integrity of what the engine acknowledges (issue 11) with the engine on a real redis-server:
// a joined submission's key survives a failover. The engine runs on a fake clock (its own
// time); the lease runs on the server's clock and is long, so only a handover moves it.
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "router/engine/engine.h"
#include "router/engine/engine_test_support.h"
#include "router/model/clock.h"
#include "router/store/redis_state_store.h"
#include "tests/support/redis_rollback.h"
#include "tests/support/redis_server.h"

namespace caserouter {
namespace {

class EngineIntegrityRedisTest : public testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<std::unique_ptr<RedisServer>> server = RedisServer::Start();
    if (absl::IsNotFound(server.status())) GTEST_SKIP() << server.status().message();
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    config_.domain = "integrity";
    config_.lease_ttl = absl::Seconds(60);
    config_.repeat_window = absl::Minutes(30);
    config_.closed_retention = absl::Hours(1);
    StartReplica();
  }

  // A new replica with its own connection to the same Redis, after the last one handed over.
  void StartReplica() {
    if (engine_ != nullptr) engine_->ReleaseLeadership();
    engine_.reset();
    RedisOptions options;
    options.port = server_->port();
    options.domain = config_.domain;
    absl::StatusOr<std::unique_ptr<RedisStateStore>> store = RedisStateStore::Connect(options);
    ASSERT_TRUE(store.ok()) << store.status();
    stores_.push_back(*std::move(store));
    engine_ = std::make_unique<Engine>(config_, stores_.back().get(), &clock_, &observer_,
                                       absl::StrCat("replica-", stores_.size()));
    engine_->Tick();
    ASSERT_TRUE(engine_->IsServing());
  }

  absl::StatusOr<SubmitResult> Submit(const CaseSpec& spec) {
    Answer<SubmitResult> answer;
    engine_->SubmitCase(spec, answer.Sink());
    engine_->Tick();
    if (!answer.has_value()) return absl::InternalError("no answer in one tick");
    return answer.get();
  }

  absl::StatusOr<CaseView> Get(const std::string& id) {
    Answer<CaseView> answer;
    engine_->GetCase(id, answer.Sink());
    engine_->Tick();
    if (!answer.has_value()) return absl::InternalError("no answer in one tick");
    return answer.get();
  }

  absl::StatusOr<CaseView> Cancel(const std::string& id) {
    Answer<CaseView> answer;
    engine_->CancelCase(id, "", answer.Sink());
    engine_->Tick();
    if (!answer.has_value()) return absl::InternalError("no answer in one tick");
    return answer.get();
  }

  static CaseSpec CustomerSpec(const std::string& key, Channel channel = Channel::kEmail) {
    CaseSpec spec = Spec(channel, key);
    spec.customer_id = "cust-1";
    return spec;
  }

  std::unique_ptr<RedisServer> server_;
  EngineConfig config_;
  FakeClock clock_;
  CountingObserver observer_;
  std::vector<std::unique_ptr<RedisStateStore>> stores_;
  std::unique_ptr<Engine> engine_;
};

// Defect 2 on Redis: the joined key is stored with its case, in the tick's fenced commit.
TEST_F(EngineIntegrityRedisTest, AJoinedKeyNamesItsCaseAfterAFailover) {
  absl::StatusOr<SubmitResult> first = Submit(CustomerSpec("first"));
  ASSERT_TRUE(first.ok()) << first.status();
  const std::string id = first->view.record.id;
  CaseSpec call = CustomerSpec("joined", Channel::kPhone);
  call.subject = "calling about my email";
  absl::StatusOr<SubmitResult> joined = Submit(call);
  ASSERT_TRUE(joined.ok()) << joined.status();
  ASSERT_TRUE(joined->joined);

  StartReplica();
  absl::StatusOr<SubmitResult> retry = Submit(call);
  ASSERT_TRUE(retry.ok()) << retry.status();
  EXPECT_TRUE(retry->deduplicated);
  EXPECT_EQ(retry->view.record.id, id);
  absl::StatusOr<CaseView> stored = Get(id);
  ASSERT_TRUE(stored.ok()) << stored.status();
  EXPECT_EQ(stored->record.messages, std::vector<std::string>{"calling about my email"});

  // Closed, and another failover: still the same case for the joined key, not a second one.
  ASSERT_TRUE(Cancel(id).ok());
  StartReplica();
  absl::StatusOr<SubmitResult> after_close = Submit(call);
  ASSERT_TRUE(after_close.ok()) << after_close.status();
  EXPECT_TRUE(after_close->deduplicated);
  EXPECT_EQ(after_close->view.record.id, id);
  EXPECT_EQ(observer_.received, 1) << "one case, not two";

  // The key lasts as long as its case is kept, and goes with it.
  clock_.Advance(config_.closed_retention + absl::Minutes(2));
  StartReplica();
  absl::StatusOr<SubmitResult> late = Submit(call);
  ASSERT_TRUE(late.ok()) << late.status();
  EXPECT_FALSE(late->deduplicated);
  EXPECT_NE(late->view.record.id, id);
  EXPECT_EQ(Get(id).status().code(), absl::StatusCode::kNotFound);
}

// Defect 3 on Redis: the store forgets its latest writes (the domain's keys rolled back, as a
// restart from an older append-only file would). The next case must not get the id already
// acknowledged to another customer.
TEST_F(EngineIntegrityRedisTest, ACaseIdIsNotReissuedWhenRedisForgetsItsLatestWrites) {
  absl::StatusOr<RedisKeySnapshot> before =
      SnapshotKeys(server_->port(), absl::StrCat("cr:{", config_.domain, "}:*"));
  ASSERT_TRUE(before.ok()) << before.status();
  CaseSpec first = Spec(Channel::kChat, "key-a");
  first.customer_id = "cust-a";
  absl::StatusOr<SubmitResult> acknowledged = Submit(first);
  ASSERT_TRUE(acknowledged.ok()) << acknowledged.status();
  const std::string id = acknowledged->view.record.id;
  ASSERT_TRUE(RollBackKeys(server_->port(), *before).ok());

  StartReplica();
  CaseSpec second = Spec(Channel::kChat, "key-b");
  second.customer_id = "cust-b";
  absl::StatusOr<SubmitResult> fresh = Submit(second);
  ASSERT_TRUE(fresh.ok()) << fresh.status();
  EXPECT_NE(fresh->view.record.id, id);
  absl::StatusOr<CaseView> asked = Get(id);
  if (asked.ok()) {
    EXPECT_EQ(asked->record.spec.customer_id, "cust-a") << "another customer's case";
  } else {
    EXPECT_EQ(asked.status().code(), absl::StatusCode::kNotFound) << asked.status();
  }
}

}  // namespace
}  // namespace caserouter
