// Matching: which eligible agent gets the case, and why.
//
// Pure function over values: the case, the candidate agents (with whether their desk is
// connected), the configuration and `now`. It returns a Decision that records every agent
// considered, the agents excluded by reason, and the score terms of the winner and runner-up,
// so that ExplainDecision can show it and metrics can count exclusions.
//
// The default choice for now is proficiency on the required skills, then longest idle; the
// history and quality terms plug in here as further named terms.
#ifndef CASEROUTER_ROUTER_MATCHING_H_
#define CASEROUTER_ROUTER_MATCHING_H_

#include <array>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/time/time.h"
#include "agents/agent.h"
#include "router/case.h"
#include "router/engine_config.h"
#include "router/engine_observer.h"
#include "router/score.h"

namespace caserouter {

struct AgentCandidate {
  const Agent* agent = nullptr;
  bool connected = false;
};

struct ScoredAgent {
  std::string agent_id;
  Score score;
};

struct Decision {
  std::string case_id;
  absl::Time time;
  std::string strategy;
  Score priority;
  int considered = 0;                                    // agents looked at
  std::array<int, kExclusionCount> excluded_by = {};     // counts per reason
  std::vector<std::pair<std::string, Exclusion>> excluded;  // agent id → first reason
  std::optional<ScoredAgent> winner;
  std::optional<ScoredAgent> runner_up;
};

Decision ChooseAgent(const Case& c, const std::vector<AgentCandidate>& agents,
                     const EngineConfig& config, absl::Time now);

}  // namespace caserouter

#endif  // CASEROUTER_ROUTER_MATCHING_H_
