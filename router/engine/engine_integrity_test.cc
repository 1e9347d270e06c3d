// Integrity of what the engine acknowledges (issue 11): an idempotency key names one case for
// the whole retention window, across evictions and restarts. On a fake clock and the in-memory
// store.
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "router/engine/engine.h"
#include "router/engine/engine_test_support.h"
#include "router/model/validation.h"

namespace caserouter {
namespace {

class EngineIntegrityTest : public EngineTest {
 protected:
  EngineIntegrityTest() {
    config_.repeat_window = absl::Minutes(30);  // within the retention, as the loader requires
    config_.closed_retention = absl::Hours(1);
    engine_ = MakeEngine(&store_, "replica-a");
  }

  // One customer's submission on the billing topic, with its own key.
  static CaseSpec CustomerSpec(const std::string& key, Channel channel = Channel::kEmail) {
    CaseSpec spec = Spec(channel, key);
    spec.customer_id = "cust-1";
    return spec;
  }

  // The replica hands over (or dies and its lease lapses: the same for what is stored) to a
  // new one on another handle of the same store, which rebuilds from it.
  void FailOver() {
    engine_->ReleaseLeadership();
    engine_.reset();
    handles_.push_back(store_.NewHandle());
    engine_ = MakeEngine(handles_.back().get(), absl::StrCat("replica-", handles_.size() + 1));
    ASSERT_TRUE(engine_->IsServing());
  }

  void Cancel(const std::string& id) {
    Answer<CaseView> cancelled;
    engine_->CancelCase(id, "", cancelled.Sink());
    engine_->Tick();
    ASSERT_TRUE(cancelled.get().ok()) << cancelled.get().status();
  }

