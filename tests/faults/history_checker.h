// The one checker of the fault suite: reads a history (history.h) and names every broken
// promise of the router (docs/reliability.md). A run passes only with none.
//
//   acknowledged_case_missing  a SubmitCase answered OK whose case the final sweep (GetCase of
//                              every acknowledged id on the leader, records with final=true)
//                              did not find — except answers after loss_allowed_after, the
//                              moment a scenario rolled the store back to;
//   key_with_two_cases         one idempotency key answered OK with two case ids;
//   case_with_two_customers    one case id answered (SubmitCase or GetCase) for two customers
//                              (an id reissued to someone else);
//   case_with_two_owners       an agent's Accept or Complete answered OK, or its Welcome listing
//                              the case, while another agent owned it: from its accepted Accept
//                              (or a Welcome listing it) until its accepted Complete, a Welcome
//                              of its own that no longer lists it, or reconnect_grace after its
//                              desk's stream ended without a new session;
//   offer_never_resolved       an offer a desk received that nothing resolved before the end of
//                              the history (or within offer_bound): an Ack of that desk's
//                              Accept, Decline or Complete of the case, a revocation, or the end
//                              of the desk's session;
//   desk_on_non_leader         a desk session kept open on a replica that did not lead (leader
//                              records of the watcher; a replica not yet seen counts as
//                              leading) for longer than desk_bound.
//
// Records are taken in time order (ties in file order). Thread-safe (pure).
#ifndef CASEROUTER_TESTS_FAULTS_HISTORY_CHECKER_H_
#define CASEROUTER_TESTS_FAULTS_HISTORY_CHECKER_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "history.pb.h"

namespace caserouter::faults {

struct CheckOptions {
  // Acknowledgements answered after this time may be missing from the final sweep.
  absl::Time loss_allowed_after = absl::InfiniteFuture();
  absl::Duration desk_bound = absl::Seconds(5);
  absl::Duration reconnect_grace = absl::Seconds(60);
  // An offer resolved later than this after it arrived counts as never resolved.
  absl::Duration offer_bound = absl::InfiniteDuration();
};

struct Violation {
  std::string kind;    // one of the names above
  std::string detail;  // ids and times, never customer text
};

// What a history holds, for the figures of docs/reliability.md.
struct HistoryFigures {
  int64_t submits = 0;       // SubmitCase answers of any code
  int64_t acknowledged = 0;  // distinct case ids answered OK to SubmitCase
  int64_t desk_events = 0;
  int64_t faults = 0;
  int64_t requests = 0;  // every answer a client got (submits, gets, acks)
};

std::vector<Violation> CheckHistory(std::vector<HistoryRecord> history,
                                    const CheckOptions& options = CheckOptions());
HistoryFigures FiguresOf(const std::vector<HistoryRecord>& history);
// "kind: detail" lines, for test messages.
std::string Describe(const std::vector<Violation>& violations);

}  // namespace caserouter::faults

#endif  // CASEROUTER_TESTS_FAULTS_HISTORY_CHECKER_H_
