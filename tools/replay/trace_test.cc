#include "tools/replay/trace.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace caserouter {
namespace {

TimedTraceCase At(absl::Time t, const std::string& key, const std::string& agent) {
  TimedTraceCase timed;
  timed.arrival = t;
  timed.trace_case.spec.idempotency_key = key;
  timed.trace_case.served_by = agent;
  return timed;
}

TEST(MakeTraceTest, SortsByArrivalThenKeyAndMakesArrivalsRelative) {
  const absl::Time t0 = absl::FromUnixSeconds(1000);
  std::vector<TimedTraceCase> cases = {
      At(t0 + absl::Seconds(30), "c", "bob"),
      At(t0 + absl::Seconds(10), "b", ""),
      At(t0 + absl::Seconds(10), "a", "alice"),
      At(t0 + absl::Seconds(20), "d", "bob"),
  };
  Trace trace = MakeTrace(cases, std::nullopt, "t", absl::FixedTimeZone(3600));
  EXPECT_EQ(trace.name, "t");
  EXPECT_EQ(trace.start, t0 + absl::Seconds(10));
  EXPECT_EQ(trace.zone, absl::FixedTimeZone(3600));
  ASSERT_EQ(trace.cases.size(), 4u);
  EXPECT_EQ(trace.cases[0].spec.idempotency_key, "a");
  EXPECT_EQ(trace.cases[1].spec.idempotency_key, "b");
  EXPECT_EQ(trace.cases[2].spec.idempotency_key, "d");
  EXPECT_EQ(trace.cases[3].spec.idempotency_key, "c");
  EXPECT_EQ(trace.cases[0].arrival, absl::ZeroDuration());
  EXPECT_EQ(trace.cases[2].arrival, absl::Seconds(10));
  EXPECT_EQ(trace.cases[3].arrival, absl::Seconds(20));
  EXPECT_EQ(trace.agents, (std::vector<std::string>{"alice", "bob"}));
}

TEST(MakeTraceTest, MaxCasesKeepsTheEarliest) {
  const absl::Time t0 = absl::FromUnixSeconds(0);
  std::vector<TimedTraceCase> cases = {
      At(t0 + absl::Seconds(3), "late", "x"),
      At(t0 + absl::Seconds(1), "early", "y"),
      At(t0 + absl::Seconds(2), "middle", "z"),
  };
  Trace trace = MakeTrace(cases, 2, "t", absl::UTCTimeZone());
  ASSERT_EQ(trace.cases.size(), 2u);
  EXPECT_EQ(trace.cases[0].spec.idempotency_key, "early");
  EXPECT_EQ(trace.cases[1].spec.idempotency_key, "middle");
  EXPECT_EQ(trace.agents, (std::vector<std::string>{"y", "z"}));  // only the kept cases

  EXPECT_TRUE(MakeTrace(cases, 0, "t", absl::UTCTimeZone()).cases.empty());
}

TEST(MakeTraceTest, EmptyTraceStartsInThePast) {
  Trace trace = MakeTrace({}, std::nullopt, "empty", absl::UTCTimeZone());
  EXPECT_TRUE(trace.cases.empty());
  EXPECT_TRUE(trace.agents.empty());
  EXPECT_EQ(trace.start, absl::InfinitePast());
}

}  // namespace
}  // namespace caserouter
