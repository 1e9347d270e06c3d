// EngineConfig: every tunable of a routing domain's engine, with defaults that make sense out of
// the box. Loaded from YAML by config_loader.h; plain value, no I/O.
#ifndef CASEROUTER_ROUTER_MODEL_ENGINE_CONFIG_H_
#define CASEROUTER_ROUTER_MODEL_ENGINE_CONFIG_H_

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "agents/channel.h"
#include "router/model/benchmark_config.h"
#include "router/model/enum_names.h"
#include "router/model/floor_config.h"
#include "router/model/queue_config.h"

namespace caserouter {

struct ChannelConfig {
  absl::Duration sla;          // target time to answer
  double capacity_cost = 1.0;  // share of an agent's attention one case takes (1.0 = all)
  double urgency = 0;          // priority term for the channel itself
  absl::Duration ttl;          // a case nobody took in this time expires
  absl::Duration wrap_up;      // after-case work before the agent gets another offer
};

// Weights of the priority terms (see priority.h).
struct PriorityWeights {
  double wait_vs_sla = 30;         // per SLA elapsed, unbounded so nothing starves
  double customer_value = 10;      // at the top of the value scale
  double negative_sentiment = 10;  // at sentiment -1
  double reach = 10;               // a public post with a million followers
  double explicit_priority = 0.2;  // per point of the adapter's 0..100
  double repeat_contact = 20;      // the customer had to come back
};

// How the agent for a case is chosen (see matching.h). kOutcome is caserouter's default; the
// others are the classic strategies, kept so users can choose and the simulator can compare.
enum class Strategy {
  kOutcome = 0,        // history and quality: relationship, resolution record, proficiency
  kLongestIdle = 1,    // the agent idle longest
  kRoundRobin = 2,     // the agent offered a case least recently
  kLeastOccupied = 3,  // the agent with the least work in hand
  kFastestHandle = 4,  // the agent with the shortest mean handle time ("calls per hour")
};
inline constexpr int kStrategyCount = 5;

// Weights and bounds of the default (outcome) strategy's terms. Scores are in points of
// resolution probability: the quality term is `quality` x the estimated probability that the
// agent resolves the case (100: one point per percentage point), and the other terms are
// sized against it — small ones only break ties between agents about as likely to resolve.
struct MatchWeights {
  double relationship = 5;     // this customer's recent good outcomes with the agent
  double quality = 100;        // the estimated probability of resolving (resolution_estimate.h)
  double exploration = 3;      // at most this much for an agent with no record yet
  double proficiency = 1;      // mean proficiency on the required skills, at 10/10
  double idle = 1;             // fairness: at 10 minutes idle
  double load = 2;             // fairness: minus this at a full attention budget
  double prior_strength = 30;  // pseudo-cases pulling an agent's topic record to their level
  double agent_prior_strength = 30;  // pseudo-cases pulling an agent's level to the team's
  absl::Duration relationship_half_life = absl::Hours(24 * 30);
  int low_csat = 2;                // a last CSAT at or below this removes the preference
  double occupancy_cap = 0.9;      // an agent who would pass this share of attention with the case
                                   // gets none while another eligible agent would not
  double bullseye_share = 0.5;     // a hold lasts at most while waited < share x SLA left
  double top_quality_share = 0.2;  // top share of agents (by estimate) a case may be held for
  // The hold rule (hold_policy.h): a case waits for a better agent only when the resolutions
  // it expects to gain, each worth `hold_failure_cost` mean handle times of the topic (the
  // contact a failure brings back), outweigh the seconds it expects to wait; and only for an
  // agent better by more than `hold_confidence` standard deviations of the difference.
  double hold_failure_cost = 1;
  double hold_confidence = 1;
};

// Admission before the tick (router/service/admission.h): what the gRPC layer refuses at once,
// before a submission reaches the engine's queue. A channel's token bucket holds `burst`
// submissions and refills at `rate_per_second`; rate 0 turns the channel's limit off.
struct ChannelAdmission {
  double rate_per_second = 0;
  double burst = 0;
};

struct AdmissionConfig {
  // Phone and chat are live (a person waits on the line) and unlimited; social and email can
  // be retried by their adapters later, so a burst of posts is cut to a rate the agents can
  // work through instead of filling the queue.
  PerChannel<ChannelAdmission> channels = {
      ChannelAdmission{0, 0},
      ChannelAdmission{0, 0},
      ChannelAdmission{200, 2000},
      ChannelAdmission{100, 1000},
  };
  // The share of max_queue (and of the server's calls in flight) that only phone and chat may
  // fill: social and email are refused once open cases reach max_queue x (1 -
  // live_reserve_share), so calls and chats still find room after a social burst.
  double live_reserve_share = 0.2;
};

// The state store's settings: read by the process that builds the store (server_main.cc), not
// by the engine. They take effect at start; a reload keeps the running store's.
struct StoreConfig {
  // How long one Redis command (or a connection attempt) may take before the store counts as
  // unavailable: the time in which a hung Redis is noticed. Callers then get UNAVAILABLE, at
  // the latest this long after they called (plus a tick): client deadlines should be longer.
  absl::Duration command_timeout = absl::Seconds(1);
  // Replicas that must have a batch (WAIT) before its callers are answered; 0 = none. Fewer
  // within replica_ack_timeout: the tick's callers get UNAVAILABLE and the replica steps down
  // (docs/reliability.md).
  int min_replicas_acked = 0;
  absl::Duration replica_ack_timeout = absl::Milliseconds(500);
};

// The true probability that an agent resolves a customer's case on a topic: what no router
// can know. Only the simulator implements it (from its hidden ground truth), to measure how
// much an all-knowing router would gain; see EngineConfig::oracle.
class ResolutionOracle {
 public:
  virtual ~ResolutionOracle() = default;
  virtual double Probability(const std::string& agent_id, const std::string& topic,
                             const std::string& customer_id) const = 0;
};

struct EngineConfig {
  std::string domain = "default";
  PerChannel<ChannelConfig> channels = {
      ChannelConfig{absl::Seconds(20), 1.0, 40, absl::Minutes(15), absl::Seconds(30)},
      ChannelConfig{absl::Seconds(60), 0.34, 25, absl::Minutes(30), absl::Seconds(10)},
      ChannelConfig{absl::Minutes(15), 0.25, 15, absl::Hours(24), absl::Seconds(10)},
      ChannelConfig{absl::Hours(4), 0.2, 5, absl::Hours(72), absl::Seconds(10)},
  };
  // Topics reported as metric labels; any other topic is routed but counted as "other".
  std::vector<std::string> topics = {"billing", "technical", "account",
                                     "sales",   "outage",    "general"};
  PriorityWeights priority;
  MatchWeights matching;
  AdmissionConfig admission;  // read by the gRPC layer, not by the engine
  StoreConfig store;          // read where the store is built, not by the engine
  Strategy strategy = Strategy::kOutcome;
  std::map<std::string, Strategy> topic_strategy;  // per-topic override
  // Strategies compared live on the domain's cases (issue 17; benchmark_config.h). A case in a
  // running benchmark is routed by its arm's strategy (router/policy/benchmark_arms.h).
  BenchmarkConfig benchmark;
  // Issue 16: the queues a centre defines, in the order their filters are tried; none = every
  // case in the implicit default queue (queue_config.h), routed as before queues existed.
  std::vector<QueueConfig> queues;
  // A new case from a customer on a topic within this window after one marked resolved is a
  // repeat contact. Closed cases are kept at least this long (closed_retention >= it).
  absl::Duration repeat_window = absl::Hours(72);