  std::vector<std::unique_ptr<MemoryStateStore>> handles_;
};

// Defect 1: a key whose submission joined an open case stayed in the index after the case was
// evicted, and its retry read the evicted case (std::out_of_range from map::at: the leader
// died). The key must go with its case.
TEST_F(EngineIntegrityTest, RetryOfAJoinedKeyAfterItsCaseWasEvictedIsANewSubmission) {
  std::string id = SubmitOk(CustomerSpec("first"));
  absl::StatusOr<SubmitResult> joined = Submit(CustomerSpec("joined"));
  ASSERT_TRUE(joined.ok()) << joined.status();
  ASSERT_TRUE(joined->joined);
  ASSERT_EQ(joined->view.record.id, id);
  Cancel(id);

  clock_.Advance(config_.closed_retention + absl::Minutes(2));
  engine_->Tick();  // evicts the case
  absl::StatusOr<SubmitResult> retry = Submit(CustomerSpec("joined"));
  ASSERT_TRUE(retry.ok()) << retry.status();
  EXPECT_FALSE(retry->deduplicated) << "the key was forgotten with its case";
  EXPECT_FALSE(retry->joined);
  EXPECT_NE(retry->view.record.id, id);
  EXPECT_TRUE(engine_->IsServing());
}

// Defect 2: the key of a joined submission was kept in memory only. After a failover its retry
// joined the case again (the customer's message twice) ...
TEST_F(EngineIntegrityTest, RetryOfAJoinedKeyAfterAFailoverFindsItsCaseAndAddsNothing) {
  std::string id = SubmitOk(CustomerSpec("first"));
  CaseSpec call = CustomerSpec("joined", Channel::kPhone);
  call.subject = "calling about my email";
  absl::StatusOr<SubmitResult> joined = Submit(call);
  ASSERT_TRUE(joined.ok()) << joined.status();
  ASSERT_TRUE(joined->joined);

  FailOver();
  absl::StatusOr<SubmitResult> retry = Submit(call);
  ASSERT_TRUE(retry.ok()) << retry.status();
  EXPECT_TRUE(retry->deduplicated);
  EXPECT_FALSE(retry->joined);
  EXPECT_EQ(retry->view.record.id, id);
  EXPECT_EQ(Get(id).messages, std::vector<std::string>{"calling about my email"});
}

// ... or, once the case had closed, made a second case for one key.
TEST_F(EngineIntegrityTest, RetryOfAJoinedKeyAfterItsCaseClosedAndAFailoverIsTheSameCase) {
  std::string id = SubmitOk(CustomerSpec("first"));
  ASSERT_TRUE(Submit(CustomerSpec("joined")).ok());
  Cancel(id);

  FailOver();
  absl::StatusOr<SubmitResult> retry = Submit(CustomerSpec("joined"));
  ASSERT_TRUE(retry.ok()) << retry.status();
  EXPECT_TRUE(retry->deduplicated);
  EXPECT_EQ(retry->view.record.id, id);
  EXPECT_EQ(observer_.received, 1) << "one case, not two";

  // The key lasts as long as its case, and goes with it, on the new replica too.
  clock_.Advance(config_.closed_retention + absl::Minutes(2));
  engine_->Tick();
  FailOver();
  absl::StatusOr<SubmitResult> late = Submit(CustomerSpec("joined"));
  ASSERT_TRUE(late.ok()) << late.status();
  EXPECT_FALSE(late->deduplicated);
  EXPECT_NE(late->view.record.id, id);
}

// Defect 3: case ids were a counter kept in the store, which rolled back with it: the next
// case got the id acknowledged to another customer, and GetCase of that id answered with the
// other customer's case.
TEST_F(EngineIntegrityTest, ACaseIdIsNotReissuedWhenTheStoreForgetsItsLatestWrites) {
  std::unique_ptr<MemoryStateStore> before = store_.Snapshot();
  CaseSpec first = Spec(Channel::kChat, "key-a");
  first.customer_id = "cust-a";
  const std::string acknowledged = SubmitOk(first);
  store_.RestoreFrom(*before);  // the store forgets the case, and any counter it kept

  FailOver();
  CaseSpec second = Spec(Channel::kChat, "key-b");
  second.customer_id = "cust-b";
  const std::string fresh = SubmitOk(second);
  EXPECT_NE(fresh, acknowledged);
  Answer<CaseView> asked;
  engine_->GetCase(acknowledged, asked.Sink());
  engine_->Tick();
  if (asked.get().ok()) {
    EXPECT_EQ(asked.get()->record.spec.customer_id, "cust-a") << "another customer's case";
  } else {
    EXPECT_EQ(asked.get().status().code(), absl::StatusCode::kNotFound) << asked.get().status();
  }
}

// The epoch was a counter in the store too: after a rollback the next leader got the epoch the
// deposed one still held, both could commit, and the deposed one, finding the lease lapsed at
// exactly its epoch + 1, believed nobody had led in between and served its stale state.
TEST_F(EngineIntegrityTest, ALeaderWhoseAcquisitionTheStoreForgotDoesNotServeStaleState) {
  engine_->ReleaseLeadership();
  engine_.reset();
  config_.lease_ttl = absl::Seconds(6);
  std::unique_ptr<MemoryStateStore> before = store_.Snapshot();
  engine_ = MakeEngine(&store_, "replica-a");
  ASSERT_TRUE(engine_->IsServing());
  store_.RestoreFrom(*before);  // replica-a's acquisition is forgotten

  // replica-b leads, takes a case, and hands over again.
  std::unique_ptr<MemoryStateStore> handle = store_.NewHandle();
  std::string taken_by_b;
  {
    Engine b(config_, handle.get(), &clock_, nullptr, "replica-b");
    b.Tick();
    ASSERT_TRUE(b.IsServing());
    Answer<SubmitResult> answer;
    b.SubmitCase(CustomerSpec("key-b"), answer.Sink());
    b.Tick();
    ASSERT_TRUE(answer.get().ok()) << answer.get().status();
    taken_by_b = answer.get()->view.record.id;
    // replica-a writes meanwhile: it must be fenced out, not committed beside replica-b.
    absl::StatusOr<SubmitResult> a_write = Submit(Spec(Channel::kChat, "key-a"));
    EXPECT_EQ(a_write.status().code(), absl::StatusCode::kUnavailable) << a_write.status();
    b.ReleaseLeadership();
  }

  // replica-a must rebuild before it answers: the case replica-b took is there.
  clock_.Advance(config_.lease_ttl / 2);
  for (int attempt = 0; attempt < 3; ++attempt) {
    Answer<CaseView> asked;
    engine_->GetCase(taken_by_b, asked.Sink());
    engine_->Tick();
    ASSERT_NE(asked.get().status().code(), absl::StatusCode::kNotFound)
        << "served the state it had before replica-b led";
    if (asked.get().ok()) {
      EXPECT_EQ(asked.get()->record.spec.idempotency_key, "key-b");
      return;
    }
    clock_.Advance(absl::Seconds(1));  // the next attempt to lead
  }
  FAIL() << "replica-a never led again";
}

// Every joined key is kept with its case, so one open case takes a bounded number of them; the
// next is refused (nothing acknowledged that could not be remembered), and its retry is too.
TEST_F(EngineIntegrityTest, AnOpenCaseTakesABoundedNumberOfJoinedSubmissions) {
  std::string id = SubmitOk(CustomerSpec("first"));
  for (size_t i = 0; i < kMaxJoinedSubmissionsPerCase; ++i) {
    absl::StatusOr<SubmitResult> joined = Submit(CustomerSpec(absl::StrCat("join-", i)));
    ASSERT_TRUE(joined.ok()) << i << ": " << joined.status();
    ASSERT_TRUE(joined->joined);
  }
  absl::StatusOr<SubmitResult> refused = Submit(CustomerSpec("one-too-many"));
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kResourceExhausted) << refused.status();
  EXPECT_TRUE(absl::StrContains(refused.status().message(), "idempotency_key"));
  EXPECT_EQ(Submit(CustomerSpec("one-too-many")).status().code(),
            absl::StatusCode::kResourceExhausted);
  // The keys that were taken still name the case.
  absl::StatusOr<SubmitResult> retry = Submit(CustomerSpec("join-0"));
  ASSERT_TRUE(retry.ok()) << retry.status();
  EXPECT_TRUE(retry->deduplicated);
  EXPECT_EQ(retry->view.record.id, id);
}

}  // namespace
}  // namespace caserouter
