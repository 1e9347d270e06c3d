// Shared by the incremental and the full routing pass: the global order of waiting cases, and
// what one pass reports to the observer. Internal to the routing pass.
#ifndef CASEROUTER_ROUTER_ENGINE_ROUTING_TALLY_H_
#define CASEROUTER_ROUTER_ENGINE_ROUTING_TALLY_H_

#include <array>
#include <cstdint>

#include "router/engine/routing_pass.h"
#include "router/model/case.h"
#include "router/model/reasons.h"
#include "router/model/score.h"
#include "router/policy/matching.h"

namespace caserouter {

// The one global order across all queues of a domain: priority, then age, then id.
inline bool RoutesBefore(const Score& pa, const Case& a, const Score& pb, const Case& b) {
  if (pa.total != pb.total) return pa.total > pb.total;
  if (a.enqueued_time != b.enqueued_time) return a.enqueued_time < b.enqueued_time;
  return a.id < b.id;
}

struct RoutingPass::Tally {
  std::array<int, kExclusionCount> excluded = {};
  int sticky_hits = 0;
  int sticky_misses = 0;
  int64_t decided = 0;

  void Count(const Decision& d) {
    ++decided;
    for (int i = 0; i < kExclusionCount; ++i) excluded[i] += d.excluded_by[i];
  }
};

}  // namespace caserouter

#endif  // CASEROUTER_ROUTER_ENGINE_ROUTING_TALLY_H_
