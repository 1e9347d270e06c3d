// Unit tests of the load generator's parts that need no server: Redis counters, ports lines,
// option checks, the stored case record and the report's verdicts.
#include <cmath>
#include <string>

#include "absl/strings/match.h"
#include "gtest/gtest.h"
#include "tools/load/child_process.h"
#include "tools/load/load_driver.h"
#include "tools/load/matrix.h"
#include "tools/load/redis_probe.h"
#include "tools/load/stored_cases.h"

namespace caserouter::load {
namespace {

TEST(RedisProbeTest, RoundTripsAreTopLevelCallsOnly) {
  const std::string info =
      "# Commandstats\r\n"
      "cmdstat_evalsha:calls=30,usec=900,usec_per_call=30.00,rejected_calls=0,failed_calls=0\r\n"
      "cmdstat_hset:calls=1200,usec=1200,usec_per_call=1.00,rejected_calls=0,failed_calls=0\r\n"
      "cmdstat_ping:calls=5,usec=5,usec_per_call=1.00,rejected_calls=0,failed_calls=0\r\n"
      "cmdstat_info:calls=7,usec=70,usec_per_call=10.00,rejected_calls=0,failed_calls=0\r\n";
  const auto calls = ParseCommandStats(info);
  ASSERT_EQ(calls.size(), 4u);
  EXPECT_EQ(calls.at("hset"), 1200);
  const RedisCounters counters = CountersFromCalls(calls);
  // A script's inner HSETs are work, not round trips; the probe's own INFO is neither.
  EXPECT_EQ(counters.round_trips, 35);
  EXPECT_EQ(counters.commands, 1235);
}

TEST(RedisProbeTest, OnlyLoopback) {
  EXPECT_TRUE(absl::IsInvalidArgument(RedisProbe::Connect("10.0.0.1", 6379).status()));
  CeilingOptions ceiling;
  ceiling.host = "redis.example";
  ceiling.port = 6379;
  ceiling.record = {{"v", "1"}};
  EXPECT_TRUE(absl::IsInvalidArgument(WriteCeiling(ceiling).status()));
}

TEST(ChildProcessTest, PortsLine) {
  EXPECT_EQ(ParsePort("grpc_port=41234 metrics_port=41235", "grpc_port"), 41234);
  EXPECT_EQ(ParsePort("grpc_port=41234 metrics_port=41235", "metrics_port"), 41235);
  EXPECT_EQ(ParsePort("grpc_port=x", "grpc_port"), 0);
  EXPECT_EQ(ParsePort("", "grpc_port"), 0);
  absl::StatusOr<int> port = FreeLoopbackPort();
  ASSERT_TRUE(port.ok());
  EXPECT_GT(*port, 0);
}

TEST(LoadOptionsTest, TargetsStayOnThisMachine) {
  SessionOptions session;
  session.target = "127.0.0.1:5000";
  EXPECT_TRUE(ValidateSessionOptions(session).ok());
  session.target = "10.1.2.3:5000";
  EXPECT_TRUE(absl::IsInvalidArgument(ValidateSessionOptions(session)));
  EXPECT_TRUE(absl::IsInvalidArgument(WaitForServing("example.com:443", absl::Seconds(1))));
}

TEST(LoadOptionsTest, PhaseNeedsALoadShape) {
  PhaseOptions phase;
  EXPECT_TRUE(ValidatePhaseOptions(phase).ok());
  phase.in_flight = 0;  // open loop without a rate
  EXPECT_TRUE(absl::IsInvalidArgument(ValidatePhaseOptions(phase)));
  phase.rate = 100;
  EXPECT_TRUE(ValidatePhaseOptions(phase).ok());
  phase.channel_mix = {0, 0, 0, 0};
  EXPECT_TRUE(absl::IsInvalidArgument(ValidatePhaseOptions(phase)));
}

TEST(StoredCasesTest, SampleRecordIsAStoredCaseWithItsSubject) {
  const FieldList record = SampleCaseRecord(300);
  bool subject = false;
  for (const auto& [field, value] : record) {
    if (field == "subject") subject = value.size() == 300;
  }
  EXPECT_TRUE(subject);
  absl::StatusOr<Case> back = DecodeCase(record);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->state, CaseState::kQueued);
}

MatrixReport SmallReport(double router_ratio) {
  MatrixReport r;
  r.started = "2030-01-01 00:00 UTC";
  r.machine = "test";
  for (int in_flight : {32, 128}) {
    for (const char* system : {"echo", "router"}) {
      Measurement m;
      m.ran = true;
      m.system = system;
      m.in_flight = in_flight;
      m.round = 1;
      m.result.window = absl::Seconds(1);
      m.result.normal.ok =
          std::string(system) == "echo" ? 1000 : static_cast<int64_t>(1000 * router_ratio);
      m.result.normal.sent = m.result.normal.ok;
      r.submit.push_back(m);
    }
  }
  return r;
}

TEST(MatrixReportTest, VerdictsFollowTheFigures) {
  const std::string good = RenderMarkdown(SmallReport(0.7));
  EXPECT_TRUE(absl::StrContains(
      good,
      "| SubmitCase throughput ≥ 60 % of echo's at 32 and 128 in flight | 70 %, 70 % | met |"))
      << good;
  const std::string bad = RenderMarkdown(SmallReport(0.2));
  EXPECT_TRUE(absl::StrContains(bad, "| 20 %, 20 % | not yet |")) << bad;
  // Rows that did not run are said to be unmeasured, not met.
  EXPECT_TRUE(absl::StrContains(bad, "| a full queue's refusal ≤ 5 ms (p99) | — | not measured |"))
      << bad;
}

}  // namespace
}  // namespace caserouter::load
