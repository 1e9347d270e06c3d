#include "router/store/memory_state_store.h"

#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "gtest/gtest.h"
#include "router/store/state_store_contract.h"
#include "router/store/test_records.h"

namespace caserouter {
namespace {

// Domains by name; each Open is a new handle on the named domain's data.
class MemoryBackend : public StateStoreContractBackend {
 public:
  std::unique_ptr<StateStore> Open(absl::string_view domain) override {
    return Root(domain).NewHandle();
  }
  // The memory lease runs on the `now` the test passes: nothing to wait for.
  void LetLeaseLapse(absl::Duration) override {}
  void Remember(absl::string_view domain) override {
    remembered_[std::string(domain)] = Root(domain).Snapshot();
  }
  void RollBack(absl::string_view domain) override {
    Root(domain).RestoreFrom(*remembered_.at(std::string(domain)));
  }

 private:
  MemoryStateStore& Root(absl::string_view domain) {
    std::unique_ptr<MemoryStateStore>& root = domains_[std::string(domain)];
    if (root == nullptr) root = std::make_unique<MemoryStateStore>();
    return *root;
  }

  std::map<std::string, std::unique_ptr<MemoryStateStore>> domains_;
  std::map<std::string, std::unique_ptr<MemoryStateStore>> remembered_;
};

INSTANTIATE_TEST_SUITE_P(Memory, StateStoreContractTest,
                         ::testing::Values(StateStoreContractParam{
                             "memory", [] { return std::make_unique<MemoryBackend>(); }}),
                         [](const auto& info) { return info.param.name; });

using testing_records::SampleAgent;
using testing_records::SampleCase;
using testing_records::T0;

TEST(MemoryStateStoreTest, UnavailableHandleRefusesEveryCallAndWritesNothing) {
  MemoryStateStore store;
  absl::StatusOr<int64_t> epoch = store.AcquireLeadership("a", absl::Seconds(10), T0());
  ASSERT_TRUE(epoch.ok());
  store.SetUnavailable(true);
  Batch b;
  b.now = T0();
  b.cases = {SampleCase("c-1")};
  EXPECT_EQ(store.Commit(b, *epoch).code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(store.Load(T0()).status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(store.AcquireLeadership("a", absl::Seconds(10), T0()).status().code(),
            absl::StatusCode::kUnavailable);
  EXPECT_EQ(store.RenewLeadership("a", *epoch, absl::Seconds(10), T0()).code(),
            absl::StatusCode::kUnavailable);
  EXPECT_EQ(store.ReleaseLeadership("a").code(), absl::StatusCode::kUnavailable);

  // Another replica still reaches the data, and nothing was written.
  std::unique_ptr<MemoryStateStore> other = store.NewHandle();
  absl::StatusOr<StoredState> s = other->Load(T0());
  ASSERT_TRUE(s.ok());
  EXPECT_TRUE(s->cases.empty());

  store.SetUnavailable(false);
  EXPECT_TRUE(store.Commit(b, *epoch).ok());
  s = other->Load(T0());
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->cases.size(), 1u);
}

TEST(MemoryStateStoreTest, LeaseExpiresAtNow) {
  MemoryStateStore store;
  ASSERT_TRUE(store.AcquireLeadership("a", absl::Seconds(10), T0()).ok());
  EXPECT_EQ(
      store.AcquireLeadership("b", absl::Seconds(10), T0() + absl::Seconds(9)).status().code(),
      absl::StatusCode::kFailedPrecondition);
  // Expired exactly at now: free.
  EXPECT_TRUE(store.AcquireLeadership("b", absl::Seconds(10), T0() + absl::Seconds(10)).ok());
}

TEST(MemoryStateStoreTest, RejectsEmptyOwnerAndTinyTtl) {
  MemoryStateStore store;
  EXPECT_EQ(store.AcquireLeadership("", absl::Seconds(1), T0()).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(store.AcquireLeadership("a", absl::Microseconds(10), T0()).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(MemoryStateStoreTest, KeepsTheNewestEventsUpToTheCap) {
  MemoryStateStore store;
  absl::StatusOr<int64_t> epoch = store.AcquireLeadership("a", absl::Seconds(10), T0());
  ASSERT_TRUE(epoch.ok());
  Batch b;
  b.now = T0();
  for (size_t i = 0; i < MemoryStateStore::kMaxEvents + 5; ++i) {
    b.events.push_back(Event{T0(), "submitted", absl::StrCat("c-", i), "", ""});
  }
  ASSERT_TRUE(store.Commit(b, *epoch).ok());
  std::vector<FieldList> events = store.events();
  ASSERT_EQ(events.size(), MemoryStateStore::kMaxEvents);
  EXPECT_EQ(events.front()[2], (std::pair<std::string, std::string>("case", "c-5")));
}

TEST(MemoryStateStoreTest, HandlesMayBeUsedFromTwoThreads) {
  MemoryStateStore store;
  std::unique_ptr<MemoryStateStore> other = store.NewHandle();
  absl::StatusOr<int64_t> epoch = store.AcquireLeadership("a", absl::Seconds(10), T0());
  ASSERT_TRUE(epoch.ok());
  std::thread writer([&] {
    for (int i = 0; i < 200; ++i) {
      Batch b;
      b.now = T0();
      b.agents = {SampleAgent(absl::StrCat("agent-", i))};
      ASSERT_TRUE(store.Commit(b, *epoch).ok());
    }
  });
  size_t last = 0;
  for (int i = 0; i < 200; ++i) {
    absl::StatusOr<StoredState> s = other->Load(T0());
    ASSERT_TRUE(s.ok());
    EXPECT_GE(s->agents.size(), last);  // commits are atomic and only add agents here
    last = s->agents.size();
  }
  writer.join();
  EXPECT_EQ(other->Load(T0())->agents.size(), 200u);
}

}  // namespace
}  // namespace caserouter
