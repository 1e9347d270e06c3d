#include "tools/replay/trace.h"

#include <algorithm>
#include <utility>

#include "absl/container/btree_set.h"

namespace caserouter {

Trace MakeTrace(std::vector<TimedTraceCase> cases, std::optional<int64_t> max_cases,
                std::string name, absl::TimeZone zone) {
  std::sort(cases.begin(), cases.end(), [](const TimedTraceCase& a, const TimedTraceCase& b) {
    if (a.arrival != b.arrival) return a.arrival < b.arrival;
    return a.trace_case.spec.idempotency_key < b.trace_case.spec.idempotency_key;
  });
  if (max_cases.has_value() && *max_cases >= 0 &&
      static_cast<uint64_t>(*max_cases) < cases.size()) {
    cases.resize(static_cast<size_t>(*max_cases));
  }
  Trace trace;
  trace.name = std::move(name);
  trace.zone = zone;
  if (!cases.empty()) trace.start = cases.front().arrival;
  absl::btree_set<std::string> agents;
  trace.cases.reserve(cases.size());
  for (TimedTraceCase& timed : cases) {
    timed.trace_case.arrival = timed.arrival - trace.start;
    if (!timed.trace_case.served_by.empty()) agents.insert(timed.trace_case.served_by);
    trace.cases.push_back(std::move(timed.trace_case));
  }
  trace.agents.assign(agents.begin(), agents.end());
  return trace;
}

}  // namespace caserouter
