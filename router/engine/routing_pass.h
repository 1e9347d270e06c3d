// RoutingPass: one global order across every queue of the domain, decisions made only where a
// change can alter them, and the explanation of each decision on demand.
//
// The order is the full pass's: queued cases by priority (then age, then id), each decided in
// turn against the agents (the pure matching policy) and offered as soon as an agent is
// chosen, so a later case sees the load earlier offers put on the agents. A case that waits
// stays waiting until something it depends on changes (see waiting_index.h), so a pass decides
// only the touched cases, and, for each agent who became able to take cases of a requirement
// group, that group's cases in priority order until the agent is taken. The two are merged in
// the global order at the tick's `now`. Skipped cases are exactly those the full pass would
// have left waiting; EngineConfig::full_routing_pass runs the full pass instead, and the
// simulator compares both decision by decision.
//
// A decision considers the agents present (desk connected, not OFFLINE) with the case's skills
// and language: nobody else can be eligible or in its bullseye ring. It looks at them through
// the group's pool (agent_pools.h): the agents able to take the channel now are checked and
// scored, the others present are counted, the customer's related agents are looked up from
// the customer's relationships and the ring's top-quality part is kept per group and topic —
// so a decision costs the agents free to take it, not every agent present. ExplainDecision re-runs
// the policy over every agent for a waiting case (its inputs are as they were at its last
// decision, or it would have been decided again), and returns the stored decision of a case
// that was offered, with its agent lists capped.
//
// Thread safety: engine thread only. Errors: Explain returns NOT_FOUND for a case never
// decided by this replica.
#ifndef CASEROUTER_ROUTER_ENGINE_ROUTING_PASS_H_
#define CASEROUTER_ROUTER_ENGINE_ROUTING_PASS_H_

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "router/engine/agent_pools.h"
#include "router/engine/tick_context.h"
#include "router/engine/waiting_index.h"
#include "router/model/clock.h"
#include "router/policy/matching.h"

namespace caserouter {

class RoutingPass {
 public:
  // Routes the queue at ctx.now. `clock` times the pass for the observer only.
  void Run(TickContext& ctx, Clock& clock);
  // Why the case waits, or the decision that offered it.
  absl::StatusOr<Decision> Explain(TickContext& ctx, const Case& c);
  // A supervisor offered the case to an agent outside the pass (issue 14): Explain returns
  // `decision` until the case is decided again.
  void RecordSupervisorDecision(Decision decision);
  // The case is gone from memory (evicted).
  void Forget(const std::string& case_id) {
    offered_.erase(case_id);
    by_supervisor_.erase(case_id);
  }
  void Clear();

  // Cases decided by the last pass (work done, for tests and benchmarks).
  int64_t decided_last_pass() const { return decided_last_pass_; }

 private:
  struct Tally;  // what one pass reports to the observer
  // --- The incremental pass (routing_pass.cc) ---
  void RunIncremental(TickContext& ctx, Tally& tally);
  // Touches the cases the changes since the last pass can affect; returns the groups whose
  // cases an agent who became able to take them may now get, with those agents.
  std::map<std::string, std::vector<const Agent*>> TouchWhatChanged(TickContext& ctx);
  // Records that the case waits when nobody in its group's pool can take its channel now;
  // false (nothing recorded) when someone can.
  bool NobodyAble(TickContext& ctx, const Case& c, Tally& tally);
  // Decides one queued case and offers it or records why it waits. Returns the agent it was
  // offered to, or null.
  const Agent* DecideAndAct(TickContext& ctx, Case& c, const Score& priority, Tally& tally);
  // The pools follow the agents touched and the topics changed since the last pass.
  void UpdatePools(TickContext& ctx);
  // The case's pool as the policy takes it: the able agents, counts for the others present,
  // and the customer's related agents.
  CandidatePool PoolFor(TickContext& ctx, const Case& c, const AgentPools::Pool& pool);
  // Sets each candidate's record on the case's topic and relationship with its customer.
  void AttachRecords(TickContext& ctx, const Case& c, std::vector<AgentCandidate>& candidates);
  Decision Decide(TickContext& ctx, const Case& c, std::vector<AgentCandidate>& candidates,
                  absl::Time at);
  const TeamRecord& TeamOf(TickContext& ctx, const std::string& topic);
  void Offered(TickContext& ctx, Case& c, Decision decision, const Score& priority, Tally& tally);

  // --- The full pass, for verification (routing_pass_full.cc) ---
  void RunFull(TickContext& ctx, Tally& tally);
  void ExplainWaitingFull(TickContext& ctx, std::vector<AgentCandidate>& candidates);

  // Stored decisions: of the cases this replica offered (capped lists), and in the full pass
  // of every case it decided.
  std::map<std::string, Decision> offered_;
  struct FullDecision {
    Decision decision;
    uint64_t agents_epoch = 0;
  };
  std::map<std::string, FullDecision> full_;
  std::map<std::string, Decision> by_supervisor_;  // RecordSupervisorDecision
  uint64_t explained_agents_epoch_ = ~uint64_t{0};
  uint64_t explained_queue_version_ = ~uint64_t{0};

  std::map<std::string, TeamRecord> teams_;  // per topic, for the current pass only
  // Who could serve each requirement group; rebuilt when profiles or the configuration change.
  AgentPools pools_;
  uint64_t pools_version_ = ~uint64_t{0};
  // Issue 16: the waiting index's book these pools and per-queue configurations follow.
  uint64_t book_version_ = ~uint64_t{0};
  std::vector<EngineConfig> queue_configs_;  // by queue index; empty with no queue configured
  int64_t decided_last_pass_ = 0;
};

}  // namespace caserouter

#endif  // CASEROUTER_ROUTER_ENGINE_ROUTING_PASS_H_
