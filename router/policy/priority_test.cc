#include "router/policy/priority.h"

#include "gtest/gtest.h"

namespace caserouter {
namespace {

const absl::Time kNow = absl::FromUnixSeconds(1700000000);

Case Waiting(Channel channel, absl::Duration waited) {
  Case c;
  c.id = "c1";
  c.spec.channel = channel;
  c.enqueued_time = kNow - waited;
  return c;
}

double Term(const Score& s, const std::string& name) {
  for (const ScoreTerm& t : s.terms) {
    if (t.name == name) return t.value;
  }
  return 0;
}

TEST(PriorityTest, ChannelUrgencyOrdersFreshCases) {
  EngineConfig config;
  double phone = ScorePriority(Waiting(Channel::kPhone, absl::ZeroDuration()), config, kNow).total;
  double chat = ScorePriority(Waiting(Channel::kChat, absl::ZeroDuration()), config, kNow).total;
  double social =
      ScorePriority(Waiting(Channel::kSocial, absl::ZeroDuration()), config, kNow).total;
  double email = ScorePriority(Waiting(Channel::kEmail, absl::ZeroDuration()), config, kNow).total;
  EXPECT_GT(phone, chat);
  EXPECT_GT(chat, social);
  EXPECT_GT(social, email);
}

TEST(PriorityTest, WaitingAgainstSlaAgesSoNothingStarves) {
  EngineConfig config;
  // An email that waited 10 SLAs outranks a phone call that just arrived.
  Score old_email = ScorePriority(Waiting(Channel::kEmail, absl::Hours(40)), config, kNow);
  Score new_call = ScorePriority(Waiting(Channel::kPhone, absl::ZeroDuration()), config, kNow);
  EXPECT_GT(old_email.total, new_call.total);
  EXPECT_DOUBLE_EQ(Term(old_email, "wait_vs_sla"), 30 * 10);
  // Half the SLA of a chat is half the weight.
  Score chat = ScorePriority(Waiting(Channel::kChat, absl::Seconds(30)), config, kNow);
  EXPECT_DOUBLE_EQ(Term(chat, "wait_vs_sla"), 15);
}

TEST(PriorityTest, EachSignalIsANamedTerm) {
  EngineConfig config;
  Case c = Waiting(Channel::kSocial, absl::ZeroDuration());
  c.spec.customer_value = 1e6;
  c.spec.sentiment = -0.5;
  c.spec.is_public = true;
  c.spec.reach = 999999;
  c.spec.explicit_priority = 50;
  c.repeat_of = "c0";
  Score s = ScorePriority(c, config, kNow);
  EXPECT_NEAR(Term(s, "customer_value"), 10, 1e-9);
  EXPECT_NEAR(Term(s, "negative_sentiment"), 5, 1e-9);
  EXPECT_NEAR(Term(s, "reach"), 10, 1e-6);
  EXPECT_NEAR(Term(s, "explicit_priority"), 10, 1e-9);
  EXPECT_NEAR(Term(s, "repeat_contact"), 20, 1e-9);
  EXPECT_NEAR(Term(s, "channel_urgency"), 15, 1e-9);
  double sum = 0;
  for (const ScoreTerm& t : s.terms) sum += t.value;
  EXPECT_DOUBLE_EQ(sum, s.total);
}

TEST(PriorityTest, PrivateMessagesHaveNoReachAndHappyCustomersNoSentimentBoost) {
  EngineConfig config;
  Case c = Waiting(Channel::kSocial, absl::ZeroDuration());
  c.spec.reach = 1000000;
  c.spec.is_public = false;
  c.spec.sentiment = 0.9;
  Score s = ScorePriority(c, config, kNow);
  EXPECT_EQ(Term(s, "reach"), 0);
  EXPECT_EQ(Term(s, "negative_sentiment"), 0);
}

TEST(PriorityTest, ValueIsLogScaledSoTenfoldIsOneStep) {
  EngineConfig config;
  Case a = Waiting(Channel::kChat, absl::ZeroDuration());
  Case b = a;
  a.spec.customer_value = 100;
  b.spec.customer_value = 10000;
  double ta = Term(ScorePriority(a, config, kNow), "customer_value");
  double tb = Term(ScorePriority(b, config, kNow), "customer_value");
  EXPECT_GT(tb, ta);
  EXPECT_LE(tb, 10);
}

}  // namespace
}  // namespace caserouter
