// The hold rule, case by case: a case waits for a better agent only when the wait pays, never
// while an agent about as good is free, and never past its bound.
#include "router/policy/hold_policy.h"

#include "gtest/gtest.h"

namespace caserouter {
namespace {

const absl::Time kNow = absl::FromUnixSeconds(1700000000);

// A chat (SLA 60 s: bound 20 s after arrival) that arrived 2 s ago; the best free agent
// resolves 60% (sd 0.03); a failure costs 300 s.
HoldContext Chat() {
  HoldContext x;
  x.now = kNow;
  x.enqueued = kNow - absl::Seconds(2);
  x.sla = absl::Seconds(60);
  x.best_free = {0.60, 0.03};
  x.failure_cost_seconds = 300;
  return x;
}

HoldCandidate InWrapUp(std::string id, double p, double seconds_left, double sd = 0.03) {
  HoldCandidate c;
  c.agent_id = std::move(id);
  c.resolution = {p, sd};
  c.free_at = kNow + absl::Seconds(seconds_left);
  return c;
}

HoldCandidate Busy(std::string id, double p, double expected_wait_seconds) {
  HoldCandidate c;
  c.agent_id = std::move(id);
  c.resolution = {p, 0.03};
  c.expected_wait = absl::Seconds(expected_wait_seconds);
  return c;
}

TEST(HoldPolicyTest, HoldsWhenTheGainOutweighsTheWait) {
  // 20 points better, free in 5 s: 0.2 x 300 s = 60 s of contacts saved for a 5 s wait.
  HoldDecision d = DecideHold(Chat(), {InWrapUp("best", 0.80, 5)});
  EXPECT_TRUE(d.hold);
  EXPECT_EQ(d.agent_id, "best");
  EXPECT_NEAR(d.gain_seconds, 60, 1e-9);
  EXPECT_NEAR(d.cost_seconds, 5, 1e-9);
  EXPECT_EQ(d.until, HoldBound(Chat().enqueued, Chat().sla, 0.5));
}

TEST(HoldPolicyTest, DoesNotHoldWhenTheWaitCostsMore) {
  // The same agent busy with a case: a whole handle time (310 s) for 60 s of contacts.
  EXPECT_FALSE(DecideHold(Chat(), {Busy("best", 0.80, 310)}).hold);
  // 5 points better, free in 16 s: 15 s gained for 16 s waited.
  EXPECT_FALSE(DecideHold(Chat(), {InWrapUp("better", 0.65, 16, 0.01)}).hold);
}

TEST(HoldPolicyTest, NeverHoldsWhileAnAgentAboutAsGoodIsFree) {
  // 4 points better, but the difference is within one standard deviation (0.042).
  HoldContext x = Chat();
  EXPECT_FALSE(DecideHold(x, {InWrapUp("close", 0.64, 0)}).hold);
  // Equal agents, as in an Erlang centre: never.
  x.best_free = {0.70, 0.01};
  EXPECT_FALSE(DecideHold(x, {InWrapUp("twin", 0.70, 0, 0.01)}).hold);
  // Asking for more confidence turns a hold into none.
  x = Chat();
  ASSERT_TRUE(DecideHold(x, {InWrapUp("best", 0.70, 5)}).hold);
  x.confidence = 3;
  EXPECT_FALSE(DecideHold(x, {InWrapUp("best", 0.70, 5)}).hold);
}

TEST(HoldPolicyTest, NeverHoldsPastTheBoundOrForSomeoneWhoComesTooLate) {
  HoldContext x = Chat();
  // Free only after the bound (18 s from now).
  EXPECT_FALSE(DecideHold(x, {InWrapUp("late", 0.95, 19)}).hold);
  // Past the bound itself.
  x.now = x.enqueued + absl::Seconds(21);
  EXPECT_FALSE(DecideHold(x, {InWrapUp("best", 0.95, 0)}).hold);
  // A live caller (SLA 20 s: bound 6.7 s) does not wait 8 s for anybody.
  x = Chat();
  x.sla = absl::Seconds(20);
  EXPECT_FALSE(DecideHold(x, {InWrapUp("best", 0.95, 8)}).hold);
  EXPECT_TRUE(DecideHold(x, {InWrapUp("best", 0.95, 3)}).hold);
}

TEST(HoldPolicyTest, AHoldForABusyAgentEndsWhenTheirExpectedWaitNoLongerFits) {
  // A failure worth 3,000 s; 10 s expected wait: the hold lasts until 10 s before the bound.
  HoldContext x = Chat();
  x.failure_cost_seconds = 3000;
  HoldDecision d = DecideHold(x, {Busy("best", 0.80, 10)});
  ASSERT_TRUE(d.hold);
  EXPECT_EQ(d.until, HoldBound(x.enqueued, x.sla, 0.5) - absl::Seconds(10));
  x.now = d.until;
  EXPECT_FALSE(DecideHold(x, {Busy("best", 0.80, 10)}).hold);
}

TEST(HoldPolicyTest, ChoosesTheCandidateThatNetsMostAndHoldsWhileAnyPasses) {
  HoldContext x = Chat();
  x.failure_cost_seconds = 3000;
  HoldDecision d = DecideHold(
      x, {InWrapUp("soon", 0.70, 1), InWrapUp("better-later", 0.90, 10), Busy("busy", 0.80, 5)});
  ASSERT_TRUE(d.hold);
  EXPECT_EQ(d.agent_id, "better-later");  // 900 - 10 > 300 - 1, 600 - 5
  EXPECT_EQ(d.until, HoldBound(x.enqueued, x.sla, 0.5));
}

TEST(HoldPolicyTest, TheBoundShrinksAsTheSlaRunsOut) {
  EXPECT_EQ(HoldBound(kNow, absl::Seconds(60), 0.5), kNow + absl::Seconds(20));
  EXPECT_EQ(HoldBound(kNow, absl::Seconds(60), 0), kNow);
  EXPECT_EQ(HoldBound(kNow, absl::Seconds(60), 1), kNow + absl::Seconds(30));
}

}  // namespace
}  // namespace caserouter
