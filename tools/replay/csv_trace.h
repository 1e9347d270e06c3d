// ReadCsvTrace: a contact centre's own history, in a generic CSV format, as a Trace.
//
// So that a centre can replay its own traffic in the simulator. One row per contact, a header
// row naming the columns (any order; other columns are ignored):
//
//   column            required  meaning
//   arrival_time      yes       RFC 3339 ("2024-03-04T09:00:05Z", "2024-03-04T11:00:05+02:00")
//                               or seconds (a number) from any origin of your choice
//   channel           yes       phone, chat, social or email
//   topic             yes       what it was about: a word of [a-z0-9_.-], 1-64 characters
//                               (it is also the skill the contact needs)
//   customer          yes       a stable customer id (the same customer across contacts)
//   handle_seconds    no        how long an agent worked on it; empty: the simulator's model
//   patience_seconds  no        for a contact that gave up: how long it waited first; empty:
//                               unknown, the simulator's model of the channel decides
//   agent             no        who served it, as named in your data; empty: not known
//   language          no        the language it needed ("en", "de"); empty: any
//
// Rows become cases as an adapter would submit them (required skill = the topic at
// proficiency 1, idempotency key "csv-<line>"), checked by the engine's own rules, and are
// sorted by arrival; the trace's start is the first arrival, its zone the one given. A bad
// row → INVALID_ARGUMENT "line N, column <name>: ..." (never the row's content); a missing
// required column → INVALID_ARGUMENT naming it. tools/replay/example_trace.csv is an example.
//
//   absl::StatusOr<Trace> trace = ReadCsvTraceFile("my_centre.csv", {});
//
// Thread safety: free functions without shared state.
#ifndef CASEROUTER_TOOLS_REPLAY_CSV_TRACE_H_
#define CASEROUTER_TOOLS_REPLAY_CSV_TRACE_H_

#include <cstdint>
#include <istream>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "tools/replay/trace.h"

namespace caserouter {

struct CsvTraceOptions {
  std::optional<int64_t> max_cases;  // keep only the first N by arrival
  // The zone of the centre's wall clock (shifts and days are read in it).
  absl::TimeZone zone = absl::UTCTimeZone();
  std::string name = "csv";
};

absl::StatusOr<Trace> ReadCsvTrace(std::istream& in, const CsvTraceOptions& options);
absl::StatusOr<Trace> ReadCsvTraceFile(absl::string_view path, const CsvTraceOptions& options);

}  // namespace caserouter

#endif  // CASEROUTER_TOOLS_REPLAY_CSV_TRACE_H_
