// RoutingPass: one global order across every queue of the domain, and the decision of each
// waiting case, with the explanation kept for ExplainDecision.
//
// Each tick the pass orders the queued cases by priority (then age, then id) and decides each
// in turn against every agent (the pure matching policy), offering a case as soon as an agent
// is chosen, so that a later case sees the load the earlier offers put on the agents. When no
// agent is free at all, nothing can be offered; the pass then only explains why cases wait,
// deciding again just the cases without a decision since the agents last changed.
//
// Thread safety: engine thread only. Errors: none ("no agent free" is a decision).
#ifndef CASEROUTER_ROUTER_ENGINE_ROUTING_PASS_H_
#define CASEROUTER_ROUTER_ENGINE_ROUTING_PASS_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "router/engine/tick_context.h"
#include "router/model/clock.h"
#include "router/policy/matching.h"

namespace caserouter {

class RoutingPass {
 public:
  // Routes the queue at ctx.now. `clock` times the pass for the observer only.
  void Run(TickContext& ctx, Clock& clock);
  // The last decision of `case_id`, or null when this replica never decided it.
  const Decision* LastDecision(const std::string& case_id) const;
  // The case is gone from memory (evicted).
  void Forget(const std::string& case_id) { decisions_.erase(case_id); }
  void Clear();

 private:
  struct RecordedDecision {
    Decision decision;
    uint64_t agents_epoch = 0;  // the state.agents_epoch it was made at
  };
  // Cases waited because nobody was free: explain them, deciding only what changed.
  void ExplainWaiting(TickContext& ctx, std::vector<AgentCandidate>& candidates);
  // ChooseAgent for `c` with its topic's records; `teams` caches team records for one pass.
  Decision Decide(TickContext& ctx, const Case& c, std::vector<AgentCandidate>& candidates);

  std::map<std::string, RecordedDecision> decisions_;
  std::map<std::string, TeamRecord> teams_;  // per topic, for the current pass only
  // What the last nobody-is-free explanation pass saw (see ExplainWaiting).
  uint64_t explained_agents_epoch_ = ~uint64_t{0};
  uint64_t explained_queue_version_ = ~uint64_t{0};
};

}  // namespace caserouter

#endif  // CASEROUTER_ROUTER_ENGINE_ROUTING_PASS_H_
