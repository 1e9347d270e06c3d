#include "router/engine/benchmark_tracking.h"

#include <algorithm>
#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "router/policy/benchmark_arms.h"

namespace caserouter {
namespace {

bool Answered(const Case& c) { return c.answered_time != absl::InfinitePast(); }

bool Abandoned(const Case& c) {
  return !Answered(c) && (c.state == CaseState::kCancelled || c.state == CaseState::kExpired);
}

// The arms a report speaks of: the configured ones while the benchmark has them, otherwise
// those found on the cases kept (a stopped benchmark can still be read).
std::vector<std::string> ArmNames(const DomainState& state, const EngineConfig& config) {
  std::vector<std::string> names;
  if (config.benchmark.enabled && !config.benchmark.arms.empty()) {
    for (const BenchmarkArm& a : config.benchmark.arms) names.push_back(a.name);
    return names;
  }
  std::set<std::string> seen;
  for (const auto& [id, c] : state.cases) {
    if (!c.arm.empty()) seen.insert(c.arm);
  }
  return std::vector<std::string>(seen.begin(), seen.end());
}

}  // namespace

std::optional<double> OutcomeCsat(const Case& c) {
  if (c.state != CaseState::kCompleted || c.outcome.csat <= 0) return std::nullopt;
  return static_cast<double>(c.outcome.csat);
}

void AssignBenchmarkArm(TickContext& ctx, Case& c) {
  ArmAssignment a = AssignArm(ctx.config.benchmark, BenchmarkScope{c.spec.topic}, c.id, ctx.now,
                              ctx.state.benchmark.suspended);
  if (!a.in_benchmark) return;
  c.arm = a.arm;
  c.arm_excluded = a.excluded;
  ctx.Emit("arm_assigned", c.id, "", a.excluded ? absl::StrCat(a.arm, ":excluded") : a.arm);
  ctx.Observe(
      [arm = a.arm, excluded = a.excluded](EngineObserver& o) { o.BenchmarkCase(arm, excluded); });
}

std::vector<BenchmarkSample> BenchmarkSamples(const DomainState& state, const EngineConfig& config,
                                              absl::Time now, const CsatSource& csat,
                                              absl::Time since) {
  std::vector<BenchmarkSample> out;
  for (const auto& [id, c] : state.cases) {
    if (c.arm.empty() || c.arm_excluded || c.created_time < since) continue;
    BenchmarkSample s;
    s.arm = c.arm;
    s.stratum = absl::StrCat(c.spec.topic, "/", ChannelName(c.spec.channel));
    const absl::Duration sla = config.channels[ChannelIndex(c.spec.channel)].sla;
    if (Answered(c)) {
      const absl::Duration wait = c.answered_time - c.created_time;
      s.Set(BenchmarkMeasure::kAnswerSeconds, absl::ToDoubleSeconds(wait));
      s.Set(BenchmarkMeasure::kAbandonment, 0);
      s.Set(BenchmarkMeasure::kServiceLevel, wait <= sla ? 1 : 0);
    } else if (Abandoned(c)) {
      s.Set(BenchmarkMeasure::kAbandonment, 1);
      s.Set(BenchmarkMeasure::kServiceLevel, 0);
    }
    if (c.state == CaseState::kCompleted && c.closed_time + config.repeat_window <= now) {
      s.Set(BenchmarkMeasure::kFcr, c.outcome.resolved && !c.came_back ? 1 : 0);
    }
    if (std::optional<double> score = csat(c)) s.Set(BenchmarkMeasure::kCsat, *score);
    out.push_back(std::move(s));
  }
  return out;
}

BenchmarkReport BenchmarkReportOf(const DomainState& state, const EngineConfig& config,
                                  absl::Time now, const BenchmarkPrecision& precision,
                                  const CsatSource& csat) {
  BenchmarkReport r;
  r.running = config.benchmark.enabled && config.benchmark.arms.size() >= 2;
  r.mode = config.benchmark.mode;
  r.time = now;
  r.precision = precision;
  const std::vector<std::string> names = ArmNames(state, config);
  std::map<std::string, size_t> index;
  for (const std::string& name : names) {
    BenchmarkArmCounts counts;
    counts.arm = name;
    if (const BenchmarkArm* arm = config.benchmark.FindArm(name)) counts.strategy = arm->strategy;
    counts.suspended = state.benchmark.suspended.count(name) > 0;
    index.emplace(name, r.arms.size());
    r.arms.push_back(counts);
  }
  for (const auto& [id, c] : state.cases) {
    auto it = index.find(c.arm);
    if (c.arm.empty() || it == index.end()) continue;
    BenchmarkArmCounts& counts = r.arms[it->second];
    ++counts.assigned;
    if (c.arm_excluded) ++counts.excluded;
    if (IsOpen(c.state)) ++counts.open;
    if (!c.arm_excluded && c.state == CaseState::kCompleted &&
        c.closed_time + config.repeat_window > now) {
      ++counts.fcr_pending;
    }
  }
  r.comparison = CompareArms(BenchmarkSamples(state, config, now, csat), names, precision);
  return r;
}

void CheckBenchmarkGuard(TickContext& ctx) {
  const BenchmarkConfig& b = ctx.config.benchmark;
  DomainState::BenchmarkGuard& guard = ctx.state.benchmark;
  if (!b.enabled || b.arms.size() < 2 || ctx.now < guard.next_check) return;
  const bool publish = ctx.observer != nullptr && ctx.observer->WantsBenchmarkReports();
  if (b.service_level_floor <= 0 && !publish) return;  // nobody to tell: spare the walk
  guard.next_check = ctx.now + kGuardInterval;
  if (b.service_level_floor > 0) {
    constexpr int kLevel = static_cast<int>(BenchmarkMeasure::kServiceLevel);
    std::vector<std::string> names;
    for (const BenchmarkArm& a : b.arms) names.push_back(a.name);
    const BenchmarkComparison judged = CompareArms(
        BenchmarkSamples(ctx.state, ctx.config, ctx.now, OutcomeCsat, guard.since), names);
    for (const ArmMeasures& arm : judged.arms) {
      const ArmEstimate& level = arm.measure[kLevel];
      if (guard.suspended.count(arm.arm) > 0 || level.n < b.service_level_min_cases ||
          level.mean >= b.service_level_floor) {
        continue;
      }
      guard.suspended.insert(arm.arm);
      ctx.Emit("benchmark_arm_suspended", "", "", arm.arm);
      ctx.Observe([name = arm.arm](EngineObserver& o) { o.BenchmarkArmSuspended(name); });
    }
  }
  if (!publish) return;
  BenchmarkReport r = BenchmarkReportOf(ctx.state, ctx.config, ctx.now, kDefaultPrecision);
  ctx.Observe([r = std::move(r)](EngineObserver& o) { o.BenchmarkReported(r.arms, r.comparison); });
}

}  // namespace caserouter
