// Resampled days: each seed a different replay of the same trace, day for day, shifts moving
// with their day, nothing lost or renamed wrongly.
#include "tools/sim/traffic_variation.h"

#include <set>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace caserouter {
namespace {

// Fourteen days from Monday 2024-01-01 (UTC): on day d, d+1 cases at 09:00 + i minutes; one
// agent working 09:00-19:00 every day but Sundays, one always on.
Workload TwoWeeks() {
  Workload w;
  w.trace.start = absl::FromCivil(absl::CivilSecond(2024, 1, 1, 9, 0, 0), absl::UTCTimeZone());
  for (int d = 0; d < 14; ++d) {
    for (int i = 0; i <= d; ++i) {
      TraceCase c;
      c.arrival = absl::Hours(24 * d) + absl::Minutes(i);
      c.spec.idempotency_key = absl::StrCat("k", d, "-", i);
      c.spec.customer_id = absl::StrCat("cust", i);
      c.thread_id = absl::StrCat("t", d);
      w.trace.cases.push_back(c);
    }
  }
  SimAgent day_worker, always;
  day_worker.profile.id = "day";
  always.profile.id = "always";
  for (int d = 0; d < 14; ++d) {
    if (d % 7 == 6) continue;  // Sunday off
    day_worker.shifts.push_back(Shift{absl::Hours(24 * d), absl::Hours(24 * d) + absl::Hours(10)});
  }
  always.shifts = {Shift{absl::ZeroDuration(), absl::Hours(24 * 20)}};
  w.agents = {day_worker, always};
  return w;
}

// Day of a case by its arrival, and how many cases each day had: d+1 on source day d.
std::multiset<size_t> DaySizes(const Workload& w) {
  std::map<int64_t, size_t> count;
  for (const TraceCase& c : w.trace.cases) ++count[absl::ToInt64Hours(c.arrival) / 24];
  std::multiset<size_t> sizes;
  for (const auto& [day, n] : count) sizes.insert(n);
  return sizes;
}

TEST(TrafficVariationTest, EachSeedDrawsItsDaysFromTheSameWeekday) {
  Workload w = TwoWeeks();
  Workload a = ResampleDays(w, 1), b = ResampleDays(w, 2), a2 = ResampleDays(w, 1);
  ASSERT_EQ(a.trace.cases.size(), a2.trace.cases.size());
  for (size_t i = 0; i < a.trace.cases.size(); ++i) {
    EXPECT_EQ(a.trace.cases[i].spec.idempotency_key, a2.trace.cases[i].spec.idempotency_key);
  }
  std::set<std::string> keys_a, keys_b;
  for (const TraceCase& c : a.trace.cases) keys_a.insert(c.spec.idempotency_key);
  for (const TraceCase& c : b.trace.cases) keys_b.insert(c.spec.idempotency_key);
  EXPECT_NE(keys_a, keys_b);
  EXPECT_EQ(keys_a.size(), a.trace.cases.size()) << "a key given twice";
  // Day d of the output holds the cases of day d or d +/- 7 of the trace: d + 1 or d + 1 -/+ 7.
  std::map<int64_t, size_t> count;
  for (const TraceCase& c : a.trace.cases) ++count[absl::ToInt64Hours(c.arrival) / 24];
  for (const auto& [day, n] : count) {
    EXPECT_TRUE(n == static_cast<size_t>(day % 7 + 1) || n == static_cast<size_t>(day % 7 + 8))
        << "day " << day << " has " << n;
  }
  for (size_t i = 1; i < a.trace.cases.size(); ++i) {
    EXPECT_LE(a.trace.cases[i - 1].arrival, a.trace.cases[i].arrival);
  }
}

TEST(TrafficVariationTest, ShiftsMoveWithTheirDayAndAlwaysOnStays) {
  Workload w = TwoWeeks();
  for (uint64_t seed : {1, 2, 3}) {
    Workload r = ResampleDays(w, seed);
    ASSERT_EQ(r.agents.size(), 2u);
    // Sundays stay off (they are drawn from Sundays), the other twelve days keep a shift.
    EXPECT_EQ(r.agents[0].shifts.size(), 12u);
    for (const Shift& s : r.agents[0].shifts) {
      EXPECT_NE(absl::ToInt64Hours(s.start) / 24 % 7, 6);
      EXPECT_EQ(s.end - s.start, absl::Hours(10));
    }
    EXPECT_EQ(r.agents[1].shifts.size(), 1u);
    EXPECT_EQ(r.agents[1].shifts[0].end, absl::Hours(24 * 20));
  }
}

TEST(TrafficVariationTest, ALongerReplayRepeatsTheTracesDays) {
  Workload w = TwoWeeks();
  Workload r = ResampleDays(w, 4, 28);
  std::map<int64_t, size_t> count;
  for (const TraceCase& c : r.trace.cases) ++count[absl::ToInt64Hours(c.arrival) / 24];
  EXPECT_EQ(count.size(), 28u);
  EXPECT_GT(count.rbegin()->first, 21);
  EXPECT_EQ(r.agents[0].shifts.size(), 24u);                   // four weeks but Sundays
  EXPECT_EQ(r.agents[1].shifts[0].end, absl::Hours(24 * 34));  // stretched by 14 days
}

TEST(TrafficVariationTest, AShortTracePoolsAllItsDays) {
  Workload w = TwoWeeks();
  w.trace.cases.resize(6);  // days 0-2 (1 + 2 + 3 cases): no weekday twice
  std::set<std::multiset<size_t>> seen;
  for (uint64_t seed = 1; seed <= 20; ++seed) seen.insert(DaySizes(ResampleDays(w, seed)));
  EXPECT_GT(seen.size(), 3u);
}

}  // namespace
}  // namespace caserouter
