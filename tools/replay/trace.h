// Trace: a replayable stream of customer cases, neutral to where it came from.
//
// A reader (ReadBankTrace, ReadTwcsTrace, ReadIncidentTrace) turns one real data set into a
// Trace; the simulator replays it against the Engine on a virtual clock: at `start + arrival`
// it submits `spec`, later feeds the `follow_up_messages`, lets the customer leave after
// `patience`, and may use `handle_time`/`served_by` as the ground truth of what happened in the
// data. Nothing here reads a clock, a file or the network.
//
//   absl::StatusOr<Trace> trace = ReadBankTraceFile(path, {});
//   if (!trace.ok()) return trace.status();
//   for (const TraceCase& c : trace->cases) sim.At(trace->start + c.arrival, c.spec);
//
// `spec.subject` and `follow_up_messages` are customer text (personal data): they go to the
// engine like real submissions and never into logs, metrics or error messages.
//
// Thread safety: plain values; no internal synchronisation.
#ifndef CASEROUTER_TOOLS_REPLAY_TRACE_H_
#define CASEROUTER_TOOLS_REPLAY_TRACE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "router/model/case.h"

namespace caserouter {

// One case as it happened in the data.
struct TraceCase {
  // Offset from Trace::start at which the customer's first contact arrived. >= 0.
  absl::Duration arrival = absl::ZeroDuration();
  // What an adapter would have submitted: channel, customer_id, topic, required_skills,
  // language, customer_value, explicit_priority, subject, idempotency_key, reach, is_public.
  // The readers leave the sentiment unset (has_sentiment = false): the engine or the
  // simulator estimates it.
  CaseSpec spec;
  // Real service time in the data; ZeroDuration() when the data does not tell.
  absl::Duration handle_time = absl::ZeroDuration();
  // Time from arrival until the customer gave up; InfiniteDuration() unless `abandoned`.
  absl::Duration patience = absl::InfiniteDuration();
  bool abandoned = false;
  // The agent who served the case in the data, as named there; "" if none.
  std::string served_by;
  // The conversation this case belongs to (tweet thread, incident number); "" when the data
  // has no conversation structure (one phone call = one case).
  std::string thread_id;
  // Further customer messages of the same case, in arrival order (case continuity).
  std::vector<std::string> follow_up_messages;
  // How often the case was handed from one queue/group to another in the data.
  int transfers = 0;
};

struct Trace {
  std::vector<TraceCase> cases;     // sorted by arrival (ties: by idempotency key)
  std::vector<std::string> agents;  // distinct non-empty served_by names, sorted
  // Time origin of the arrivals: the arrival time of the first case (InfinitePast() when the
  // trace is empty).
  absl::Time start = absl::InfinitePast();
  // The zone of the data's wall clock, so a replay can recover the time of day of an arrival
  // (shifts, daily peaks): absl::FormatTime(start + c.arrival, zone).
  absl::TimeZone zone = absl::UTCTimeZone();
  std::string name;  // e.g. "anonymous-bank-1999-02"
};

// A case whose arrival is still an absolute time: what the readers collect before MakeTrace.
struct TimedTraceCase {
  absl::Time arrival;
  TraceCase trace_case;  // its `arrival` is ignored; MakeTrace fills it
};

// Sorts `cases` by arrival (ties by idempotency key, so the order is deterministic), keeps the
// first `max_cases` if given, sets start to the first arrival and every arrival relative to
// it, and collects the distinct served_by names.
Trace MakeTrace(std::vector<TimedTraceCase> cases, std::optional<int64_t> max_cases,
                std::string name, absl::TimeZone zone);

}  // namespace caserouter

#endif  // CASEROUTER_TOOLS_REPLAY_TRACE_H_
