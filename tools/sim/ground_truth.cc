#include "tools/sim/ground_truth.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"

namespace caserouter {
namespace {

absl::Status Probability(const char* name, double value) {
  if (value >= 0 && value <= 1) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat(name, ": must be within [0, 1]"));
}

}  // namespace

absl::Status ValidateGroundTruthOptions(const GroundTruthOptions& o) {
  for (auto [name, value] : {std::pair<const char*, double>{"mean_resolution", o.mean_resolution},
                             {"topic_share", o.topic_share},
                             {"false_resolution", o.false_resolution},
                             {"return_probability", o.return_probability},
                             {"channel_switch", o.channel_switch},
                             {"csat_response", o.csat_response},
                             {"relationship_bonus", o.relationship_bonus}}) {
    if (absl::Status s = Probability(name, value); !s.ok()) return s;
  }
  if (!(o.spread >= 0)) return absl::InvalidArgumentError("spread: must be >= 0");
  if (!(o.speed_spread >= 0)) return absl::InvalidArgumentError("speed_spread: must be >= 0");
  if (!(o.speed_quality_correlation >= -1 && o.speed_quality_correlation <= 1)) {
    return absl::InvalidArgumentError("speed_quality_correlation: must be within [-1, 1]");
  }
  if (o.return_delay <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("return_delay: must be positive");
  }
  if (o.max_returns < 0) return absl::InvalidArgumentError("max_returns: must be >= 0");
  return absl::OkStatus();
}

GroundTruth::GroundTruth(GroundTruthOptions options, uint64_t seed)
    : options_(std::move(options)), seed_(seed) {}

double GroundTruth::Normal(const std::string& key) const {
  auto it = normals_.find(key);
  if (it != normals_.end()) return it->second;
  // FNV-1a: the same name gives the same draw on every platform and build.
  uint64_t h = 1469598103934665603ull;
  for (unsigned char ch : key) h = (h ^ ch) * 1099511628211ull;
  std::seed_seq seq{static_cast<uint32_t>(seed_), static_cast<uint32_t>(seed_ >> 32),
                    static_cast<uint32_t>(h), static_cast<uint32_t>(h >> 32)};
  std::mt19937_64 random(seq);
  std::normal_distribution<double> normal(0, 1);
  double value = normal(random);
  normals_.emplace(key, value);
  return value;
}

double GroundTruth::ResolutionProbability(const std::string& agent, const std::string& topic,
                                          bool knows_customer) const {
  const double general = Normal(absl::StrCat("quality\n", agent));
  const double specific = Normal(absl::StrCat("quality\n", agent, "\n", topic));
  const double z =
      std::sqrt(1 - options_.topic_share) * general + std::sqrt(options_.topic_share) * specific;
  double p = options_.mean_resolution + options_.spread * z;
  if (knows_customer) p += options_.relationship_bonus;
  return std::clamp(p, 0.02, 0.98);
}

double GroundTruth::HandleFactor(const std::string& agent) const {
  const double rho = options_.speed_quality_correlation;
  const double z = rho * Normal(absl::StrCat("quality\n", agent)) +
                   std::sqrt(1 - rho * rho) * Normal(absl::StrCat("speed\n", agent));
  // Mean 1 for a log-normal: exp(sigma z - sigma^2 / 2).
  const double sigma = options_.speed_spread;
  return std::exp(sigma * z - sigma * sigma / 2);
}

}  // namespace caserouter
