// ReadIncidentTrace: a ServiceNow incident event log (Amaral et al., UCI) as a Trace.
//
// Input: `incident-event-log/incident_event_log_subset.csv` (36 columns, one row per state
// change of an incident, `?` = missing, dates `DD-MM-YYYY HH:MM`; see the data set's
// README.md). Columns are found by their header names.
//
// One case per incident `number`, as it was submitted (its first event):
//  - arrival = opened_at (the log does not name a zone: Trace::zone is UTC);
//  - channel: CHAT for priority 1-Critical and 2-High, EMAIL for 3-Moderate and 4-Low. Every
//    contact in the log came by phone, but an incident's work is asynchronous: replaying it as
//    a live PHONE case would hold an agent's whole capacity for hours. The urgent ones get the
//    tighter CHAT SLA, the rest EMAIL's;
//  - explicit_priority from priority: 1→90, 2→60, 3→30, 4→10;
//  - topic = category with spaces as underscores, lower-cased ("Category 55" → "category_55",
//    a valid configuration word), "uncategorised" when missing; required skill =
//    assignment_group the same way ("Group 56" → "group_56", a valid skill name) at
//    proficiency >= 1, none when missing. Both are
//    taken from the first event that has them (a few first events lack them);
//  - customer_id "inc-<caller_id>" with spaces as underscores ("inc-caller_2403");
//  - served_by = resolved_by as named in the data ("Resolved by 149"), "" when missing;
//  - handle_time = resolved_at − opened_at, capped at 8 h (an agent's working day; the real
//    span runs to days and is mostly waiting), 0 when unresolved or negative;
//  - transfers = the highest reassignment_count among the incident's events;
//  - thread_id and idempotency key "inc-<number>"; no subject (the log holds no text);
//    customer_value 0; not abandoned.
// Events of one incident must be contiguous (they are in the UCI export); an incident number
// seen again after others → INVALID_ARGUMENT. A malformed row → INVALID_ARGUMENT "line N,
// column <name>: ..." (never the row's content).
//
// Thread safety: free functions without shared state.
#ifndef CASEROUTER_TOOLS_REPLAY_INCIDENT_TRACE_H_
#define CASEROUTER_TOOLS_REPLAY_INCIDENT_TRACE_H_

#include <cstdint>
#include <istream>
#include <optional>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "tools/replay/trace.h"

namespace caserouter {

struct IncidentTraceOptions {
  // Keep only the first max_cases cases by arrival.
  std::optional<int64_t> max_cases;
  // Upper bound of handle_time.
  absl::Duration max_handle_time = absl::Hours(8);
};

absl::StatusOr<Trace> ReadIncidentTrace(std::istream& in, const IncidentTraceOptions& options);
absl::StatusOr<Trace> ReadIncidentTraceFile(absl::string_view path,
                                            const IncidentTraceOptions& options);

}  // namespace caserouter

#endif  // CASEROUTER_TOOLS_REPLAY_INCIDENT_TRACE_H_
