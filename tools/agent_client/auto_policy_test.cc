#include "tools/agent_client/auto_policy.h"

#include "gtest/gtest.h"

namespace caserouter {
namespace {

TEST(AutoPolicyTest, SameSeedSameChoices) {
  AutoPolicy::Options options;
  options.seed = 42;
  AutoPolicy a(options), b(options);
  for (int i = 0; i < 100; ++i) {
    EXPECT_EQ(a.ShouldDecline(), b.ShouldDecline());
    EXPECT_EQ(a.HandleTime(), b.HandleTime());
    AutoPolicy::Outcome x = a.Finish(), y = b.Finish();
    EXPECT_EQ(x.resolved, y.resolved);
    EXPECT_EQ(x.csat, y.csat);
  }
}

TEST(AutoPolicyTest, RatesAndMeanHandleTimeAreHonoured) {
  AutoPolicy::Options options;
  options.seed = 7;
  options.decline_rate = 0.2;
  options.resolve_rate = 0.7;
  options.mean_handle = absl::Seconds(30);
  AutoPolicy policy(options);
  const int n = 20000;
  int declined = 0, resolved = 0, rated = 0;
  absl::Duration total;
  for (int i = 0; i < n; ++i) {
    declined += policy.ShouldDecline();
    absl::Duration d = policy.HandleTime();
    ASSERT_GE(d, absl::ZeroDuration());
    total += d;
    AutoPolicy::Outcome o = policy.Finish();
    resolved += o.resolved;
    if (o.csat != 0) {
      ++rated;
      ASSERT_GE(o.csat, 1);
      ASSERT_LE(o.csat, 5);
      if (o.resolved) {
        EXPECT_GE(o.csat, 4);
      } else {
        EXPECT_LE(o.csat, 3);
      }
    }
  }
  EXPECT_NEAR(declined / double(n), 0.2, 0.02);
  EXPECT_NEAR(resolved / double(n), 0.7, 0.02);
  EXPECT_NEAR(rated / double(n), 0.7, 0.02);
  EXPECT_NEAR(absl::ToDoubleSeconds(total / n), 30, 1.5);
}

TEST(AutoPolicyTest, ValidateNamesTheOption) {
  AutoPolicy::Options options;
  options.resolve_rate = 1.5;
  EXPECT_EQ(AutoPolicy::Validate(options).message(), "resolve_rate: must be between 0 and 1");
  options = {};
  options.mean_handle = absl::ZeroDuration();
  EXPECT_FALSE(AutoPolicy::Validate(options).ok());
  EXPECT_TRUE(AutoPolicy::Validate(AutoPolicy::Options()).ok());
}

}  // namespace
}  // namespace caserouter
