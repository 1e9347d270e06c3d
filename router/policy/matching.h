// Matching: which eligible agent gets the case, and why.
//
// Pure function over values: the case, the candidate agents with their record on the case's
// topic, their record across topics and their relationship with the case's customer, the
// team's mean record on the topic, the configuration and `now`. No I/O, no clock, no
// randomness. It returns a Decision that records every agent considered, the agents excluded
// by reason, the strategy, and the score terms of the winner and the runner-up, so that
// ExplainDecision can show it and metrics can count exclusions.
//
// The default strategy (kOutcome) routes for the outcome the customer wants. Scores are in
// points of resolution probability (MatchWeights):
//   quality        `quality` x the estimated probability that the agent resolves the case:
//                  hierarchical — the agent's cases on the topic, shrunk toward the agent's
//                  level across topics, shrunk toward the topic's team rate — and counted on
//                  the customer's evidence before the agent's word (resolution_estimate.h)
//   relationship   this customer's good outcomes with the agent, halving every half-life
//                  (counted from the case's arrival); a last CSAT at or below `low_csat`
//                  removes it
//   previous_agent the agent who held the case before it had to be re-routed
//   exploration    at most `exploration`, in proportion to the estimate's remaining
//                  uncertainty, so new agents earn a record; a decision whose winner it made
//                  is marked `explored`, with the agent the estimates alone would have chosen
//   proficiency    mean proficiency on the required skills (a tie-breaker)
//   idle, load     fairness tie-breakers: idle time helps, work in hand costs; an agent above
//                  the occupancy cap gets nothing while someone eligible is below it
// Handle time never raises an agent's score in this strategy.
//
// Holding for a better agent (hold_policy.h): while inside the bound (waited < bullseye_share
// x (SLA - waited)), a case waits for an agent of its preferred ring — the relationship or
// previous agent and the top `top_quality_share` agents present and qualified — who cannot
// take it now, only when the rule says the wait pays: better than the best free agent beyond
// doubt, and the resolutions it expects to gain worth more seconds than it expects to wait.
// Otherwise it goes to the best eligible agent at once: no case waits while an agent about as
// good is free.
//
// Empowerment: a case needing authority goes only to agents empowered for it and otherwise
// waits, unless its SLA is breached: then the authority check is waived, the best agent gets
// it, and the decision is marked for supervisor help.
//
// EngineConfig::oracle (the simulator's bound, never set in production) replaces every
// strategy: the eligible agent the oracle says is most likely to resolve the case, no hold.
#ifndef CASEROUTER_ROUTER_POLICY_MATCHING_H_
#define CASEROUTER_ROUTER_POLICY_MATCHING_H_

#include <array>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/time/time.h"
#include "agents/agent.h"
#include "agents/quality_record.h"
#include "router/model/case.h"
#include "router/model/engine_config.h"
#include "router/model/reasons.h"
#include "router/model/score.h"

namespace caserouter {

struct AgentCandidate {
  const Agent* agent = nullptr;
  bool connected = false;
  const QualityRecord* quality = nullptr;      // on the case's topic; null = no record
  const Relationship* relationship = nullptr;  // with the case's customer; null = none
  const AgentRecord* overall = nullptr;        // across topics; null = no outcome yet
};

struct ScoredAgent {
  std::string agent_id;
  Score score;
};

struct Decision {
  std::string case_id;
  absl::Time time;
  Strategy strategy = Strategy::kOutcome;
  std::string arm;     // the benchmark arm whose strategy decided (issue 17), or empty
  Score priority;      // filled in by the engine
  int considered = 0;  // agents looked at
  std::array<int, kExclusionCount> excluded_by = {};        // counts per reason
  std::vector<std::pair<std::string, Exclusion>> excluded;  // agent id → first reason
  std::vector<std::string> over_occupancy_cap;              // eligible, but held back
  std::vector<std::string> preferred_ring;                  // bullseye ring (outcome strategy)
  bool waiting_for_preferred = false;              // held for an agent of the ring (hold_policy.h)
  std::string held_for;                            // ... this one
  absl::Time hold_until = absl::InfiniteFuture();  // decide again by then at the latest
  double hold_gain_seconds = 0;                    // what the rule weighed
  double hold_cost_seconds = 0;
  bool explored = false;           // the exploration term chose the winner
  std::string exploit_choice;      // ... over this agent, the estimates' choice
  bool authority_waived = false;   // SLA breached: routed past its authority need
  std::string relationship_agent;  // the customer's best relationship agent, if any
  // Issue 16: the case's queue and plan step, and why it is there (empty with no queue
  // configured; filled in by the engine).
  std::string queue;
  int queue_step = 0;
  std::string queue_reason;
  std::optional<ScoredAgent> winner;
  std::optional<ScoredAgent> runner_up;
  // A supervisor chose the agent (issue 14: AssignCase, TakeOverCase), not the strategy: who.
  std::string assigned_by;
};

// Decides over `agents`: every agent that might be eligible, with or without a desk.
Decision ChooseAgent(const Case& c, const std::vector<AgentCandidate>& agents,
                     const TeamRecord& team, const EngineConfig& config, absl::Time now);

// The agents a decision looks at when the caller keeps indexes of who could take the case (the
// engine's routing pass), so that a decision costs the agents free to take it, not every agent
// present. ChooseAgentFrom decides exactly as ChooseAgent over the present agents would:
//   candidates        the agents checked for eligibility (those free to take the channel now)
//   not_available     present agents with the skills and language who are not AVAILABLE,
//   without_capacity  ... and those AVAILABLE with no capacity on the channel: counted as
//                     considered and excluded (presence, capacity), not listed
//   related           present agents with the skills and language who have a relationship
//                     with the customer or are its previous agent, in id order
// and `top_quality` returns TopQualityRing over the present agents qualified for the case
// (skills, language, authority), their topic and overall records attached; it is called only
// when RingMatters and someone is free to compare the ring with.
struct CandidatePool {
  std::vector<AgentCandidate> candidates;
  std::vector<AgentCandidate> related;
  int not_available = 0;
  int without_capacity = 0;
  size_t max_listed = 0;  // the decision lists at most this many ring agents (0: all)
};
Decision ChooseAgentFrom(const Case& c, const CandidatePool& pool, const TeamRecord& team,
                         const EngineConfig& config, absl::Time now,
                         absl::FunctionRef<const std::vector<AgentCandidate>&()> top_quality);

// The outcome strategy may hold this case for its ring at `now` (inside the hold's bound).
bool RingMatters(const Case& c, const EngineConfig& config, absl::Time now);

// The top-quality part of the ring, in id order: the first top_quality_share of
// `present_qualified` by estimated resolution on the topic (resolution_estimate.h: their
// `quality` and `overall` records; no relationship, which the ring takes from `related`) whose
// estimate stands out from the lowest of them. It depends on who is present, on the topic's
// records and on those agents' overall records, and on nothing else.
std::vector<AgentCandidate> TopQualityRing(const std::vector<AgentCandidate>& present_qualified,
                                           const TeamRecord& team, const MatchWeights& w);

// The relationship term alone (0 when there is no relationship or it was spoiled by low CSAT).
double RelationshipStrength(const Relationship* r, const MatchWeights& w, absl::Time now);

}  // namespace caserouter

#endif  // CASEROUTER_ROUTER_POLICY_MATCHING_H_