  absl::Duration offer_timeout = absl::Seconds(20);
  int max_missed_offers = 2;                              // in a row, then the agent is set AWAY
  absl::Duration decline_pass = absl::Minutes(5);         // a decliner is skipped this long
  absl::Duration heartbeat_timeout = absl::Seconds(15);   // a silent desk session is dead
  absl::Duration reconnect_grace = absl::Seconds(60);     // assignments wait this long for a
                                                          // disconnected agent, then re-route
  absl::Duration closed_retention = absl::Hours(24 * 7);  // closed cases (and idempotency keys)
  absl::Duration lease_ttl = absl::Seconds(5);            // leadership lease
  int max_queue = 100000;                                 // open cases; beyond: RESOURCE_EXHAUSTED
  // Decide every waiting case against every agent at every tick, as the engine did before it
  // re-decided only what a change can affect. For verification only (the simulator's
  // --full_pass compares both decision by decision); not read from configuration files.
  bool full_routing_pass = false;
  // How agents work their cases: pending, away reasons, wrap-up, dispositions (issue 14).
  FloorConfig floor;
  // Simulator only, never read from configuration files: when set, every case goes to the
  // eligible agent the oracle says is most likely to resolve it (idle time breaks ties) and
  // no case is held for anyone — the bound the simulator's "oracle" column measures.
  std::shared_ptr<const ResolutionOracle> oracle;

  Strategy StrategyFor(const std::string& topic) const {
    auto it = topic_strategy.find(topic);
    return it == topic_strategy.end() ? strategy : it->second;
  }
};

inline constexpr EnumName<Strategy> kStrategyNames[] = {
    {Strategy::kOutcome, "outcome"},
    {Strategy::kLongestIdle, "longest_idle"},
    {Strategy::kRoundRobin, "round_robin"},
    {Strategy::kLeastOccupied, "least_occupied"},
    {Strategy::kFastestHandle, "fastest_handle"}};

// "outcome", "longest_idle", "round_robin", "least_occupied", "fastest_handle".
inline const char* StrategyName(Strategy strategy) {
  return NameOf(kStrategyNames, strategy).data();  // the table's literals end in NUL
}
inline bool ParseStrategy(const std::string& name, Strategy* out) {
  std::optional<Strategy> s = ValueOf(kStrategyNames, name);
  if (s) *out = *s;
  return s.has_value();
}

}  // namespace caserouter

#endif  // CASEROUTER_ROUTER_MODEL_ENGINE_CONFIG_H_
