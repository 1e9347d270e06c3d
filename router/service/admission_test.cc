#include "router/service/admission.h"

#include <cstdint>
#include <string>

#include "absl/strings/match.h"
#include "gtest/gtest.h"
#include "prometheus/registry.h"

namespace caserouter {
namespace {

// A fixture whose engine count is a plain number the test sets and publishes.
class AdmissionTest : public testing::Test {
 protected:
  AdmissionTest() : metrics_(&registry_) {}

  EngineConfig Config(int max_queue, double live_reserve_share, double social_rate,
                      double social_burst) {
    EngineConfig config;
    config.max_queue = max_queue;
    config.admission.live_reserve_share = live_reserve_share;
    for (ChannelAdmission& a : config.admission.channels) a = ChannelAdmission{0, 0};
    config.admission.channels[ChannelIndex(Channel::kSocial)] =
        ChannelAdmission{social_rate, social_burst};
    return config;
  }

  Admission Make(const EngineConfig& config) {
    auto open_cases = [this] { return OpenCases{open_, version_}; };
    return Admission(config, max_calls_in_flight_, open_cases, &clock_, &metrics_);
  }

  // What the engine does at the end of a tick.
  void Publish(int64_t open) {
    open_ = open;
    ++version_;
  }

  // Admits `n` submissions on `channel` (answering each at once as adding no case, so that
  // only the engine's count fills the queue) and returns how many were admitted.
  int AdmitAnswered(Admission& admission, Channel channel, int n) {
    int admitted = 0;
    for (int i = 0; i < n; ++i) {
      if (admission.Admit(channel).ok()) {
        admission.Answered(channel, /*added=*/false);
        ++admitted;
      }
    }
    return admitted;
  }

  double Refusals(Channel channel, AdmissionRefusal reason) {
    for (const auto& family : registry_.Collect()) {
      if (family.name != "caserouter_admission_refusals_total") continue;
      for (const auto& metric : family.metric) {
        std::string c, r;
        for (const auto& label : metric.label) {
          if (label.name == "channel") c = label.value;
          if (label.name == "reason") r = label.value;
        }
        if (c == ChannelName(channel) && r == NameOf(kAdmissionRefusalNames, reason)) {
          return metric.counter.value;
        }
      }
    }
    return -1;
  }

