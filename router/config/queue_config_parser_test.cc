#include "router/config/queue_config_parser.h"

#include <string>

#include "gtest/gtest.h"
#include "router/config/config_loader.h"

namespace caserouter {
namespace {

TEST(QueueConfigParserTest, NoQueuesByDefault) {
  absl::StatusOr<EngineConfig> config = ParseEngineConfig("domain: x");
  ASSERT_TRUE(config.ok());
  EXPECT_TRUE(config->queues.empty());
}

TEST(QueueConfigParserTest, ReadsEveryKey) {
  absl::StatusOr<EngineConfig> config = ParseEngineConfig(R"(
queues:
  - name: billing_fr
    filter: "topic == billing and language == fr"
    agents: "skill.billing >= 5"
    members: [a1, a2]
    strategy: longest_idle
    service_level: {target_seconds: 60, share: 0.9}
    priority: 10
    plan:
      - {wait_seconds: 30, agents: "skill.billing >= 8"}
      - {wait_seconds: 60}
      - {overflow: spill, domain: paris}
  - name: general
    plan: [{wait_seconds: 600}, {final: callback}]
)");
  ASSERT_TRUE(config.ok()) << config.status();
  ASSERT_EQ(config->queues.size(), 2u);
  const QueueConfig& q = config->queues[0];
  EXPECT_EQ(q.name, "billing_fr");
  EXPECT_EQ(q.filter, "topic == billing and language == fr");
  EXPECT_EQ(q.agents, "skill.billing >= 5");
  EXPECT_EQ(q.members, (std::vector<std::string>{"a1", "a2"}));
  ASSERT_TRUE(q.strategy.has_value());
  EXPECT_EQ(*q.strategy, Strategy::kLongestIdle);
  ASSERT_TRUE(q.service_level.has_value());
  EXPECT_EQ(q.service_level->target, absl::Seconds(60));
  EXPECT_DOUBLE_EQ(q.service_level->share, 0.9);
  EXPECT_DOUBLE_EQ(q.priority, 10);
  ASSERT_EQ(q.plan.size(), 3u);
  EXPECT_EQ(q.plan[0].kind, PlanStep::Kind::kWait);
  EXPECT_EQ(q.plan[0].wait, absl::Seconds(30));
  EXPECT_EQ(q.plan[0].agents, "skill.billing >= 8");
  EXPECT_EQ(q.plan[2].kind, PlanStep::Kind::kOverflow);
  EXPECT_EQ(q.plan[2].overflow_queue, "spill");
  EXPECT_EQ(q.plan[2].overflow_domain, "paris");
  EXPECT_EQ(config->queues[1].plan[1].kind, PlanStep::Kind::kFinal);
  EXPECT_EQ(config->queues[1].plan[1].action, FinalAction::kCallback);
}

struct BadQueues {
  const char* yaml;
  const char* error;  // must appear in the message
};

class QueueConfigRejects : public testing::TestWithParam<BadQueues> {};

TEST_P(QueueConfigRejects, NamesTheKeyAndThePosition) {
  absl::StatusOr<EngineConfig> config = ParseEngineConfig(GetParam().yaml);
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(config.status().message().find(GetParam().error), std::string::npos) << config.status();
}

INSTANTIATE_TEST_SUITE_P(
    Cases, QueueConfigRejects,
    testing::Values(
        BadQueues{"queues: {name: x}", "'queues': must be a list of queues"},
        BadQueues{"queues: [{filter: 'topic == a'}]", "'queues[0].name': is required"},
        BadQueues{"queues: [{name: Bad Name}]", "'queues[0].name'"},
        BadQueues{"queues: [{name: a, colour: red}]", "'queues[0].colour': unknown key"},
        BadQueues{"queues: [{name: a, filter: 'topic == billing and'}]",
                  "'queues[0].filter': at position 21: expected an attribute"},
        BadQueues{"queues: [{name: a, filter: 'tpic == x'}]",
                  "'queues[0].filter': at position 1: unknown attribute 'tpic'"},
        BadQueues{"queues: [{name: a, agents: 'skill.x >> 3'}]", "'queues[0].agents': at position"},
        BadQueues{"queues: [{name: a, strategy: fastest}]", "'queues[0].strategy'"},
        BadQueues{"queues: [{name: a, priority: 5000}]", "'queues[0].priority'"},
        BadQueues{"queues: [{name: a, service_level: {target_seconds: 0}}]",
                  "'queues[0].service_level.target_seconds'"},
        BadQueues{"queues: [{name: a, plan: []}]", "'queues[0].plan': must be a non-empty"},
        BadQueues{"queues: [{name: a, plan: [{wait_seconds: -1}]}]",
                  "'queues[0].plan[0].wait_seconds'"},
        BadQueues{"queues: [{name: a, plan: [{wait_seconds: 5, overflow: b}]}]",
                  "'queues[0].plan[0]': must have exactly one of"},
        BadQueues{"queues: [{name: a, plan: [{final: voicemail}]}]",
                  "'queues[0].plan[0].final': must be one of callback, ticket, expire"},
        BadQueues{"queues: [{name: a, plan: [{final: expire, agents: 'id == x'}]}]",
                  "'queues[0].plan[0].agents': only a wait step"},
        BadQueues{"queues: [{name: a, plan: [{wait_seconds: 5, agents: 'skill.b >= '}]}]",
                  "'queues[0].plan[0].agents': at position 12: expected a value"},
        BadQueues{"queues: [{name: a, plan: [{wait_seconds: 5}, {overflow: b}]}]",
                  "'queues[0].plan[1].overflow': no queue named \"b\""},
        BadQueues{"queues: [{name: a, plan: [{overflow: b}]}, {name: b, plan: [{overflow: a}]}]",
                  "'queues[0].plan': its overflows form a cycle"},
        BadQueues{"queues: [{name: a}, {name: a}]", "'queues[1].name': a queue of that name"}));

TEST(QueueConfigParserTest, ShippedExamplePlansLoad) {
  for (const char* file : {"/deploy/queues/synthetic.yaml", "/deploy/queues/bank.yaml"}) {
    absl::StatusOr<EngineConfig> config =
        LoadEngineConfigFile(std::string(CASEROUTER_SOURCE_DIR) + file);
    ASSERT_TRUE(config.ok()) << file << ": " << config.status();
    EXPECT_GE(config->queues.size(), 4u) << file;
  }
}

}  // namespace
}  // namespace caserouter
