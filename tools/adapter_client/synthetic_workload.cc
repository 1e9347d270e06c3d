#include "tools/adapter_client/synthetic_workload.h"

#include <cmath>
#include <random>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace caserouter {
namespace {

// Uniform in [0, 1) from the raw engine, so that a seed means the same trace with any standard
// library (the std distributions are implementation-defined).
class Random {
 public:
  explicit Random(uint64_t seed) : engine_(seed) {}
  double Uniform() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }
  double Exponential(double mean) { return -mean * std::log1p(-Uniform()); }
  int Below(int n) { return static_cast<int>(Uniform() * n); }
  template <typename Weights>
  size_t Pick(const Weights& weights, double total) {
    double x = Uniform() * total;
    for (size_t i = 0; i < weights.size(); ++i) {
      if (x < weights[i]) return i;
      x -= weights[i];
    }
    return weights.size() - 1;
  }

 private:
  std::mt19937_64 engine_;
};

constexpr const char* kSubjects[] = {
    "I was charged twice this month",   "The app keeps logging me out",
    "Please update my address",         "Which plan fits a family of four?",
    "Nothing works since this morning", "Where is my refund?",
    "My router shows a red light",      "Can I change the account holder?",
};

}  // namespace

absl::Status ValidateSyntheticOptions(const SyntheticOptions& options) {
  if (!(options.cases_per_second > 0)) {
    return absl::InvalidArgumentError("rate: cases per second must be positive");
  }
  if (options.duration <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("seconds: the duration must be positive");
  }
  if (options.customers < 1) return absl::InvalidArgumentError("customers: at least 1");
  if (options.max_cases.has_value() && *options.max_cases < 0) {
    return absl::InvalidArgumentError("max_cases: must not be negative");
  }
  double channels = 0;
  for (double w : options.channel_mix) {
    if (!(w >= 0)) return absl::InvalidArgumentError("channel_mix: weights must be >= 0");
    channels += w;
  }
  if (channels <= 0) return absl::InvalidArgumentError("channel_mix: some weight must be > 0");
  double topics = 0;
  for (const auto& [name, w] : options.topics) {
    if (name.empty() || !(w >= 0)) {
      return absl::InvalidArgumentError("topics: names required, weights must be >= 0");
    }
    topics += w;
  }
  if (topics <= 0) return absl::InvalidArgumentError("topics: some weight must be > 0");
  return absl::OkStatus();
}

Trace GenerateSyntheticTrace(const SyntheticOptions& options) {
  Random random(options.seed);
  std::vector<double> channel_weights(options.channel_mix.begin(), options.channel_mix.end());
  double channel_total = 0;
  for (double w : channel_weights) channel_total += w;
  std::vector<double> topic_weights;
  double topic_total = 0;
  for (const auto& [name, w] : options.topics) {
    topic_weights.push_back(w);
    topic_total += w;
  }

  Trace trace;
  trace.name = absl::StrCat("synthetic-", options.seed);
  trace.start = absl::UnixEpoch();
  const double mean_gap = 1.0 / options.cases_per_second;
  double at = random.Exponential(mean_gap);
  for (int64_t index = 0; at < absl::ToDoubleSeconds(options.duration); ++index) {
    if (options.max_cases.has_value() && index >= *options.max_cases) break;
    TraceCase c;
    c.arrival = absl::Seconds(at);
    CaseSpec& spec = c.spec;
    spec.channel = kAllChannels[random.Pick(channel_weights, channel_total)];
    const std::string& topic = options.topics[random.Pick(topic_weights, topic_total)].first;
    spec.topic = topic;
    spec.customer_id = absl::StrFormat("cust-%05d", random.Below(options.customers));
    spec.required_skills.push_back(SkillRequirement{topic, 1 + random.Below(6)});
    spec.language = random.Uniform() < 0.9 ? "en" : "de";
    // Customer value: a long tail, as lifetime values are.
    spec.customer_value = std::floor(std::exp(3 + 2 * random.Uniform()) * 10) / 10;
    if (spec.channel == Channel::kSocial) {
      spec.is_public = random.Uniform() < 0.6;
      spec.reach = spec.is_public ? static_cast<int64_t>(random.Exponential(2000)) : 0;
    }
    if (topic == "billing" && random.Uniform() < 0.2)
      spec.authority_needed = 50 + random.Below(250);
    spec.subject = kSubjects[random.Below(static_cast<int>(std::size(kSubjects)))];
    spec.idempotency_key = absl::StrCat(options.key_prefix, "-", options.seed, "-", index);
    trace.cases.push_back(std::move(c));
    at += random.Exponential(mean_gap);
  }
  return trace;
}

}  // namespace caserouter
