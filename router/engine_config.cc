#include "router/engine_config.h"

namespace caserouter {

const char* StrategyName(Strategy strategy) {
  switch (strategy) {
    case Strategy::kOutcome:
      return "outcome";
    case Strategy::kLongestIdle:
      return "longest_idle";
    case Strategy::kRoundRobin:
      return "round_robin";
    case Strategy::kLeastOccupied:
      return "least_occupied";
    case Strategy::kFastestHandle:
      return "fastest_handle";
  }
  return "outcome";
}

bool ParseStrategy(const std::string& name, Strategy* out) {
  for (int i = 0; i < kStrategyCount; ++i) {
    if (name == StrategyName(static_cast<Strategy>(i))) {
      *out = static_cast<Strategy>(i);
      return true;
    }
  }
  return false;
}

}  // namespace caserouter
