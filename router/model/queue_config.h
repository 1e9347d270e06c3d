// QueueConfig: the queues and routing plans a centre defines (issue 16), as the configuration
// states them. Plain values: the filter expressions are kept as text here (the model layer
// cannot see the policy's parser) and parsed by router/policy/case_filter.h — checked when the
// configuration is loaded (router/config/queue_config_parser.h), compiled again by whoever
// routes with them (router/policy/routing_plan.h).
//
//   queues:
//     - name: billing_fr
//       filter: "topic == billing and language == fr"
//       agents: "skill.billing >= 5 and language == fr"   # or members: [a1, a2]
//       strategy: outcome
//       service_level: {target_seconds: 60, share: 0.8}
//       priority: 10
//       plan:
//         - {wait_seconds: 30, agents: "skill.billing >= 8"}
//         - {wait_seconds: 60}
//         - {overflow: billing_en}
//
// With no queue configured every case is in the implicit default queue (`kDefaultQueue`): no
// filter, every agent, the domain's strategy and the default plan — route as the router always
// did (the two-ring bullseye of hold_policy.h), until the case's channel TTL ends it.
#ifndef CASEROUTER_ROUTER_MODEL_QUEUE_CONFIG_H_
#define CASEROUTER_ROUTER_MODEL_QUEUE_CONFIG_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "router/model/enum_names.h"

namespace caserouter {

enum class Strategy;  // engine_config.h

// A metric label and a name in explanations: every case not taken by a configured queue.
inline constexpr char kDefaultQueue[] = "default";

// What ends a plan when its last waiting step runs out.
enum class FinalAction {
  kNone = 0,      // keep routing at the last step until the channel's TTL (the default plan)
  kCallback = 1,  // offer the customer a callback (issue 13 builds callbacks): the case ends
                  // with reason "callback_offered" and a "callback_offer" event
  kTicket = 2,    // turn the case into a ticket (email): it ends with reason "ticket_created"
                  // and a "ticket_created" event the email adapter acts on
  kExpire = 3,    // the case expires now with reason "plan_expired"
};

inline constexpr EnumName<FinalAction> kFinalActionNames[] = {{FinalAction::kNone, "none"},
                                                              {FinalAction::kCallback, "callback"},
                                                              {FinalAction::kTicket, "ticket"},
                                                              {FinalAction::kExpire, "expire"}};

// One step of a plan. Exactly one of: a wait (for `agents`, or for the queue's agents when
// empty), an overflow (to `overflow_queue`, of `overflow_domain` when set), a final action.
struct PlanStep {
  enum class Kind { kWait = 0, kOverflow = 1, kFinal = 2 };
  Kind kind = Kind::kWait;
  // kWait: how long the case waits at this step before the next; InfiniteDuration() = for as
  // long as the case lives (the last step of the default plan).
  absl::Duration wait = absl::InfiniteDuration();
  std::string agents;  // kWait: an agent filter narrowing the queue's agents (empty: them all)
  std::string overflow_queue;   // kOverflow
  std::string overflow_domain;  // kOverflow: another routing domain's queue (empty: this one)
  FinalAction action = FinalAction::kNone;  // kFinal
};

struct ServiceLevel {
  absl::Duration target = absl::Seconds(20);  // answered within this counts as within target
  double share = 0.8;                         // the share to answer within it (reported)
};

struct QueueConfig {
  std::string name;
  std::string filter;                // case filter; empty = every case
  std::string agents;                // agent filter; empty = every agent (unless `members`)
  std::vector<std::string> members;  // explicit agent ids; with `agents`, an agent in either
  std::optional<Strategy> strategy;  // unset = the domain's (by topic)
  std::optional<ServiceLevel> service_level;  // unset = the channel's SLA
  double priority = 0;         // points added to the priority score of its cases (global order)
  std::vector<PlanStep> plan;  // empty = the default plan
};

// What happened to a queue's cases since the replica took the lead (ListQueue; the durable
// totals are the Prometheus counters').
struct QueueCounts {
  int64_t answered = 0;
  int64_t answered_within_target = 0;
  int64_t abandoned = 0;
  int64_t overflowed = 0;  // out of the queue
};

}  // namespace caserouter

#endif  // CASEROUTER_ROUTER_MODEL_QUEUE_CONFIG_H_