  prometheus::Registry registry_;
  ServerMetrics metrics_;
  FakeClock clock_;
  int64_t open_ = 0;
  uint32_t version_ = 1;
  int max_calls_in_flight_ = 2048;
};

TEST_F(AdmissionTest, ASocialBurstBeyondItsBucketIsRefusedWhilePhoneAndChatPass) {
  Admission admission = Make(Config(100000, 0.2, 10, 5));
  EXPECT_EQ(AdmitAnswered(admission, Channel::kSocial, 50), 5);
  EXPECT_EQ(AdmitAnswered(admission, Channel::kPhone, 200), 200);
  EXPECT_EQ(AdmitAnswered(admission, Channel::kChat, 200), 200);
  EXPECT_EQ(Refusals(Channel::kSocial, AdmissionRefusal::kRate), 45);
  EXPECT_EQ(Refusals(Channel::kPhone, AdmissionRefusal::kRate), 0);
  EXPECT_EQ(Refusals(Channel::kChat, AdmissionRefusal::kRate), 0);

  absl::Status refused = admission.Admit(Channel::kSocial);
  EXPECT_EQ(refused.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_TRUE(absl::StrContains(refused.message(), "social")) << refused;
  EXPECT_TRUE(absl::StrContains(refused.message(), "10 a second")) << refused;
}

TEST_F(AdmissionTest, TheBucketRefillsAtItsRateUpToItsBurst) {
  Admission admission = Make(Config(100000, 0.2, 10, 5));
  EXPECT_EQ(AdmitAnswered(admission, Channel::kSocial, 5), 5);
  EXPECT_EQ(AdmitAnswered(admission, Channel::kSocial, 1), 0);
  clock_.Advance(absl::Milliseconds(300));  // 3 tokens
  EXPECT_EQ(AdmitAnswered(admission, Channel::kSocial, 10), 3);
  clock_.Advance(absl::Hours(1));  // never more than the burst
  EXPECT_EQ(AdmitAnswered(admission, Channel::kSocial, 10), 5);
  clock_.Advance(absl::Seconds(-30));  // a clock that went back refills nothing
  EXPECT_EQ(AdmitAnswered(admission, Channel::kSocial, 1), 0);
}

TEST_F(AdmissionTest, AFullQueueRefusesEveryChannelWithoutTakingTokens) {
  Admission admission = Make(Config(10, 0, 10, 5));
  open_ = 10;
  for (Channel channel : kAllChannels) {
    absl::Status refused = admission.Admit(channel);
    EXPECT_EQ(refused.code(), absl::StatusCode::kResourceExhausted) << ChannelName(channel);
    EXPECT_TRUE(absl::StrContains(refused.message(), "max_queue")) << refused;
    EXPECT_EQ(Refusals(channel, AdmissionRefusal::kQueueFull), 1);
  }
  open_ = 0;
  EXPECT_EQ(AdmitAnswered(admission, Channel::kSocial, 10), 5);  // the bucket is still full
}

TEST_F(AdmissionTest, TheLiveReserveIsForPhoneAndChatOnly) {
  Admission admission = Make(Config(10, 0.3, 0, 0));  // social and email stop at 7
  open_ = 7;
  for (Channel deferred : {Channel::kSocial, Channel::kEmail}) {
    absl::Status refused = admission.Admit(deferred);
    EXPECT_EQ(refused.code(), absl::StatusCode::kResourceExhausted);
    EXPECT_TRUE(absl::StrContains(refused.message(), "phone and chat")) << refused;
    EXPECT_EQ(Refusals(deferred, AdmissionRefusal::kLiveReserve), 1);
  }
  EXPECT_TRUE(admission.Admit(Channel::kPhone).ok());
  EXPECT_TRUE(admission.Admit(Channel::kChat).ok());
  Publish(5);  // two cases closed; the call and the chat still wait for the engine: 7
  EXPECT_FALSE(admission.Admit(Channel::kEmail).ok());
  admission.Answered(Channel::kChat, /*added=*/false);  // joined the customer's open case: 6
  admission.Answered(Channel::kPhone, /*added=*/true);
  EXPECT_TRUE(admission.Admit(Channel::kEmail).ok());
}

TEST_F(AdmissionTest, SubmissionsNotYetAnsweredCountAsQueued) {
  Admission admission = Make(Config(3, 0, 0, 0));
  EXPECT_TRUE(admission.Admit(Channel::kPhone).ok());
  EXPECT_TRUE(admission.Admit(Channel::kPhone).ok());
  EXPECT_TRUE(admission.Admit(Channel::kPhone).ok());
  EXPECT_EQ(admission.pending(), 3);
  EXPECT_EQ(admission.Admit(Channel::kPhone).code(), absl::StatusCode::kResourceExhausted);
  admission.Answered(Channel::kPhone, /*added=*/false);  // a duplicate: the queue did not grow
  EXPECT_TRUE(admission.Admit(Channel::kPhone).ok());
}

// The engine answers a tick's submissions, then publishes the count that holds them: an
// answered new case counts until then, and never twice.
TEST_F(AdmissionTest, AnsweredCasesCountOnceBeforeAndAfterTheEnginePublishesThem) {
  Admission admission = Make(Config(3, 0, 0, 0));
  ASSERT_TRUE(admission.Admit(Channel::kPhone).ok());
  ASSERT_TRUE(admission.Admit(Channel::kPhone).ok());
  admission.Answered(Channel::kPhone, /*added=*/true);
  admission.Answered(Channel::kPhone, /*added=*/true);  // answered, not yet in the count: 2
  ASSERT_TRUE(admission.Admit(Channel::kChat).ok());    // 3
  EXPECT_FALSE(admission.Admit(Channel::kChat).ok());
  Publish(2);  // the tick's count holds the two: still 3, not 5
  EXPECT_FALSE(admission.Admit(Channel::kChat).ok());
  admission.Answered(Channel::kChat,
                     /*added=*/true);  // the third, answered by the next tick: 2 + 1
  EXPECT_FALSE(admission.Admit(Channel::kChat).ok());
  Publish(3);
  EXPECT_FALSE(admission.Admit(Channel::kChat).ok());
  Publish(1);  // two completed
  EXPECT_TRUE(admission.Admit(Channel::kChat).ok());
  EXPECT_TRUE(admission.Admit(Channel::kChat).ok());
  EXPECT_FALSE(admission.Admit(Channel::kChat).ok());
}

TEST_F(AdmissionTest, SocialAndEmailWaitingForTheEngineLeaveCallsInFlightForPhoneAndChat) {
  max_calls_in_flight_ = 10;
  Admission admission = Make(Config(100000, 0.3, 0, 0));  // 7 of the 10 for social and email
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(admission.Admit(Channel::kSocial).ok());
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(admission.Admit(Channel::kEmail).ok());
  absl::Status refused = admission.Admit(Channel::kSocial);
  EXPECT_EQ(refused.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_TRUE(absl::StrContains(refused.message(), "phone and chat")) << refused;
  EXPECT_EQ(Refusals(Channel::kSocial, AdmissionRefusal::kLiveReserve), 1);
  EXPECT_TRUE(admission.Admit(Channel::kPhone).ok());
  EXPECT_TRUE(admission.Admit(Channel::kChat).ok());
  admission.Answered(Channel::kEmail, /*added=*/false);  // one answered: room for one more
  EXPECT_TRUE(admission.Admit(Channel::kSocial).ok());
  EXPECT_FALSE(admission.Admit(Channel::kEmail).ok());
}

TEST_F(AdmissionTest, AReloadKeepsTheBucketLevelWithinTheNewBurst) {
  Admission admission = Make(Config(100000, 0.2, 10, 5));
  EXPECT_EQ(AdmitAnswered(admission, Channel::kSocial, 3), 3);  // 2 left
  admission.Configure(Config(100000, 0.2, 10, 50));
  EXPECT_EQ(AdmitAnswered(admission, Channel::kSocial, 10), 2);  // not refilled by the reload
  admission.Configure(Config(100000, 0.2, 0, 0));                // limit off
  EXPECT_EQ(AdmitAnswered(admission, Channel::kSocial, 100), 100);
  admission.Configure(Config(100000, 0.2, 1, 4));  // on again: starts full
  EXPECT_EQ(AdmitAnswered(admission, Channel::kSocial, 10), 4);
}

}  // namespace
}  // namespace caserouter
