#include "router/config/queue_config_parser.h"

#include <cmath>
#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "router/model/engine_config.h"
#include "router/policy/routing_plan.h"

namespace caserouter {
namespace {

absl::Status Bad(const std::string& key, absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat("configuration key '", key, "': ", what));
}

// The keys of a mapping, each checked against `known`.
absl::Status KnownKeys(const YAML::Node& node, const std::string& path,
                       const std::set<std::string>& known) {
  if (!node.IsMap()) return Bad(path, "must be a mapping");
  for (const auto& item : node) {
    std::string key = item.first.as<std::string>();
    if (known.count(key) == 0) {
      return Bad(absl::StrCat(path, ".", key),
                 absl::StrCat("unknown key (expected one of: ", absl::StrJoin(known, ", "), ")"));
    }
  }
  return absl::OkStatus();
}

absl::Status Text(const YAML::Node& node, const std::string& path, std::string* out) {
  if (!node.IsScalar()) return Bad(path, "must be a string");
  *out = node.as<std::string>();
  return absl::OkStatus();
}

absl::Status Number(const YAML::Node& node, const std::string& path, double lo, double hi,
                    double* out) {
  double v = 0;
  try {
    if (!node.IsScalar()) return Bad(path, "must be a number");
    v = node.as<double>();
  } catch (const YAML::Exception&) {
    return Bad(path, "must be a number");
  }
  if (!std::isfinite(v) || v < lo || v > hi) {
    return Bad(path, absl::StrCat("must be between ", lo, " and ", hi));
  }
  *out = v;
  return absl::OkStatus();
}

absl::Status Step(const YAML::Node& node, const std::string& path, PlanStep* step) {
  if (absl::Status s =
          KnownKeys(node, path, {"wait_seconds", "agents", "overflow", "domain", "final"});
      !s.ok()) {
    return s;
  }
  const bool wait = node["wait_seconds"].IsDefined(), overflow = node["overflow"].IsDefined(),
             final = node["final"].IsDefined();
  if (wait + overflow + final != 1) {
    return Bad(path, "must have exactly one of wait_seconds, overflow, final");
  }
  if (!wait && node["agents"].IsDefined()) {
    return Bad(path + ".agents", "only a wait step names agents");
  }
  if (!overflow && node["domain"].IsDefined()) {
    return Bad(path + ".domain", "only an overflow step names a domain");
  }
  if (wait) {
    double seconds = 0;
    if (absl::Status s =
            Number(node["wait_seconds"], path + ".wait_seconds", 0, 30 * 86400, &seconds);
        !s.ok()) {
      return s;
    }
    step->kind = PlanStep::Kind::kWait;
    step->wait = absl::Seconds(seconds);
    if (node["agents"].IsDefined()) {
      if (absl::Status s = Text(node["agents"], path + ".agents", &step->agents); !s.ok()) return s;
    }
  } else if (overflow) {
    step->kind = PlanStep::Kind::kOverflow;
    if (absl::Status s = Text(node["overflow"], path + ".overflow", &step->overflow_queue);
        !s.ok()) {
      return s;
    }
    if (node["domain"].IsDefined()) {
      if (absl::Status s = Text(node["domain"], path + ".domain", &step->overflow_domain);
          !s.ok()) {
        return s;
      }
    }
  } else {
    step->kind = PlanStep::Kind::kFinal;
    std::string name;
    if (absl::Status s = Text(node["final"], path + ".final", &name); !s.ok()) return s;
    std::optional<FinalAction> action = ValueOf(kFinalActionNames, name);
    if (!action || *action == FinalAction::kNone) {
      return Bad(path + ".final", "must be one of callback, ticket, expire");
    }
    step->action = *action;
  }
  return absl::OkStatus();
}

absl::Status Queue(const YAML::Node& node, const std::string& path, QueueConfig* q) {
  if (absl::Status s = KnownKeys(
          node, path,
          {"name", "filter", "agents", "members", "strategy", "service_level", "priority", "plan"});
      !s.ok()) {
    return s;
  }
  if (!node["name"].IsDefined()) return Bad(path + ".name", "is required");
  if (absl::Status s = Text(node["name"], path + ".name", &q->name); !s.ok()) return s;
  if (node["filter"].IsDefined()) {
    if (absl::Status s = Text(node["filter"], path + ".filter", &q->filter); !s.ok()) return s;
  }
  if (node["agents"].IsDefined()) {
    if (absl::Status s = Text(node["agents"], path + ".agents", &q->agents); !s.ok()) return s;
  }
  if (const YAML::Node members = node["members"]; members.IsDefined()) {
    if (!members.IsSequence()) return Bad(path + ".members", "must be a list of agent ids");
    for (size_t i = 0; i < members.size(); ++i) {
      std::string id;
      if (absl::Status s = Text(members[i], absl::StrCat(path, ".members[", i, "]"), &id);
          !s.ok()) {
        return s;
      }
      q->members.push_back(std::move(id));
    }
  }
  if (node["strategy"].IsDefined()) {
    Strategy strategy;
    if (!node["strategy"].IsScalar() ||
        !ParseStrategy(node["strategy"].as<std::string>(), &strategy)) {
      return Bad(path + ".strategy",
                 "must be one of outcome, longest_idle, round_robin, least_occupied, "
                 "fastest_handle");
    }
    q->strategy = strategy;
  }
  if (const YAML::Node sl = node["service_level"]; sl.IsDefined()) {
    const std::string sp = path + ".service_level";
    if (absl::Status s = KnownKeys(sl, sp, {"target_seconds", "share"}); !s.ok()) return s;
    ServiceLevel level;
    double target = absl::ToDoubleSeconds(level.target);
    if (sl["target_seconds"].IsDefined()) {
      if (absl::Status s =
              Number(sl["target_seconds"], sp + ".target_seconds", 1, 30 * 86400, &target);
          !s.ok()) {
        return s;
      }
    }
    level.target = absl::Seconds(target);
    if (sl["share"].IsDefined()) {
      if (absl::Status s = Number(sl["share"], sp + ".share", 0, 1, &level.share); !s.ok()) {
        return s;
      }
    }
    q->service_level = level;
  }
  if (node["priority"].IsDefined()) {
    if (absl::Status s = Number(node["priority"], path + ".priority", -1000, 1000, &q->priority);
        !s.ok()) {
      return s;
    }
  }
  if (const YAML::Node plan = node["plan"]; plan.IsDefined()) {
    if (!plan.IsSequence() || plan.size() == 0) {
      return Bad(path + ".plan", "must be a non-empty list of steps");
    }
    if (plan.size() > 32) return Bad(path + ".plan", "at most 32 steps");
    for (size_t i = 0; i < plan.size(); ++i) {
      PlanStep step;
      if (absl::Status s = Step(plan[i], absl::StrCat(path, ".plan[", i, "]"), &step); !s.ok()) {
        return s;
      }
      q->plan.push_back(std::move(step));
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ParseQueues(const YAML::Node& node, const std::string& path,
                         std::vector<QueueConfig>* out) {
  if (!node.IsSequence()) return Bad(path, "must be a list of queues");
  // Queue names are metric labels: a closed, small set.
  if (node.size() > 100) return Bad(path, "at most 100 queues (they are metric labels)");
  std::vector<QueueConfig> queues;
  for (size_t i = 0; i < node.size(); ++i) {
    QueueConfig q;
    if (absl::Status s = Queue(node[i], absl::StrCat(path, "[", i, "]"), &q); !s.ok()) return s;
    queues.push_back(std::move(q));
  }
  // Filters, names and overflow targets, checked whole (the keys it names are "queues[...]").
  if (absl::StatusOr<QueueBook> book = QueueBook::Compile(queues); !book.ok()) {
    return book.status();
  }
  *out = std::move(queues);
  return absl::OkStatus();
}

}  // namespace caserouter
