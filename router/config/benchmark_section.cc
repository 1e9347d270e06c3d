#include "router/config/benchmark_section.h"

#include <algorithm>
#include <cmath>
#include <optional>
#include <set>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "router/model/validation.h"

namespace caserouter {
namespace {

absl::Status Bad(absl::string_view key, absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat("configuration key '", key, "': ", what));
}

absl::Status Number(const YAML::Node& node, const std::string& path, double lo, double hi,
                    double* out) {
  double value = 0;
  try {
    if (!node.IsScalar()) return Bad(path, "must be a number");
    value = node.as<double>();
  } catch (const YAML::Exception&) {
    return Bad(path, "must be a number");
  }
  if (!std::isfinite(value) || value < lo || value > hi) {
    return Bad(path, absl::StrCat("must be between ", lo, " and ", hi));
  }
  *out = value;
  return absl::OkStatus();
}

absl::Status Whole(const YAML::Node& node, const std::string& path, double lo, double hi,
                   double* out) {
  if (absl::Status s = Number(node, path, lo, hi, out); !s.ok()) return s;
  if (*out != std::floor(*out)) return Bad(path, "must be a whole number");
  return absl::OkStatus();
}

absl::Status Name(const YAML::Node& node, const std::string& path, std::string* out) {
  if (!node.IsScalar() || !ValidateName("name", node.as<std::string>()).ok()) {
    return Bad(path, "must be 1-64 characters of [a-z0-9_.-]");
  }
  *out = node.as<std::string>();
  return absl::OkStatus();
}

// Checks that every key of the mapping is one of `known`.
absl::Status KnownKeys(const YAML::Node& node, const std::string& path,
                       const std::vector<std::string>& known) {
  if (!node.IsMap()) return Bad(path, "must be a mapping");
  for (const auto& item : node) {
    std::string key = item.first.as<std::string>();
    if (std::find(known.begin(), known.end(), key) == known.end()) {
      return Bad(absl::StrCat(path, ".", key),
                 absl::StrCat("unknown key (expected one of: ", absl::StrJoin(known, ", "), ")"));
    }
  }
  return absl::OkStatus();
}

absl::Status Arm(const YAML::Node& node, const std::string& path, BenchmarkArm* arm) {
  if (absl::Status s = KnownKeys(node, path, {"name", "strategy", "share"}); !s.ok()) return s;
  if (!node["name"]) return Bad(absl::StrCat(path, ".name"), "is required");
  if (!node["strategy"]) return Bad(absl::StrCat(path, ".strategy"), "is required");
  if (absl::Status s = Name(node["name"], absl::StrCat(path, ".name"), &arm->name); !s.ok()) {
    return s;
  }
  const YAML::Node strategy = node["strategy"];
  if (!strategy.IsScalar() || !ParseStrategy(strategy.as<std::string>(), &arm->strategy)) {
    return Bad(absl::StrCat(path, ".strategy"),
               "must be one of outcome, longest_idle, round_robin, least_occupied, "
               "fastest_handle");
  }
  if (node["share"]) {
    return Number(node["share"], absl::StrCat(path, ".share"), 0.001, 1000, &arm->share);
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ParseBenchmarkSection(const YAML::Node& node, const std::string& path,
                                   BenchmarkConfig* out) {
  BenchmarkConfig b;
  if (absl::Status s = KnownKeys(
          node, path,
          {"enabled", "mode", "arms", "slot_seconds", "stabilisation_seconds", "start_unix_seconds",
           "seed", "topics", "service_level_floor", "service_level_min_cases"});
      !s.ok()) {
    return s;
  }
  auto at = [&](const char* key) { return absl::StrCat(path, ".", key); };
  double v = 0;
  if (const YAML::Node n = node["enabled"]) {
    try {
      if (!n.IsScalar()) return Bad(at("enabled"), "must be true or false");
      b.enabled = n.as<bool>();
    } catch (const YAML::Exception&) {
      return Bad(at("enabled"), "must be true or false");
    }
  }
  if (const YAML::Node n = node["mode"]) {
    std::optional<BenchmarkMode> mode;
    if (n.IsScalar()) mode = ValueOf(kBenchmarkModeNames, n.as<std::string>());
    if (!mode) return Bad(at("mode"), "must be slots or split");
    b.mode = *mode;
  }
  if (const YAML::Node n = node["arms"]) {
    if (!n.IsSequence()) return Bad(at("arms"), "must be a list of arms");
    if (n.size() > 10) return Bad(at("arms"), "at most 10 arms (they are metric labels)");
    std::set<std::string> names;
    for (size_t i = 0; i < n.size(); ++i) {
      BenchmarkArm arm;
      const std::string item = absl::StrCat(at("arms"), "[", i, "]");
      if (absl::Status s = Arm(n[i], item, &arm); !s.ok()) return s;
      if (!names.insert(arm.name).second) return Bad(item, "repeats an arm's name");
      b.arms.push_back(arm);
    }
  }
  if (const YAML::Node n = node["slot_seconds"]) {
    if (absl::Status s = Number(n, at("slot_seconds"), 1, 30 * 86400, &v); !s.ok()) return s;
    b.slot_length = absl::Seconds(v);
  }
  if (const YAML::Node n = node["stabilisation_seconds"]) {
    if (absl::Status s = Number(n, at("stabilisation_seconds"), 0, 86400, &v); !s.ok()) return s;
    b.stabilisation = absl::Seconds(v);
  }
  if (const YAML::Node n = node["start_unix_seconds"]) {
    if (absl::Status s = Whole(n, at("start_unix_seconds"), 0, 1e11, &v); !s.ok()) return s;
    b.start = absl::FromUnixSeconds(static_cast<int64_t>(v));
  }
  if (const YAML::Node n = node["seed"]) {
    if (absl::Status s = Whole(n, at("seed"), 0, 9e15, &v); !s.ok()) return s;
    b.seed = static_cast<uint64_t>(v);
  }
  if (const YAML::Node n = node["topics"]) {
    if (!n.IsSequence()) return Bad(at("topics"), "must be a list of topic names");
    for (size_t i = 0; i < n.size(); ++i) {
      std::string topic;
      if (absl::Status s = Name(n[i], absl::StrCat(at("topics"), "[", i, "]"), &topic); !s.ok()) {
        return s;
      }
      b.topics.push_back(topic);
    }
  }
  if (const YAML::Node n = node["service_level_floor"]) {
    if (absl::Status s = Number(n, at("service_level_floor"), 0, 1, &b.service_level_floor);
        !s.ok()) {
      return s;
    }
  }
  if (const YAML::Node n = node["service_level_min_cases"]) {
    if (absl::Status s = Whole(n, at("service_level_min_cases"), 1, 1e6, &v); !s.ok()) return s;
    b.service_level_min_cases = static_cast<int>(v);
  }
  if (b.enabled && b.arms.size() < 2) return Bad(at("arms"), "a benchmark needs at least 2 arms");
  if (b.mode == BenchmarkMode::kSlots && b.stabilisation >= b.slot_length) {
    return Bad(at("stabilisation_seconds"), "must be shorter than slot_seconds");
  }
  *out = std::move(b);
  return absl::OkStatus();
}

}  // namespace caserouter
