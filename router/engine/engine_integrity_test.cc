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
