// ResolutionEstimate: how likely an agent is to resolve a case on a topic, learnt from the
// agent's record, with what uncertainty.
//
// Most agent x topic records are thin (a few cases per agent and topic on sparse traffic), so
// the estimate is hierarchical, each level shrunk toward the one above by pseudo-cases:
//
//   team rate     the topic's team rate of resolutions on evidence (TeamRecord)
//   agent level   the agent's excess over the team across the agent's other topics
//                 (AgentRecord), shrunk toward 0 by `agent_prior_strength` pseudo-cases:
//                 an agent good at billing is likely better than average at outages too
//   topic level   the agent's own cases on this topic, shrunk toward team rate + agent excess
//                 by `prior_strength` pseudo-cases
//
// so an agent with no case on the topic is estimated from the rest of their record, and one
// with many from those cases. The cases are counted on evidence, the customer's before the
// agent's (QualityRecord::evidence_resolutions: a repeat contact, then a survey, then the
// agent's report). `sd` is the posterior standard deviation of the topic level: exploration
// and the hold rule read it ("as good as" means within it).
//
//   ResolutionEstimate e = EstimateResolution(record_or_null, overall_or_null, team, weights);
//   if (e.mean - e.sd > other.mean) ...
//
// Pure function; no I/O.
#ifndef CASEROUTER_ROUTER_POLICY_RESOLUTION_ESTIMATE_H_
#define CASEROUTER_ROUTER_POLICY_RESOLUTION_ESTIMATE_H_

#include "agents/quality_record.h"
#include "router/model/engine_config.h"

namespace caserouter {

struct ResolutionEstimate {
  double mean = 0.5;      // estimated probability of resolving a case on the topic
  double sd = 0.5;        // its posterior standard deviation
  double prior_sd = 0.5;  // the standard deviation with no case of the agent's on the topic
  double cases = 0;       // the agent's cases on the topic behind it
};

// `record`: the agent's record on the topic (null: none); `overall`: the agent's record
// across topics (null: none); `team`: the topic's team record.
ResolutionEstimate EstimateResolution(const QualityRecord* record, const AgentRecord* overall,
                                      const TeamRecord& team, const MatchWeights& weights);

}  // namespace caserouter

#endif  // CASEROUTER_ROUTER_POLICY_RESOLUTION_ESTIMATE_H_
