// QualityRecord: one agent's real record on one topic, and Relationship: one customer's record
// with one agent. Both are counters the engine updates from outcomes; the matching policy reads
// them. Plain values, no I/O.
//
// "Real" means corrected by what happened next: when a customer comes back on the same topic
// within the repeat window after a case marked resolved, that case's first-contact resolution
// is taken back (first_contact_resolutions -1, repeats_after_resolved +1).
#ifndef CASEROUTER_AGENTS_QUALITY_RECORD_H_
#define CASEROUTER_AGENTS_QUALITY_RECORD_H_

#include <cstdint>
#include <string>

#include "absl/time/time.h"

namespace caserouter {

struct QualityRecord {
  std::string agent_id;
  std::string topic;
  int64_t completed = 0;                  // cases completed on this topic
  int64_t resolved = 0;                   // ... marked resolved by the agent
  int64_t first_contact_resolutions = 0;  // resolved and not (yet) come back
  int64_t repeats_after_resolved = 0;     // marked resolved, but the customer came back
  int64_t csat_sum = 0;                   // sum of CSAT scores given (1..5 each)
  int64_t csat_count = 0;
  int64_t handle_seconds_sum = 0;  // for capacity planning; never rewards an agent
};

struct Relationship {
  std::string customer_id;
  std::string agent_id;
  int64_t cases = 0;
  int64_t resolved = 0;
  int64_t csat_sum = 0;
  int64_t csat_count = 0;
  int last_csat = 0;  // 0 = none given
  absl::Time last_contact = absl::InfinitePast();
};

// The team's record on a topic: the prior the smoothing pulls toward.
struct TeamRecord {
  double fcr_rate = 0.5;
  double csat_mean = 3.5;
  double mean_handle_seconds = 300;
};

}  // namespace caserouter

#endif  // CASEROUTER_AGENTS_QUALITY_RECORD_H_
