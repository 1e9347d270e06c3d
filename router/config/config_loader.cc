#include "router/config/config_loader.h"

#include <cmath>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "router/config/benchmark_section.h"
#include "router/config/queue_config_parser.h"
#include "router/model/validation.h"
#include "yaml-cpp/yaml.h"

namespace caserouter {
namespace {

absl::Status Bad(absl::string_view key, absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat("configuration key '", key, "': ", what));
}

// Walks one YAML mapping: each known key has a handler; anything else is an error.
using Handler = std::function<absl::Status(const YAML::Node&, const std::string& path)>;

absl::Status WalkMap(const YAML::Node& node, const std::string& path,
                     const std::map<std::string, Handler>& handlers) {
  if (!node.IsMap()) return Bad(path, "must be a mapping");
  for (const auto& item : node) {
    std::string key = item.first.as<std::string>();
    std::string child = path.empty() ? key : absl::StrCat(path, ".", key);
    auto it = handlers.find(key);
    if (it == handlers.end()) {
      std::vector<std::string> known;
      for (const auto& [k, h] : handlers) known.push_back(k);
      return Bad(child,
                 absl::StrCat("unknown key (expected one of: ", absl::StrJoin(known, ", "), ")"));
    }
    if (absl::Status s = it->second(item.second, child); !s.ok()) return s;
  }
  return absl::OkStatus();
}

absl::Status ReadNumber(const YAML::Node& node, const std::string& path, double lo, double hi,
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

Handler Number(double* out, double lo, double hi) {
  return [=](const YAML::Node& n, const std::string& p) { return ReadNumber(n, p, lo, hi, out); };
}

Handler Seconds(absl::Duration* out, double lo, double hi) {
  return [=](const YAML::Node& n, const std::string& p) {
    double v = 0;
    if (absl::Status s = ReadNumber(n, p, lo, hi, &v); !s.ok()) return s;
    *out = absl::Seconds(v);
    return absl::OkStatus();
  };
}

// A list of closed-set words (away reasons, disposition codes): metric labels and stored
// words, so each is a name ([a-z0-9_.-], 1-64) and none repeats.
absl::Status ReadWords(const YAML::Node& node, const std::string& path,
                       std::vector<std::string>* out) {
  if (!node.IsSequence()) return Bad(path, "must be a list of names");
  std::vector<std::string> words;
  for (const auto& item : node) {
    if (!item.IsScalar()) return Bad(path, "must be a list of names");
    std::string word = item.as<std::string>();
    if (!ValidateName("word", word).ok()) {
      return Bad(path, absl::StrCat("entries must be 1-64 characters of [a-z0-9_.-]"));
    }
    for (const std::string& seen : words) {
      if (seen == word) return Bad(path, "lists a name twice");
    }
    words.push_back(word);
  }
  *out = std::move(words);
  return absl::OkStatus();
}

Handler Integer(int* out, int lo, int hi) {
  return [=](const YAML::Node& n, const std::string& p) {
    double v = 0;
    if (absl::Status s = ReadNumber(n, p, lo, hi, &v); !s.ok()) return s;
    if (v != std::floor(v)) return Bad(p, "must be a whole number");
    *out = static_cast<int>(v);
    return absl::OkStatus();
  };
}

Handler ChannelHandler(ChannelConfig* c) {
  return [c](const YAML::Node& n, const std::string& p) {
    return WalkMap(n, p,
                   {{"sla_seconds", Seconds(&c->sla, 1, 30 * 86400)},
                    {"capacity_cost", Number(&c->capacity_cost, 0.01, 1.0)},
                    {"urgency", Number(&c->urgency, 0, 1000)},
                    {"ttl_seconds", Seconds(&c->ttl, 1, 365 * 86400)},
                    {"wrap_up_seconds", Seconds(&c->wrap_up, 0, 3600)}});
  };
}

Handler ChannelAdmissionHandler(ChannelAdmission* a) {
  return [a](const YAML::Node& n, const std::string& p) {
    return WalkMap(n, p,
                   {{"rate_per_second", Number(&a->rate_per_second, 0, 1000000)},
                    {"burst", Number(&a->burst, 0, 10000000)}});
  };
}

Handler StrategyHandler(Strategy* out) {
  return [out](const YAML::Node& n, const std::string& p) {
    if (!n.IsScalar() || !ParseStrategy(n.as<std::string>(), out)) {
      return Bad(p,
                 "must be one of outcome, longest_idle, round_robin, least_occupied, "
                 "fastest_handle");
    }
    return absl::OkStatus();
  };
}

absl::Status ReadTopics(const YAML::Node& node, const std::string& path,
                        std::vector<std::string>* out) {
  if (!node.IsSequence()) return Bad(path, "must be a list of topic names");
  if (node.size() > 200) return Bad(path, "at most 200 topics (they are metric labels)");
  std::vector<std::string> topics;
  for (size_t i = 0; i < node.size(); ++i) {
    std::string item_path = absl::StrCat(path, "[", i, "]");
    if (!node[i].IsScalar()) return Bad(item_path, "must be a topic name");
    std::string topic = node[i].as<std::string>();
    if (!ValidateName("topic", topic).ok() || topic == "other") {
      return Bad(item_path, "must be 1-64 characters of [a-z0-9_.-] and not \"other\"");
    }
    topics.push_back(topic);
  }
  *out = std::move(topics);
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<EngineConfig> ParseEngineConfig(absl::string_view yaml) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml));
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(absl::StrCat("configuration is not valid YAML at line ",
                                                   e.mark.line + 1, ", column ",
                                                   e.mark.column + 1));
  }
  EngineConfig config;
  if (root.IsNull()) return config;  // an empty file: all defaults
  PerChannel<ChannelConfig>& ch = config.channels;
  PriorityWeights& w = config.priority;
  absl::Status status = WalkMap(
      root, "",
      {{"domain",
        [&](const YAML::Node& n, const std::string& p) {
          if (!n.IsScalar()) return Bad(p, "must be a name");
          config.domain = n.as<std::string>();
          if (!ValidateName("domain", config.domain).ok()) {
            return Bad(p, "must be 1-64 characters of [a-z0-9_.-]");
          }
          return absl::OkStatus();
        }},
       {"channels",
        [&](const YAML::Node& n, const std::string& p) {
          return WalkMap(n, p,
                         {{"phone", ChannelHandler(&ch[ChannelIndex(Channel::kPhone)])},
                          {"chat", ChannelHandler(&ch[ChannelIndex(Channel::kChat)])},
                          {"social", ChannelHandler(&ch[ChannelIndex(Channel::kSocial)])},
                          {"email", ChannelHandler(&ch[ChannelIndex(Channel::kEmail)])}});
        }},
       {"topics", [&](const YAML::Node& n,
                      const std::string& p) { return ReadTopics(n, p, &config.topics); }},
       {"priority_weights",
        [&](const YAML::Node& n, const std::string& p) {
          return WalkMap(n, p,
                         {{"wait_vs_sla", Number(&w.wait_vs_sla, 0, 1000)},
                          {"customer_value", Number(&w.customer_value, 0, 1000)},
                          {"negative_sentiment", Number(&w.negative_sentiment, 0, 1000)},
                          {"reach", Number(&w.reach, 0, 1000)},
                          {"explicit_priority", Number(&w.explicit_priority, 0, 10)},
                          {"repeat_contact", Number(&w.repeat_contact, 0, 1000)}});
        }},
       {"offers",
        [&](const YAML::Node& n, const std::string& p) {
          return WalkMap(n, p,
                         {{"timeout_seconds", Seconds(&config.offer_timeout, 0.05, 600)},
                          {"max_missed_in_row", Integer(&config.max_missed_offers, 1, 100)},
                          {"decline_pass_seconds", Seconds(&config.decline_pass, 0, 86400)}});
        }},
       {"agents",
        [&](const YAML::Node& n, const std::string& p) {
          return WalkMap(
              n, p,
              {{"heartbeat_timeout_seconds", Seconds(&config.heartbeat_timeout, 0.1, 600)},
               {"reconnect_grace_seconds", Seconds(&config.reconnect_grace, 0, 86400)}});
        }},
       {"retention",
        [&](const YAML::Node& n, const std::string& p) {
          return WalkMap(
              n, p, {{"closed_case_seconds", Seconds(&config.closed_retention, 60, 90 * 86400)}});
        }},
       {"leadership",
        [&](const YAML::Node& n, const std::string& p) {
          return WalkMap(n, p, {{"lease_ttl_seconds", Seconds(&config.lease_ttl, 0.5, 300)}});
        }},
       {"store",
        [&](const YAML::Node& n, const std::string& p) {
          StoreConfig& st = config.store;
          return WalkMap(
              n, p,
              {{"command_timeout_seconds", Seconds(&st.command_timeout, 0.05, 60)},
               {"min_replicas_acked", Integer(&st.min_replicas_acked, 0, 16)},
               {"replica_ack_timeout_seconds", Seconds(&st.replica_ack_timeout, 0.01, 60)}});
        }},
       {"limits",
        [&](const YAML::Node& n, const std::string& p) {
          return WalkMap(n, p, {{"max_queue", Integer(&config.max_queue, 1, 10000000)}});
        }},
       {"admission",
        [&](const YAML::Node& n, const std::string& p) {
          PerChannel<ChannelAdmission>& a = config.admission.channels;
          return WalkMap(
              n, p,
              {{"live_reserve_share", Number(&config.admission.live_reserve_share, 0, 0.9)},
               {"channels", [&](const YAML::Node& cn, const std::string& cp) {
                  return WalkMap(
                      cn, cp,
                      {{"phone", ChannelAdmissionHandler(&a[ChannelIndex(Channel::kPhone)])},
                       {"chat", ChannelAdmissionHandler(&a[ChannelIndex(Channel::kChat)])},
                       {"social", ChannelAdmissionHandler(&a[ChannelIndex(Channel::kSocial)])},
                       {"email", ChannelAdmissionHandler(&a[ChannelIndex(Channel::kEmail)])}});
                }}});
        }},
       {"queues",  // issue 16: queue_config_parser.h
        [&](const YAML::Node& n, const std::string& p) {
          return ParseQueues(n, p, &config.queues);
        }},
       {"floor",  // issue 14: how agents work their cases (router/model/floor_config.h)
        [&](const YAML::Node& n, const std::string& p) {
          FloorConfig& f = config.floor;
          return WalkMap(
              n, p,
              {{"pending",
                [&](const YAML::Node& pn, const std::string& pp) {
                  return WalkMap(
                      pn, pp,
                      {{"return_wait_seconds", Seconds(&f.pending_return_wait, 0, 86400)},
                       {"close_after_seconds", Seconds(&f.pending_close_after, 1, 90 * 86400)}});
                }},
               {"away_reasons",
                [&](const YAML::Node& an, const std::string& ap) {
                  return ReadWords(an, ap, &f.away_reasons);
                }},
               {"wrap_up",
                [&](const YAML::Node& wn, const std::string& wp) {
                  return WalkMap(
                      wn, wp,
                      {{"max_extension_seconds", Seconds(&f.max_wrap_up_extension, 0, 3600)}});
                }},
               {"dispositions", [&](const YAML::Node& dn, const std::string& dp) {
                  if (!dn.IsMap()) return Bad(dp, "must map topics to lists of codes");
                  f.dispositions.clear();
                  for (const auto& item : dn) {
                    std::string topic = item.first.as<std::string>();
                    std::string path = absl::StrCat(dp, ".", topic);
                    if (!ValidateName("topic", topic).ok()) {
                      return Bad(path, "must be 1-64 characters of [a-z0-9_.-]");
                    }
                    if (absl::Status s = ReadWords(item.second, path, &f.dispositions[topic]);
                        !s.ok()) {
                      return s;
                    }
                  }
                  return absl::OkStatus();
                }}});
        }},
       {"history",
        [&](const YAML::Node& n, const std::string& p) {
          return WalkMap(
              n, p, {{"repeat_window_seconds", Seconds(&config.repeat_window, 60, 90 * 86400)}});
        }},
       {"benchmark",
        [&](const YAML::Node& n, const std::string& p) {
          return ParseBenchmarkSection(n, p, &config.benchmark);  // issue 17
        }},
       {"routing", [&](const YAML::Node& n, const std::string& p) {
          MatchWeights& m = config.matching;
          return WalkMap(n, p,
                         {{"strategy", StrategyHandler(&config.strategy)},
                          {"by_topic",
                           [&](const YAML::Node& topics, const std::string& tp) {
                             if (!topics.IsMap()) return Bad(tp, "must map topics to strategies");
                             for (const auto& item : topics) {
                               std::string topic = item.first.as<std::string>();
                               std::string path = absl::StrCat(tp, ".", topic);
                               if (!ValidateName("topic", topic).ok()) {
                                 return Bad(path, "must be 1-64 characters of [a-z0-9_.-]");
                               }
                               Strategy s;
                               if (absl::Status st = StrategyHandler(&s)(item.second, path);
                                   !st.ok()) {
                                 return st;
                               }
                               config.topic_strategy[topic] = s;
                             }
                             return absl::OkStatus();
                           }},
                          {"weights",
                           [&](const YAML::Node& wn, const std::string& wp) {
                             return WalkMap(wn, wp,
                                            {{"relationship", Number(&m.relationship, 0, 1000)},
                                             {"quality", Number(&m.quality, 0, 1000)},
                                             {"exploration", Number(&m.exploration, 0, 1000)},
                                             {"proficiency", Number(&m.proficiency, 0, 1000)},
                                             {"idle", Number(&m.idle, 0, 1000)},
                                             {"load", Number(&m.load, 0, 1000)}});
                           }},
                          {"prior_strength", Number(&m.prior_strength, 0, 100000)},
                          {"agent_prior_strength", Number(&m.agent_prior_strength, 0, 100000)},
                          {"hold_failure_cost", Number(&m.hold_failure_cost, 0, 1000)},
                          {"hold_confidence", Number(&m.hold_confidence, 0, 10)},
                          {"relationship_half_life_seconds",
                           Seconds(&m.relationship_half_life, 60, 3650 * 86400)},
                          {"low_csat", Integer(&m.low_csat, 0, 5)},
                          {"occupancy_cap", Number(&m.occupancy_cap, 0.1, 1.0)},
                          {"bullseye_share", Number(&m.bullseye_share, 0, 10)},
                          {"top_quality_share", Number(&m.top_quality_share, 0, 1)}});
        }}});
  if (!status.ok()) return status;
  for (Channel channel : kAllChannels) {
    const ChannelAdmission& a = config.admission.channels[ChannelIndex(channel)];
    if (a.rate_per_second > 0 && a.burst < 1) {
      return Bad(absl::StrCat("admission.channels.", ChannelName(channel), ".burst"),
                 "must be at least 1 when rate_per_second is set (a bucket that holds no "
                 "submission refuses them all)");
    }
  }
  if (config.closed_retention < config.repeat_window) {
    return Bad("retention.closed_case_seconds",
               "must be at least history.repeat_window_seconds (repeat contacts are found among "
               "the closed cases kept)");
  }
  return config;
}

absl::StatusOr<EngineConfig> LoadEngineConfigFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read configuration file ", path));
  std::stringstream text;
  text << in.rdbuf();
  absl::StatusOr<EngineConfig> config = ParseEngineConfig(text.str());
  if (!config.ok()) {
    return absl::Status(config.status().code(),
                        absl::StrCat(path, ": ", config.status().message()));
  }
  return config;
}

}  // namespace caserouter
