#include "router/policy/priority.h"

#include <algorithm>
#include <cmath>

namespace caserouter {
namespace {

// 0 at 0, 1 at one million, log-scaled between: customer value and reach span many orders of
// magnitude, and the difference between 10 and 1000 matters as much as 1e4 to 1e6.
double LogScale(double x) { return std::clamp(std::log10(1.0 + std::max(0.0, x)) / 6.0, 0.0, 1.0); }

void AddNonZero(Score& score, const char* name, double value) {
  if (value != 0) score.Add(name, value);
}

}  // namespace

Score ScorePriority(const Case& c, const EngineConfig& config, absl::Time now) {
  const CaseSpec& spec = c.spec;
  const ChannelConfig& channel = config.channels[ChannelIndex(spec.channel)];
  const PriorityWeights& w = config.priority;
  Score score;
  AddNonZero(score, "channel_urgency", channel.urgency);
  double waited = std::max(0.0, absl::ToDoubleSeconds(now - c.enqueued_time));
  double sla = std::max(1.0, absl::ToDoubleSeconds(channel.sla));
  AddNonZero(score, "wait_vs_sla", w.wait_vs_sla * waited / sla);
  AddNonZero(score, "customer_value", w.customer_value * LogScale(spec.customer_value));
  AddNonZero(score, "negative_sentiment", w.negative_sentiment * std::max(0.0, -spec.sentiment));
  if (spec.is_public)
    AddNonZero(score, "reach", w.reach * LogScale(static_cast<double>(spec.reach)));
  AddNonZero(score, "explicit_priority", w.explicit_priority * spec.explicit_priority);
  if (!c.repeat_of.empty()) AddNonZero(score, "repeat_contact", w.repeat_contact);
  return score;
}

}  // namespace caserouter
