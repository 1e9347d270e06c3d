// AutoPolicy: what an unattended demo agent does with an offer, decided from a seeded random
// source so that a demo or a load run can be repeated exactly.
//
// For each offer: decline with probability `decline_rate`, otherwise accept after
// `accept_delay`. For each accepted case: work a handle time drawn from an exponential
// distribution with mean `mean_handle`, then complete it, resolved with probability
// `resolve_rate`, with a CSAT that leans high when resolved (4-5) and low when not (1-3), or
// none with probability `no_csat_rate`. With `transfer_rate` / `pending_rate` (issue 14) a
// worked case is handed back to routing, or marked pending, instead.
//
//   AutoPolicy policy(AutoPolicy::Options{.seed = 7});
//   if (policy.ShouldDecline()) ... else { absl::Duration work = policy.HandleTime(); ... }
//
// Thread safety: not thread-safe; one instance per agent.
#ifndef CASEROUTER_TOOLS_AGENT_CLIENT_AUTO_POLICY_H_
#define CASEROUTER_TOOLS_AGENT_CLIENT_AUTO_POLICY_H_

#include <cstdint>
#include <random>

#include "absl/status/status.h"
#include "absl/time/time.h"

namespace caserouter {

class AutoPolicy {
 public:
  struct Options {
    uint64_t seed = 1;
    absl::Duration accept_delay = absl::Seconds(1);
    absl::Duration mean_handle = absl::Seconds(60);
    double resolve_rate = 0.8;
    double decline_rate = 0.05;
    double no_csat_rate = 0.3;
    // Issue 14: share of accepted cases handed back to routing instead of completed, and of
    // chat/social/email cases marked pending (waiting on the customer). 0 draws nothing, so
    // a seed's decisions stay what they were without them.
    double transfer_rate = 0;
    double pending_rate = 0;
  };
  struct Outcome {
    bool resolved = false;
    int csat = 0;  // 0 = the customer gave none
  };

  // INVALID_ARGUMENT naming the option for a rate outside [0, 1] or a negative duration.
  static absl::Status Validate(const Options& options);

  explicit AutoPolicy(Options options);

  bool ShouldDecline();
  absl::Duration accept_delay() const { return options_.accept_delay; }
  absl::Duration HandleTime();
  Outcome Finish();
  bool ShouldTransfer();
  bool ShouldPend();

 private:
  double Uniform();

  Options options_;
  std::mt19937_64 random_;
};

}  // namespace caserouter

#endif  // CASEROUTER_TOOLS_AGENT_CLIENT_AUTO_POLICY_H_
