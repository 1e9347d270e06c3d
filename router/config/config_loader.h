// Loads an EngineConfig from YAML, strictly: an unknown key, a wrong type or a value out of
// range is an INVALID_ARGUMENT naming the key by its path ("channels.phone.sla_seconds"), so a
// typo cannot silently fall back to a default. Keys left out keep their defaults.
//
//   domain: default
//   channels:
//     phone: {sla_seconds: 20, capacity_cost: 1.0, urgency: 40, ttl_seconds: 900,
//             wrap_up_seconds: 30}
//   topics: [billing, technical]
//   priority_weights: {wait_vs_sla: 30, customer_value: 10}
//   offers: {timeout_seconds: 20, max_missed_in_row: 2, decline_pass_seconds: 300}
//   agents: {heartbeat_timeout_seconds: 15, reconnect_grace_seconds: 60}
//   retention: {closed_case_seconds: 86400}
//   leadership: {lease_ttl_seconds: 5}
//   limits: {max_queue: 100000}
//   store: {command_timeout_seconds: 1, min_replicas_acked: 0, replica_ack_timeout_seconds: 0.5}
//   admission:
//     live_reserve_share: 0.2
//     channels: {social: {rate_per_second: 200, burst: 2000}}
//   benchmark: {enabled: true, mode: slots, arms: [...]}   # benchmark_section.h (issue 17)
//
// Thread-safe (no shared state).
#ifndef CASEROUTER_ROUTER_CONFIG_CONFIG_LOADER_H_
#define CASEROUTER_ROUTER_CONFIG_CONFIG_LOADER_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "router/model/engine_config.h"

namespace caserouter {

absl::StatusOr<EngineConfig> ParseEngineConfig(absl::string_view yaml);
// NOT_FOUND when the file cannot be read; otherwise as ParseEngineConfig, prefixed by the path.
absl::StatusOr<EngineConfig> LoadEngineConfigFile(const std::string& path);

}  // namespace caserouter

#endif  // CASEROUTER_ROUTER_CONFIG_CONFIG_LOADER_H_
