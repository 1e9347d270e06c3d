#include "tools/sim/traffic_variation.h"

#include <algorithm>
#include <map>
#include <random>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"

namespace caserouter {
namespace {

// A shift this long is not a day's work: the agent is always there.
constexpr absl::Duration kAlwaysOn = absl::Hours(36);

}  // namespace

Workload ResampleDays(const Workload& w, uint64_t seed, int replay_days) {
  const Trace& trace = w.trace;
  if (trace.cases.empty() || trace.start == absl::InfinitePast()) return w;
  const absl::TimeZone zone = trace.zone;
  const absl::CivilDay first = absl::ToCivilDay(trace.start, zone);
  auto day_of = [&](absl::Duration offset) -> int64_t {
    return absl::ToCivilDay(trace.start + offset, zone) - first;
  };
  // Offset of a day's midnight from the trace's start.
  auto midnight = [&](int64_t day) { return absl::FromCivil(first + day, zone) - trace.start; };
  const int64_t trace_days = day_of(trace.cases.back().arrival) + 1;
  const int64_t days = replay_days > 0 ? replay_days : trace_days;

  std::vector<std::vector<const TraceCase*>> cases_by_day(trace_days);
  for (const TraceCase& c : trace.cases) cases_by_day[day_of(c.arrival)].push_back(&c);

  // The pool of each weekday: days of the trace that share it.
  std::map<absl::Weekday, std::vector<int64_t>> by_weekday;
  for (int64_t d = 0; d < trace_days; ++d) by_weekday[absl::GetWeekday(first + d)].push_back(d);
  std::vector<int64_t> every_day(trace_days);
  for (int64_t d = 0; d < trace_days; ++d) every_day[d] = d;

  std::mt19937_64 random(seed * 0x9E3779B97F4A7C15ull + 0x5EED);
  std::vector<int64_t> source(days);
  for (int64_t d = 0; d < days; ++d) {
    const std::vector<int64_t>& same = by_weekday[absl::GetWeekday(first + d)];
    const std::vector<int64_t>& pool = same.size() >= 2 ? same : every_day;
    source[d] = pool[std::uniform_int_distribution<size_t>(0, pool.size() - 1)(random)];
  }

  Workload out = w;
  out.trace.cases.clear();
  for (int64_t d = 0; d < days; ++d) {
    const absl::Duration shift = midnight(d) - midnight(source[d]);
    for (const TraceCase* c : cases_by_day[source[d]]) {
      TraceCase copy = *c;
      copy.arrival = std::max(absl::ZeroDuration(), c->arrival + shift);
      copy.spec.idempotency_key = absl::StrCat(c->spec.idempotency_key, "-d", d);
      if (!copy.thread_id.empty()) copy.thread_id = absl::StrCat(c->thread_id, "-d", d);
      out.trace.cases.push_back(std::move(copy));
    }
  }
  std::stable_sort(
      out.trace.cases.begin(), out.trace.cases.end(), [](const TraceCase& a, const TraceCase& b) {
        return a.arrival != b.arrival ? a.arrival < b.arrival
                                      : a.spec.idempotency_key < b.spec.idempotency_key;
      });
  for (size_t i = 0; i < w.agents.size(); ++i) {
    std::vector<Shift> shifts;
    std::map<int64_t, std::vector<Shift>> by_day;
    for (const Shift& s : w.agents[i].shifts) {
      if (s.end - s.start > kAlwaysOn) {
        // Stretched over a longer replay by the days it adds.
        shifts.push_back(
            Shift{s.start, s.end + absl::Hours(24) * std::max<int64_t>(0, days - trace_days)});
      } else {
        by_day[day_of(s.start)].push_back(s);
      }
    }
    for (int64_t d = 0; d < days; ++d) {
      auto it = by_day.find(source[d]);
      if (it == by_day.end()) continue;
      const absl::Duration shift = midnight(d) - midnight(source[d]);
      for (const Shift& s : it->second) {
        shifts.push_back(Shift{std::max(absl::ZeroDuration(), s.start + shift), s.end + shift});
      }
    }
    std::sort(shifts.begin(), shifts.end(),
              [](const Shift& a, const Shift& b) { return a.start < b.start; });
    // Shifts of neighbouring days may touch after the move: merge overlaps.
    std::vector<Shift> merged;
    for (const Shift& s : shifts) {
      if (!merged.empty() && s.start <= merged.back().end) {
        merged.back().end = std::max(merged.back().end, s.end);
      } else {
        merged.push_back(s);
      }
    }
    out.agents[i].shifts = std::move(merged);
  }
  out.name = absl::StrCat(w.name, ", days resampled");
  return out;
}

}  // namespace caserouter
