// Matching: which eligible agent gets the case, and why.
//
// Pure function over values: the case, the candidate agents with their record on the case's
// topic and their relationship with the case's customer, the team's mean record on the topic,
// the configuration and `now`. No I/O, no clock, no randomness. It returns a Decision that
// records every agent considered, the agents excluded by reason, the strategy, and the score
// terms of the winner and the runner-up, so that ExplainDecision can show it and metrics can
// count exclusions.
//
// The default strategy (kOutcome) routes for the outcome the customer wants:
//   relationship   this customer's good outcomes with the agent, halving every half-life;
//                  a last CSAT at or below `low_csat` removes it
//   previous_agent the agent who held the case before it had to be re-routed
//   quality        first-contact resolution (70%) and CSAT (30%) on the topic, each smoothed
//                  toward the team mean with `prior_strength` pseudo-cases (Bayesian average)
//   exploration    at most `exploration`, shrinking as 1/sqrt(1+cases), so new agents earn a
//                  record
//   proficiency    mean proficiency on the required skills
//   idle, load     fairness: idle time helps, work in hand costs; an agent above the occupancy
//                  cap gets nothing while someone eligible is below it
// Handle time never raises an agent's score in this strategy.
//
// Bullseye: while the case has waited less than bullseye_share x (SLA - waited), it is offered
// only to its preferred ring — the relationship or previous agent and the top-quality agents
// present — and otherwise waits; then it widens to every eligible agent. The bound shrinks as
// the SLA runs out and is zero past it (a live caller past the SLA waits for nobody).
//
// Empowerment: a case needing authority goes only to agents empowered for it and otherwise
// waits, unless its SLA is breached: then the authority check is waived, the best agent gets
// it, and the decision is marked for supervisor help.
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
};

struct ScoredAgent {
  std::string agent_id;
  Score score;
};

struct Decision {
  std::string case_id;
  absl::Time time;
  Strategy strategy = Strategy::kOutcome;
  Score priority;                                           // filled in by the engine
  int considered = 0;                                       // agents looked at
  std::array<int, kExclusionCount> excluded_by = {};        // counts per reason
  std::vector<std::pair<std::string, Exclusion>> excluded;  // agent id → first reason
  std::vector<std::string> over_occupancy_cap;              // eligible, but held back
  std::vector<std::string> preferred_ring;                  // bullseye ring (outcome strategy)
  bool waiting_for_preferred = false;  // no ring agent free yet and the bound not reached
  bool authority_waived = false;       // SLA breached: routed past its authority need
  std::string relationship_agent;      // the customer's best relationship agent, if any
  std::optional<ScoredAgent> winner;
  std::optional<ScoredAgent> runner_up;
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
// (skills, language, authority); it is called only when RingMatters.
struct CandidatePool {
  std::vector<AgentCandidate> candidates;
  std::vector<AgentCandidate> related;
  int not_available = 0;
  int without_capacity = 0;
  size_t max_listed = 0;  // the decision lists at most this many ring agents (0: all)
};
Decision ChooseAgentFrom(const Case& c, const CandidatePool& pool, const TeamRecord& team,
                         const EngineConfig& config, absl::Time now,
                         absl::FunctionRef<const std::vector<std::string>&()> top_quality);

// The outcome strategy holds this case for its bullseye ring at `now`.
bool RingMatters(const Case& c, const EngineConfig& config, absl::Time now);

// The top-quality part of the bullseye ring, in id order: the first top_quality_share of
// `present_qualified` by quality on the topic (their `quality` set) whose record stands out
// from the lowest of them.
std::vector<std::string> TopQualityRing(const std::vector<AgentCandidate>& present_qualified,
                                        const TeamRecord& team, const MatchWeights& w);

// The relationship term alone (0 when there is no relationship or it was spoiled by low CSAT).
double RelationshipStrength(const Relationship* r, const MatchWeights& w, absl::Time now);

}  // namespace caserouter

#endif  // CASEROUTER_ROUTER_POLICY_MATCHING_H_
