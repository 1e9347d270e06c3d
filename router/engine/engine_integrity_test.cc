// Integrity of what the engine acknowledges (issue 11): an idempotency key names one case for
// the whole retention window, across evictions and restarts. On a fake clock and the in-memory
// store.
#include <string>

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

  void Cancel(const std::string& id) {
    Answer<CaseView> cancelled;
    engine_->CancelCase(id, "", cancelled.Sink());
    engine_->Tick();
    ASSERT_TRUE(cancelled.get().ok()) << cancelled.get().status();
  }
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
