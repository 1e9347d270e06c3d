// The `benchmark:` section of the configuration (issue 17): a live comparison of routing
// strategies (router/model/benchmark_config.h). Strict like the rest of the loader: an unknown
// key, a wrong type or a value out of range is an INVALID_ARGUMENT naming the key's path.
//
//   benchmark:
//     enabled: true
//     mode: slots                   # or split
//     arms:
//       - {name: outcome, strategy: outcome}
//       - {name: longest_idle, strategy: longest_idle, share: 1}
//     slot_seconds: 1800            # slots: the length of one arm's turn
//     stabilisation_seconds: 120    # slots: excluded at the start of every slot
//     start_unix_seconds: 0         # slots: slot 0 begins here
//     seed: 17                      # the randomisation of order and split
//     topics: [billing, technical]  # the scope; absent or empty = every topic
//     service_level_floor: 0.6      # guard rail; 0 = none
//     service_level_min_cases: 50
//
// Setting `enabled: false` (or removing the section) and reloading stops the benchmark at once:
// waiting cases go back to the usual strategy.
//
// Thread-safe (no shared state).
#ifndef CASEROUTER_ROUTER_CONFIG_BENCHMARK_SECTION_H_
#define CASEROUTER_ROUTER_CONFIG_BENCHMARK_SECTION_H_

#include <string>

#include "absl/status/status.h"
#include "router/model/engine_config.h"
#include "yaml-cpp/yaml.h"

namespace caserouter {

absl::Status ParseBenchmarkSection(const YAML::Node& node, const std::string& path,
                                   BenchmarkConfig* out);

}  // namespace caserouter

#endif  // CASEROUTER_ROUTER_CONFIG_BENCHMARK_SECTION_H_
