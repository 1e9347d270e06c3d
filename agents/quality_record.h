// QualityRecord: one agent's real record on one topic, and Relationship: one customer's record
// with one agent. Both are counters the engine updates from outcomes; the matching policy reads
// them. Plain values, no I/O.
//
// "Real" means corrected by what happened next: when a customer comes back on the same topic
// within the repeat window after a case marked resolved, that case's first-contact resolution
// is taken back (first_contact_resolutions -1, repeats_after_resolved +1).
//
// What the router learns from is `evidence_resolutions`: each case counted resolved or not on
// the best evidence there is, the customer's before the agent's — a repeat contact says "not
// resolved"; otherwise a survey says it (CSAT 4-5, the usual top-two box, "resolved"; 1-3
// "not"); only a case with neither is taken at the agent's word. Every contact counts, repeat
// contacts too: an agent's chance of resolving does not depend on whether the customer tried
// before.
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
  int64_t handle_seconds_sum = 0;    // for capacity planning; never rewards an agent
  int64_t evidence_resolutions = 0;  // resolved on the best evidence (see above)
};

// Whether a completed case counts as resolved on the best evidence the outcome holds: the
// customer's survey when there is one, else the agent's report (a repeat contact later takes
// it back: TrackRecord::TakeBackResolution).
inline bool ResolvedOnEvidence(bool reported_resolved, int csat) {
  return csat > 0 ? csat >= 4 : reported_resolved;
}

// One agent's record across every topic: how far the agent's cases came out above (or below)
// the team's rate on their topic at the time. The hierarchical estimate of an agent's
// resolution on a topic with a thin record leans on it (see router/policy/resolution_estimate.h).
// Derived from the quality records: rebuilt from them when they are loaded.
struct AgentRecord {
  double cases = 0;
  double excess_resolutions = 0;  // sum over cases of (resolved on evidence - team rate then)
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
  double resolution_rate = 0.5;  // resolved on evidence / completed; 0.5 before any case
  double completed = 0;
};

}  // namespace caserouter

#endif  // CASEROUTER_AGENTS_QUALITY_RECORD_H_
