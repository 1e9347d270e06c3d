#include "tools/agent_client/auto_policy.h"

#include <cmath>

#include "absl/strings/str_cat.h"

namespace caserouter {
namespace {

absl::Status CheckRate(const char* name, double rate) {
  if (!(rate >= 0 && rate <= 1)) {
    return absl::InvalidArgumentError(absl::StrCat(name, ": must be between 0 and 1"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status AutoPolicy::Validate(const Options& options) {
  if (absl::Status s = CheckRate("resolve_rate", options.resolve_rate); !s.ok()) return s;
  if (absl::Status s = CheckRate("decline_rate", options.decline_rate); !s.ok()) return s;
  if (absl::Status s = CheckRate("no_csat_rate", options.no_csat_rate); !s.ok()) return s;
  if (absl::Status s = CheckRate("transfer_rate", options.transfer_rate); !s.ok()) return s;
  if (absl::Status s = CheckRate("pending_rate", options.pending_rate); !s.ok()) return s;
  if (options.accept_delay < absl::ZeroDuration()) {
    return absl::InvalidArgumentError("accept_delay: must not be negative");
  }
  if (options.mean_handle <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("handle_seconds: must be positive");
  }
  return absl::OkStatus();
}

AutoPolicy::AutoPolicy(Options options) : options_(options), random_(options.seed) {}

// Uniform in [0, 1) from the raw engine, so that results do not depend on how a standard
// library implements its distributions.
double AutoPolicy::Uniform() { return static_cast<double>(random_() >> 11) * 0x1.0p-53; }

bool AutoPolicy::ShouldDecline() { return Uniform() < options_.decline_rate; }

bool AutoPolicy::ShouldTransfer() {
  return options_.transfer_rate > 0 && Uniform() < options_.transfer_rate;
}

bool AutoPolicy::ShouldPend() {
  return options_.pending_rate > 0 && Uniform() < options_.pending_rate;
}

absl::Duration AutoPolicy::HandleTime() {
  // Inverse transform of the exponential distribution.
  double u = Uniform();
  return options_.mean_handle * -std::log1p(-u);
}

AutoPolicy::Outcome AutoPolicy::Finish() {
  Outcome outcome;
  outcome.resolved = Uniform() < options_.resolve_rate;
  if (Uniform() >= options_.no_csat_rate) {
    double u = Uniform();
    outcome.csat = outcome.resolved ? (u < 0.6 ? 5 : 4) : (u < 0.5 ? 2 : (u < 0.8 ? 3 : 1));
  }
  return outcome;
}

}  // namespace caserouter
