// ReadBankTrace: the Technion "Anonymous Bank" call log (February 1999) as a Trace of PHONE
// cases.
//
// Input: `anonymous-bank/anonymous_bank_february_1999.tsv` (tab-separated, header row, 17
// columns; see the data set's README.md). Columns are found by their header names.
//
// One non-PHANTOM row = one case:
//  - arrival: `date` + `q_start`, the moment the caller asked for an agent; `vru_exit` when
//    the call never queued (`q_start` = 0:00:00 and `q_time` = 0). A time of day more than
//    12 h before `vru_entry` belongs to the next day (calls crossing midnight). Times are the
//    bank's local wall clock, Israel Standard Time (UTC+2; no daylight saving in Feb 1999),
//    so Trace::zone = UTC+2.
//  - topic from `type`: PS "retail", PE "retail_english", IN "internet", NE "stocks",
//    NW "new_customer", TT "callback"; required skill = the topic at proficiency >= 1;
//    language "en" for PE, "he" for the rest.
//  - customer_id "bank-<customer_id>"; an unidentified caller (0) gets a unique
//    "bank-anon-<vru+line>-<call_id>" (call ids repeat across VRU lines, so the line is part
//    of the id). 21 rows hold ids that a spreadsheet rounded to "6.02701E+11": they are kept
//    verbatim ("bank-6.02701E+11"), so the few callers rounded to one number share an id.
//  - priority 2 (priority customer): explicit_priority 50, customer_value 1000; else value 100.
//  - handle_time = `ser_time` (0 for the few AGENT rows with no service record);
//    abandoned = outcome HANG, with patience = `q_time` (0 for the 1,941 callers who hung up
//    in the VRU before queueing); served_by = `server`, "" for NO_SERVER.
//  - idempotency key "bank-<vru+line>-<call_id>-<date>" (unique in the file).
//  - no subject (the log holds no text), no thread (one call = one case), transfers 0.
//
// Errors: a malformed row → INVALID_ARGUMENT "line N, column <name>: ..." (never the row's
// content); a missing header column → INVALID_ARGUMENT naming it. ReadBankTraceFile: a file
// that cannot be opened → NOT_FOUND naming the path.
//
// Thread safety: free functions without shared state.
#ifndef CASEROUTER_TOOLS_REPLAY_BANK_TRACE_H_
#define CASEROUTER_TOOLS_REPLAY_BANK_TRACE_H_

#include <cstdint>
#include <istream>
#include <optional>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "tools/replay/trace.h"

namespace caserouter {

struct BankTraceOptions {
  // Keep only calls whose `date` lies in [first_day, last_day] (either bound optional).
  std::optional<absl::CivilDay> first_day;
  std::optional<absl::CivilDay> last_day;
  // Keep only the first max_cases cases by arrival.
  std::optional<int64_t> max_cases;
};

absl::StatusOr<Trace> ReadBankTrace(std::istream& in, const BankTraceOptions& options);
absl::StatusOr<Trace> ReadBankTraceFile(absl::string_view path, const BankTraceOptions& options);

}  // namespace caserouter

#endif  // CASEROUTER_TOOLS_REPLAY_BANK_TRACE_H_
