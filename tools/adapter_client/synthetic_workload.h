// Synthetic workload: a seeded stream of cases for demos and load runs without the data sets.
//
// Arrivals are a Poisson process (exponential gaps at `cases_per_second`); each case draws its
// channel from `channel_mix`, its topic from `topics` (weighted), and its customer from a pool
// of `customers` ids, so the same customer comes back — repeat contacts and relationships
// happen as they do in real traffic. Topic and skill names, subjects and customer values are
// made up (no personal data). The same options give the same trace.
//
//   SyntheticOptions options;
//   options.seed = 7;
//   options.duration = absl::Minutes(10);
//   Trace trace = GenerateSyntheticTrace(options);
//
// Thread safety: a pure function.
#ifndef CASEROUTER_TOOLS_ADAPTER_CLIENT_SYNTHETIC_WORKLOAD_H_
#define CASEROUTER_TOOLS_ADAPTER_CLIENT_SYNTHETIC_WORKLOAD_H_

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "agents/channel.h"
#include "tools/replay/trace.h"

namespace caserouter {

struct SyntheticOptions {
  uint64_t seed = 1;
  double cases_per_second = 2;
  absl::Duration duration = absl::Minutes(10);
  std::optional<int64_t> max_cases;
  int customers = 500;
  // Relative weights of phone, chat, social, email.
  PerChannel<double> channel_mix = {0.35, 0.3, 0.15, 0.2};
  // Topic names (which are also the required skill) with relative weights.
  std::vector<std::pair<std::string, double>> topics = {
      {"billing", 0.35}, {"technical", 0.3}, {"account", 0.15}, {"sales", 0.1}, {"outage", 0.1}};
  // Idempotency keys are "<key_prefix>-<seed>-<index>".
  std::string key_prefix = "syn";
};

// INVALID_ARGUMENT naming the option for a non-positive rate or duration, an empty customer
// pool, or weights that are negative or all zero.
absl::Status ValidateSyntheticOptions(const SyntheticOptions& options);

// Cases arriving within [0, duration), at most max_cases. Call with valid options.
Trace GenerateSyntheticTrace(const SyntheticOptions& options);

}  // namespace caserouter

#endif  // CASEROUTER_TOOLS_ADAPTER_CLIENT_SYNTHETIC_WORKLOAD_H_
