// EngineConfig: every tunable of a routing domain's engine, with defaults that make sense out of
// the box. Loaded from YAML by config_loader.h; plain value, no I/O.
#ifndef CASEROUTER_ROUTER_ENGINE_CONFIG_H_
#define CASEROUTER_ROUTER_ENGINE_CONFIG_H_

#include <string>
#include <vector>

#include "absl/time/time.h"
#include "agents/channel.h"

namespace caserouter {

struct ChannelConfig {
  absl::Duration sla;          // target time to answer
  double capacity_cost = 1.0;  // share of an agent's attention one case takes (1.0 = all)
  double urgency = 0;          // priority term for the channel itself
  absl::Duration ttl;          // a case nobody took in this time expires
  absl::Duration wrap_up;      // after-case work before the agent gets another offer
};

// Weights of the priority terms (see priority.h).
struct PriorityWeights {
  double wait_vs_sla = 30;         // per SLA elapsed, unbounded so nothing starves
  double customer_value = 10;      // at the top of the value scale
  double negative_sentiment = 10;  // at sentiment -1
  double reach = 10;               // a public post with a million followers
  double explicit_priority = 0.2;  // per point of the adapter's 0..100
  double repeat_contact = 20;      // the customer had to come back
};

struct EngineConfig {
  std::string domain = "default";
  PerChannel<ChannelConfig> channels = {
      ChannelConfig{absl::Seconds(20), 1.0, 40, absl::Minutes(15), absl::Seconds(30)},
      ChannelConfig{absl::Seconds(60), 0.34, 25, absl::Minutes(30), absl::Seconds(10)},
      ChannelConfig{absl::Minutes(15), 0.25, 15, absl::Hours(24), absl::Seconds(10)},
      ChannelConfig{absl::Hours(4), 0.2, 5, absl::Hours(72), absl::Seconds(10)},
  };
  // Topics reported as metric labels; any other topic is routed but counted as "other".
  std::vector<std::string> topics = {"billing", "technical", "account", "sales", "outage",
                                     "general"};
  PriorityWeights priority;

  absl::Duration offer_timeout = absl::Seconds(20);
  int max_missed_offers = 2;                             // in a row, then the agent is set AWAY
  absl::Duration decline_pass = absl::Minutes(5);        // a decliner is skipped this long
  absl::Duration heartbeat_timeout = absl::Seconds(15);  // a silent desk session is dead
  absl::Duration reconnect_grace = absl::Seconds(60);    // assignments wait this long for a
                                                         // disconnected agent, then re-route
  absl::Duration closed_retention = absl::Hours(24);     // closed cases (and idempotency keys)
  absl::Duration lease_ttl = absl::Seconds(5);           // leadership lease
  int max_queue = 100000;                                // open cases; beyond: RESOURCE_EXHAUSTED
};

}  // namespace caserouter

#endif  // CASEROUTER_ROUTER_ENGINE_CONFIG_H_
