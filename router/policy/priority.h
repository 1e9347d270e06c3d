// Priority: how urgent a waiting case is, as a sum of named terms.
//
// Pure function of the case, the configuration and `now`. The score is recomputed each routing
// pass because the wait term grows with time (aging: nothing starves). Terms:
//   channel_urgency     a live caller outranks a chat, a chat a public post, a post an email
//   wait_vs_sla         time waited as a fraction of the channel's SLA, times its weight
//   customer_value      log-scaled value from the adapter (1e6 = full weight)
//   negative_sentiment  an angry customer (sentiment -1 = full weight)
//   reach               followers of a public social post, log-scaled (1e6 = full weight)
//   explicit_priority   the adapter's 0..100
//   repeat_contact      the customer had to come back: they must not wait again
// Terms that are zero are left out of the explanation.
#ifndef CASEROUTER_ROUTER_POLICY_PRIORITY_H_
#define CASEROUTER_ROUTER_POLICY_PRIORITY_H_

#include "absl/time/time.h"
#include "router/model/case.h"
#include "router/model/engine_config.h"
#include "router/model/score.h"

namespace caserouter {

Score ScorePriority(const Case& c, const EngineConfig& config, absl::Time now);

}  // namespace caserouter

#endif  // CASEROUTER_ROUTER_POLICY_PRIORITY_H_
