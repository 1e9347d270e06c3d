// AgentPools: for each requirement group, who among the agents could serve its cases — kept
// as agents change, so that a routing decision costs the agents free to take the case, not
// every agent present.
//
// A pool holds, for one requirement signature (waiting_index.h): the agents with its skills
// and language (`matching`, id order); how many of them are present (desk connected, not
// OFFLINE) and how many AVAILABLE; the set of those able to take the group's channel now
// (AVAILABLE, connected, capacity left); and, per topic, the top-quality part of the ring
// over the present agents qualified for the group (authority included), which only a change
// of who is present, of the topic's records or of those agents' overall records can alter.
//
// The routing pass tells the pools what changed: every agent touched since the last pass
// (presence, load, desk session), after each offer the agent it went to, the topics whose
// records changed, and the agents whose records changed (their level across topics). Pools are
// built on first use and dropped whole when profiles or the configuration change (Clear), since
// either can change who matches or who is able.
//
// Memory: one status per agent, and per pool its matching agents (a pointer each) and its able
// set; nothing per case.
//
// Thread safety: engine thread only. Errors: none.
#ifndef CASEROUTER_ROUTER_ENGINE_AGENT_POOLS_H_
#define CASEROUTER_ROUTER_ENGINE_AGENT_POOLS_H_

#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "agents/agent.h"
#include "agents/quality_record.h"
#include "router/engine/tick_context.h"
#include "router/engine/waiting_index.h"
#include "router/policy/matching.h"

namespace caserouter {

class AgentPools {
 public:
  struct ById {
    bool operator()(const Agent* a, const Agent* b) const { return a->id < b->id; }
  };
  struct Pool {
    Requirements requirements;
    std::vector<Agent*> matching;  // skills and language, id order, present or not
    int present = 0;               // of `matching`: desk connected, not OFFLINE
    int available = 0;             // ... and AVAILABLE
    std::set<Agent*, ById> able;   // ... and capacity left on the group's channel
    // Topic → TopQualityRing over the present agents qualified for the group.
    std::map<std::string, std::vector<AgentCandidate>> top_quality;
  };

  // The group's pool, built from every agent on first use.
  Pool& For(const TickContext& ctx, const std::string& signature, const Requirements& r);
  // The agent changed (or was removed: null with its id): every pool it matches follows.
  void Update(const TickContext& ctx, const std::string& agent_id, Agent* agent);
  // The topic's quality records changed: its rings are computed again when next needed.
  void TopicChanged(const std::string& topic);
  // The agent's records changed, so did their level across topics: the rings of the pools
  // they match are computed again when next needed.
  void AgentRecordChanged(const Agent& agent);
  // The top-quality ring of the pool on `topic`, from the cache or computed.
  const std::vector<AgentCandidate>& TopQuality(const TickContext& ctx, Pool& pool,
                                                const std::string& topic, const TeamRecord& team);
  // Present: desk connected and not OFFLINE.
  static bool Present(const TickContext& ctx, const Agent& a);
  void Clear();

 private:
  struct Status {
    bool present = false;
    bool available = false;
    PerChannel<bool> able = {false, false, false, false};
    bool operator==(const Status& o) const {
      return present == o.present && available == o.available && able == o.able;
    }
  };
  static Status StatusOf(const TickContext& ctx, const Agent& a);
  static void Count(Pool& pool, Agent* agent, const Status& s, int sign);

  std::map<std::string, Pool> pools_;                  // by signature
  absl::flat_hash_map<std::string, Status> statuses_;  // agent id → as the pools count it
};

}  // namespace caserouter

#endif  // CASEROUTER_ROUTER_ENGINE_AGENT_POOLS_H_
