// The `queues:` section of the configuration (issue 16): YAML → QueueConfig, strictly, and
// checked whole by compiling it (router/policy/routing_plan.h) so that a malformed filter, an
// unknown overflow target or an overflow cycle is refused at load, naming the key and, in an
// expression, the position:
//
//   queues:
//     - name: billing_fr
//       filter: "topic == billing and language == fr"
//       agents: "skill.billing >= 5 and language == fr"
//       members: [agent-7]
//       strategy: outcome
//       service_level: {target_seconds: 60, share: 0.8}
//       priority: 10
//       plan:
//         - {wait_seconds: 30, agents: "skill.billing >= 8"}
//         - {wait_seconds: 60}
//         - {overflow: billing_en}            # or {overflow: spill, domain: paris}
//     - name: billing_en
//       filter: "topic == billing"
//       plan: [{wait_seconds: 600}, {final: callback}]   # callback | ticket | expire
//
// Thread-safe (no shared state).
#ifndef CASEROUTER_ROUTER_CONFIG_QUEUE_CONFIG_PARSER_H_
#define CASEROUTER_ROUTER_CONFIG_QUEUE_CONFIG_PARSER_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "router/model/queue_config.h"
#include "yaml-cpp/yaml.h"

namespace caserouter {

// `path` is the key of the section ("queues"); errors are INVALID_ARGUMENT "configuration key
// 'queues[1].plan[0].wait_seconds': ...".
absl::Status ParseQueues(const YAML::Node& node, const std::string& path,
                         std::vector<QueueConfig>* out);

}  // namespace caserouter

#endif  // CASEROUTER_ROUTER_CONFIG_QUEUE_CONFIG_PARSER_H_
