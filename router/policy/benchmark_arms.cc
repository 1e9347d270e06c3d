#include "router/policy/benchmark_arms.h"

#include <algorithm>
#include <cmath>
#include <utility>

namespace caserouter {
namespace {

// SplitMix64's finaliser: a stable 64-bit mix (absl::Hash is salted per process, and the
// schedule must be the same on every replica and after every restart).
uint64_t Mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

uint64_t MixString(uint64_t h, absl::string_view s) {
  // FNV-1a over the bytes, then mixed with the running hash.
  uint64_t f = 0xcbf29ce484222325ULL;
  for (unsigned char ch : s) {
    f ^= ch;
    f *= 0x100000001b3ULL;
  }
  return Mix(h ^ f);
}

double Unit(uint64_t x) { return static_cast<double>(x >> 11) * 0x1.0p-53; }

int FirstActive(const BenchmarkConfig& config, const std::set<std::string>& suspended) {
  for (size_t i = 0; i < config.arms.size(); ++i) {
    if (suspended.count(config.arms[i].name) == 0) return static_cast<int>(i);
  }
  return -1;
}

}  // namespace

std::vector<int> SlotOrder(const BenchmarkConfig& config, const BenchmarkScope& scope,
                           int64_t cycle) {
  std::vector<int> order(config.arms.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = static_cast<int>(i);
  uint64_t state = MixString(Mix(config.seed ^ Mix(static_cast<uint64_t>(cycle))), scope.Key());
  // Fisher–Yates with the cycle's own stream.
  for (size_t i = order.size(); i > 1; --i) {
    state = Mix(state);
    size_t j = static_cast<size_t>(Unit(state) * static_cast<double>(i));
    std::swap(order[i - 1], order[std::min(j, i - 1)]);
  }
  return order;
}

double SplitDraw(uint64_t seed, const BenchmarkScope& scope, absl::string_view case_id) {
  return Unit(MixString(MixString(Mix(seed), scope.Key()), case_id));
}

ArmAssignment AssignArm(const BenchmarkConfig& config, const BenchmarkScope& scope,
                        absl::string_view case_id, absl::Time arrived,
                        const std::set<std::string>& suspended) {
  ArmAssignment out;
  if (!config.Covers(scope)) return out;
  const int fallback = FirstActive(config, suspended);
  if (fallback < 0) return out;  // every arm suspended: the benchmark has stopped
  int arm = -1;
  if (config.mode == BenchmarkMode::kSlots) {
    if (arrived < config.start || config.slot_length <= absl::ZeroDuration()) return out;
    absl::Duration into;  // time since the slot began
    const int64_t slot = absl::IDivDuration(arrived - config.start, config.slot_length, &into);
    const int64_t n = static_cast<int64_t>(config.arms.size());
    arm = SlotOrder(config, scope, slot / n)[slot % n];
    out.slot = slot;
    out.excluded = into < config.stabilisation;
  } else {
    double total = 0;
    for (const BenchmarkArm& a : config.arms) {
      if (suspended.count(a.name) == 0) total += std::max(0.0, a.share);
    }
    if (total <= 0) return out;
    const double u = SplitDraw(config.seed, scope, case_id) * total;
    double sum = 0;
    for (size_t i = 0; i < config.arms.size(); ++i) {
      if (suspended.count(config.arms[i].name) > 0) continue;
      sum += std::max(0.0, config.arms[i].share);
      arm = static_cast<int>(i);
      if (u < sum) break;
    }
  }
  if (suspended.count(config.arms[arm].name) > 0) {
    arm = fallback;
    out.excluded = true;  // not the arm the design gave it: it would bias the comparison
  }
  out.in_benchmark = true;
  out.arm = config.arms[arm].name;
  return out;
}

const BenchmarkArm* ActiveArmOf(const Case& c, const EngineConfig& config) {
  if (c.arm.empty() || !config.benchmark.enabled) return nullptr;
  return config.benchmark.FindArm(c.arm);
}

Strategy StrategyOf(const Case& c, const EngineConfig& config) {
  const BenchmarkArm* arm = ActiveArmOf(c, config);
  return arm != nullptr ? arm->strategy : config.StrategyFor(c.spec.topic);
}

}  // namespace caserouter
