// The benchmark section, read through the loader (issue 17).
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "router/config/config_loader.h"

namespace caserouter {
namespace {

TEST(BenchmarkSectionTest, ReadsEveryKey) {
  absl::StatusOr<EngineConfig> config = ParseEngineConfig(R"(
benchmark:
  enabled: true
  mode: split
  arms:
    - {name: outcome, strategy: outcome, share: 3}
    - {name: idle, strategy: longest_idle}
  slot_seconds: 600
  stabilisation_seconds: 30
  start_unix_seconds: 1700000000
  seed: 99
  topics: [billing]
  service_level_floor: 0.6
  service_level_min_cases: 20
)");
  ASSERT_TRUE(config.ok()) << config.status();
  const BenchmarkConfig& b = config->benchmark;
  EXPECT_TRUE(b.enabled);
  EXPECT_EQ(b.mode, BenchmarkMode::kSplit);
  ASSERT_EQ(b.arms.size(), 2u);
  EXPECT_EQ(b.arms[0].name, "outcome");
  EXPECT_EQ(b.arms[0].share, 3);
  EXPECT_EQ(b.arms[1].strategy, Strategy::kLongestIdle);
  EXPECT_EQ(b.arms[1].share, 1);
  EXPECT_EQ(b.slot_length, absl::Minutes(10));
  EXPECT_EQ(b.stabilisation, absl::Seconds(30));
  EXPECT_EQ(b.start, absl::FromUnixSeconds(1700000000));
  EXPECT_EQ(b.seed, 99u);
  EXPECT_EQ(b.topics, std::vector<std::string>{"billing"});
  EXPECT_EQ(b.service_level_floor, 0.6);
  EXPECT_EQ(b.service_level_min_cases, 20);
}

TEST(BenchmarkSectionTest, AbsentOrDisabledIsNoBenchmark) {
  absl::StatusOr<EngineConfig> none = ParseEngineConfig("domain: d\n");
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->benchmark.enabled);
  absl::StatusOr<EngineConfig> off = ParseEngineConfig("benchmark: {enabled: false}\n");
  ASSERT_TRUE(off.ok()) << off.status();
  EXPECT_FALSE(off->benchmark.enabled);
}

TEST(BenchmarkSectionTest, BadValuesNameTheirKey) {
  struct Bad {
    const char* yaml;
    const char* key;
  };
  const Bad cases[] = {
      {"benchmark: {enabled: true, arms: [{name: a, strategy: outcome}]}", "benchmark.arms"},
      {"benchmark: {mode: alternate}", "benchmark.mode"},
      {"benchmark: {arms: [{name: a, strategy: fastest}]}", "benchmark.arms[0].strategy"},
      {"benchmark: {arms: [{name: A!, strategy: outcome}]}", "benchmark.arms[0].name"},
      {"benchmark: {arms: [{strategy: outcome}]}", "benchmark.arms[0].name"},
      {"benchmark: {arms: [{name: a, strategy: outcome}, {name: a, strategy: round_robin}]}",
       "benchmark.arms[1]"},
      {"benchmark: {arms: [{name: a, strategy: outcome, colour: red}]}",
       "benchmark.arms[0].colour"},
      {"benchmark: {slot_seconds: 60, stabilisation_seconds: 60}",
       "benchmark.stabilisation_seconds"},
      {"benchmark: {service_level_floor: 1.5}", "benchmark.service_level_floor"},
      {"benchmark: {seed: 1.5}", "benchmark.seed"},
      {"benchmark: {topics: [Billing]}", "benchmark.topics[0]"},
      {"benchmark: {enabled: maybe}", "benchmark.enabled"},
      {"benchmark: {slots: 3}", "benchmark.slots"},
  };
  for (const Bad& c : cases) {
    absl::StatusOr<EngineConfig> config = ParseEngineConfig(c.yaml);
    ASSERT_FALSE(config.ok()) << c.yaml;
    EXPECT_EQ(config.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_NE(config.status().message().find(absl::StrCat("'", c.key, "'")), std::string::npos)
        << c.yaml << ": " << config.status().message();
  }
}

}  // namespace
}  // namespace caserouter
