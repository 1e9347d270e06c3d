#include "router/config/config_loader.h"

#include "gtest/gtest.h"

namespace caserouter {
namespace {

TEST(ConfigLoaderTest, EmptyDocumentKeepsDefaults) {
  absl::StatusOr<EngineConfig> config = ParseEngineConfig("");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->offer_timeout, EngineConfig().offer_timeout);
}

TEST(ConfigLoaderTest, ReadsEveryGroup) {
  absl::StatusOr<EngineConfig> config = ParseEngineConfig(R"(
domain: eu-west
channels:
  chat: {sla_seconds: 45, capacity_cost: 0.5, urgency: 30, ttl_seconds: 600, wrap_up_seconds: 5}
topics: [billing, outage]
priority_weights: {wait_vs_sla: 12, repeat_contact: 33}
offers: {timeout_seconds: 0.5, max_missed_in_row: 3, decline_pass_seconds: 60}
agents: {heartbeat_timeout_seconds: 2, reconnect_grace_seconds: 1}
retention: {closed_case_seconds: 3600}
leadership: {lease_ttl_seconds: 2}
limits: {max_queue: 50}
store: {command_timeout_seconds: 0.25, min_replicas_acked: 1, replica_ack_timeout_seconds: 0.2}
history: {repeat_window_seconds: 1800}
admission:
  live_reserve_share: 0.3
  channels: {social: {rate_per_second: 5, burst: 20}, phone: {rate_per_second: 0}}
routing:
  strategy: outcome
  by_topic: {outage: longest_idle}
  weights: {relationship: 12, quality: 50, exploration: 2, proficiency: 3, idle: 4, load: 6}
  prior_strength: 20
  relationship_half_life_seconds: 86400
  low_csat: 1
  occupancy_cap: 0.8
  bullseye_share: 0.25
  top_quality_share: 0.3
)");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->domain, "eu-west");
  const ChannelConfig& chat = config->channels[ChannelIndex(Channel::kChat)];
  EXPECT_EQ(chat.sla, absl::Seconds(45));
  EXPECT_DOUBLE_EQ(chat.capacity_cost, 0.5);
  EXPECT_EQ(chat.wrap_up, absl::Seconds(5));
  EXPECT_EQ(config->topics, (std::vector<std::string>{"billing", "outage"}));
  EXPECT_DOUBLE_EQ(config->priority.wait_vs_sla, 12);
  EXPECT_DOUBLE_EQ(config->priority.repeat_contact, 33);
  EXPECT_EQ(config->offer_timeout, absl::Milliseconds(500));
  EXPECT_EQ(config->max_missed_offers, 3);
  EXPECT_EQ(config->heartbeat_timeout, absl::Seconds(2));
  EXPECT_EQ(config->reconnect_grace, absl::Seconds(1));
  EXPECT_EQ(config->closed_retention, absl::Hours(1));
  EXPECT_EQ(config->lease_ttl, absl::Seconds(2));
  EXPECT_EQ(config->max_queue, 50);
  EXPECT_EQ(config->repeat_window, absl::Minutes(30));
  EXPECT_EQ(config->store.command_timeout, absl::Milliseconds(250));
  EXPECT_EQ(config->store.min_replicas_acked, 1);
  EXPECT_EQ(config->store.replica_ack_timeout, absl::Milliseconds(200));
  EXPECT_DOUBLE_EQ(config->admission.live_reserve_share, 0.3);
  const ChannelAdmission& social = config->admission.channels[ChannelIndex(Channel::kSocial)];
  EXPECT_DOUBLE_EQ(social.rate_per_second, 5);
  EXPECT_DOUBLE_EQ(social.burst, 20);
  EXPECT_DOUBLE_EQ(config->admission.channels[ChannelIndex(Channel::kPhone)].rate_per_second, 0);
  // Channels left out keep their defaults.
  EXPECT_DOUBLE_EQ(config->admission.channels[ChannelIndex(Channel::kEmail)].rate_per_second,
                   AdmissionConfig().channels[ChannelIndex(Channel::kEmail)].rate_per_second);
  EXPECT_EQ(config->StrategyFor("outage"), Strategy::kLongestIdle);
  EXPECT_EQ(config->StrategyFor("billing"), Strategy::kOutcome);
  EXPECT_DOUBLE_EQ(config->matching.relationship, 12);
  EXPECT_DOUBLE_EQ(config->matching.load, 6);
  EXPECT_DOUBLE_EQ(config->matching.prior_strength, 20);
  EXPECT_EQ(config->matching.relationship_half_life, absl::Hours(24));
  EXPECT_EQ(config->matching.low_csat, 1);
  EXPECT_DOUBLE_EQ(config->matching.occupancy_cap, 0.8);
  EXPECT_DOUBLE_EQ(config->matching.bullseye_share, 0.25);
  EXPECT_DOUBLE_EQ(config->matching.top_quality_share, 0.3);
}

struct BadConfig {
  const char* yaml;
  const char* key;  // must appear in the error
};

class ConfigLoaderRejects : public testing::TestWithParam<BadConfig> {};

TEST_P(ConfigLoaderRejects, NamesTheKey) {
  absl::StatusOr<EngineConfig> config = ParseEngineConfig(GetParam().yaml);
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(config.status().message().find(GetParam().key), std::string::npos) << config.status();
}

INSTANTIATE_TEST_SUITE_P(
    Cases, ConfigLoaderRejects,
    testing::Values(
        BadConfig{"domian: x", "domian"},
        BadConfig{"channels: {fax: {sla_seconds: 1}}", "channels.fax"},
        BadConfig{"channels: {phone: {sla_seconds: -1}}", "channels.phone.sla_seconds"},
        BadConfig{"channels: {chat: {capacity_cost: 2}}", "channels.chat.capacity_cost"},
        BadConfig{"channels: {email: {urgency: lots}}", "channels.email.urgency"},
        BadConfig{"topics: [Billing]", "topics[0]"}, BadConfig{"topics: [other]", "topics[0]"},
        BadConfig{"topics: billing", "topics"},
        BadConfig{"priority_weights: {reach: -3}", "priority_weights.reach"},
        BadConfig{"offers: {max_missed_in_row: 1.5}", "offers.max_missed_in_row"},
        BadConfig{"offers: {timeout: 3}", "offers.timeout"},
        BadConfig{"agents: {heartbeat_timeout_seconds: 0}", "agents.heartbeat_timeout_seconds"},
        BadConfig{"retention: {closed_case_seconds: 1}", "retention.closed_case_seconds"},
        BadConfig{"leadership: {lease_ttl_seconds: 0}", "leadership.lease_ttl_seconds"},
        BadConfig{"limits: {max_queue: 0}", "limits.max_queue"},
        BadConfig{"store: {command_timeout_seconds: 0}", "store.command_timeout_seconds"},
        BadConfig{"store: {min_replicas_acked: -1}", "store.min_replicas_acked"},
        BadConfig{"store: {replicas: 1}", "store.replicas"},
        BadConfig{"admission: {live_reserve_share: 1}", "admission.live_reserve_share"},
        BadConfig{"admission: {channels: {fax: {burst: 1}}}", "admission.channels.fax"},
        BadConfig{"admission: {channels: {social: {rate_per_second: -1}}}",
                  "admission.channels.social.rate_per_second"},
        BadConfig{"admission: {channels: {social: {rate: 5}}}", "admission.channels.social.rate"},
        BadConfig{"admission: {channels: {email: {rate_per_second: 5, burst: 0}}}",
                  "admission.channels.email.burst"},
        BadConfig{"channels: [1, 2]", "channels"}, BadConfig{"a: [", "line"},
        BadConfig{"routing: {strategy: calls_per_hour}", "routing.strategy"},
        BadConfig{"routing: {by_topic: {billing: fastest}}", "routing.by_topic.billing"},
        BadConfig{"routing: {weights: {handle_time: 5}}", "routing.weights.handle_time"},
        BadConfig{"routing: {occupancy_cap: 0}", "routing.occupancy_cap"},
        BadConfig{"history: {repeat_window_seconds: 864000}", "retention.closed_case_seconds"},
        // Issue 14: the floor group.
        BadConfig{"floor: {pending: {close_after_seconds: 0}}",
                  "floor.pending.close_after_seconds"},
        BadConfig{"floor: {away_reasons: [Lunch]}", "floor.away_reasons"},
        BadConfig{"floor: {away_reasons: [lunch, lunch]}", "floor.away_reasons"},
        BadConfig{"floor: {wrap_up: {max_extension_seconds: 99999}}",
                  "floor.wrap_up.max_extension_seconds"},
        BadConfig{"floor: {dispositions: {billing: refund}}", "floor.dispositions.billing"},
        BadConfig{"floor: {dispositions: {Billing: [refund]}}", "floor.dispositions.Billing"}));

TEST(ConfigLoaderTest, ReadsTheFloorGroup) {
  absl::StatusOr<EngineConfig> config = ParseEngineConfig(R"(floor:
  pending: {return_wait_seconds: 30, close_after_seconds: 3600}
  away_reasons: [break, lunch]
  wrap_up: {max_extension_seconds: 90}
  dispositions: {billing: [refund_issued, explained_charge]}
)");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->floor.pending_return_wait, absl::Seconds(30));
  EXPECT_EQ(config->floor.pending_close_after, absl::Seconds(3600));
  EXPECT_EQ(config->floor.away_reasons, (std::vector<std::string>{"break", "lunch"}));
  EXPECT_EQ(config->floor.max_wrap_up_extension, absl::Seconds(90));
  EXPECT_EQ(config->floor.dispositions.at("billing"),
            (std::vector<std::string>{"refund_issued", "explained_charge"}));
}

TEST(ConfigLoaderTest, MissingFileIsNotFound) {
  EXPECT_EQ(LoadEngineConfigFile("/nonexistent/caserouter.yaml").status().code(),
            absl::StatusCode::kNotFound);
}

TEST(ConfigLoaderTest, ShippedExampleLoads) {
  absl::StatusOr<EngineConfig> config =
      LoadEngineConfigFile(std::string(CASEROUTER_SOURCE_DIR) + "/deploy/caserouter.yaml");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->domain, "default");
  EXPECT_EQ(config->channels[ChannelIndex(Channel::kPhone)].sla, absl::Seconds(20));
  // The example states the defaults of admission.
  const AdmissionConfig defaults;
  for (Channel channel : kAllChannels) {
    const ChannelAdmission& got = config->admission.channels[ChannelIndex(channel)];
    const ChannelAdmission& want = defaults.channels[ChannelIndex(channel)];
    EXPECT_DOUBLE_EQ(got.rate_per_second, want.rate_per_second) << ChannelName(channel);
    if (want.rate_per_second > 0) {
      EXPECT_DOUBLE_EQ(got.burst, want.burst) << ChannelName(channel);
    }
  }
  EXPECT_DOUBLE_EQ(config->admission.live_reserve_share, defaults.live_reserve_share);
}

}  // namespace
}  // namespace caserouter
