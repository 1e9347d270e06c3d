#include "router/service/caller_limits.h"

#include "gtest/gtest.h"
#include "prometheus/registry.h"

namespace caserouter {
namespace {

TEST(CallerLimitsTest, EachCallerHasItsOwnShareOfCallsStreamsAndConnections) {
  prometheus::Registry registry;
  ServerMetrics metrics(&registry);
  CallerLimits limits({/*calls=*/2, /*streams=*/1, /*connections=*/2}, &metrics);
  EXPECT_TRUE(limits.TryAcquire("adapter:a", "peer-1", Place::kCall).ok());
  EXPECT_TRUE(limits.TryAcquire("adapter:a", "peer-1", Place::kCall).ok());
  absl::Status third = limits.TryAcquire("adapter:a", "peer-1", Place::kCall);
  EXPECT_EQ(third.code(), absl::StatusCode::kResourceExhausted);
  // Another caller is not held back by the first one's share.
  EXPECT_TRUE(limits.TryAcquire("adapter:b", "peer-9", Place::kCall).ok());
  // Streams are counted apart from calls.
  EXPECT_TRUE(limits.TryAcquire("adapter:a", "peer-2", Place::kStream).ok());
  EXPECT_EQ(limits.TryAcquire("adapter:a", "peer-2", Place::kStream).code(),
            absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(limits.connections("adapter:a"), 2);
  limits.Release("adapter:a", "peer-1", Place::kCall);
  // A third connection is one too many for a:
  EXPECT_EQ(limits.TryAcquire("adapter:a", "peer-3", Place::kCall).code(),
            absl::StatusCode::kResourceExhausted);
  // ... but the one it uses still takes calls.
  EXPECT_TRUE(limits.TryAcquire("adapter:a", "peer-1", Place::kCall).ok());
  limits.Release("adapter:a", "peer-1", Place::kCall);
  limits.Release("adapter:a", "peer-1", Place::kCall);
  limits.Release("adapter:a", "peer-2", Place::kStream);
  EXPECT_EQ(limits.held("adapter:a", Place::kCall), 0);
  EXPECT_EQ(limits.connections("adapter:a"), 0);
  EXPECT_TRUE(limits.TryAcquire("adapter:a", "peer-3", Place::kCall).ok());
}

}  // namespace
}  // namespace caserouter
