// Supervisor controls (issue 14): what a supervisor does to steer the floor — set an agent's
// presence, end an agent's desk session, give a waiting case to a chosen agent, change a
// waiting case's priority or requirements, take over a case that needs a supervisor, and
// list an agent's cases or those that need a supervisor.
//
// A supervisor's choice of agent bypasses the strategy, not the rules: the chosen agent must
// be eligible as the routing pass would check (router/policy/eligibility.h: presence,
// capacity, skills, language, authority), except that a decline in this pass does not stop
// a supervisor. The case is then offered to that agent as any offer is (the desk protocol is
// the same); the decision is recorded as the supervisor's (Decision::assigned_by) and an
// assigned_by_supervisor event names the agent.
//
// The functions run on the engine thread inside a tick and record their changes in the
// context's outbox. Errors: NOT_FOUND for unknown ids; INVALID_ARGUMENT naming the field;
// FAILED_PRECONDITION when the case's or agent's state does not allow the action, naming
// the exclusion reason when the agent is not eligible.
#ifndef CASEROUTER_ROUTER_ENGINE_SUPERVISOR_CONTROLS_H_
#define CASEROUTER_ROUTER_ENGINE_SUPERVISOR_CONTROLS_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "agents/agent.h"
#include "router/engine/tick_context.h"
#include "router/engine/views.h"
#include "router/model/case.h"
#include "router/policy/matching.h"

namespace caserouter {

// What UpdateWaitingCase changes; unset fields stay.
struct WaitingCaseChange {
  std::optional<int> explicit_priority;
  // When set: the skills and language replace the case's; a non-empty topic replaces it.
  struct Requirements {
    std::vector<SkillRequirement> required_skills;
    std::string language;
    std::string topic;
  };
  std::optional<Requirements> requirements;
};

// A supervisor's offer: the case as offered, and the decision to record for it.
struct SupervisorOffer {
  CaseView view;
  Decision decision;
};

// The case's spec with `change` applied, validated (INVALID_ARGUMENT naming the field).
// Shared with transfers to routing (case_transfer.h).
absl::StatusOr<CaseSpec> ChangedSpec(const Case& c, const WaitingCaseChange& change);
// Puts `spec` (from ChangedSpec) on the open case, keeping the domain's indexes; the waiting
// index is rebuilt in this tick.
void ApplySpec(TickContext& ctx, Case& c, CaseSpec spec);

// The supervisor sets the agent's presence (AVAILABLE, AWAY, OFFLINE); the desk is told.
absl::StatusOr<AgentView> SupervisorSetPresence(TickContext& ctx, const std::string& agent_id,
                                                Presence presence);
// Ends the agent's desk session (reason "ended_by_supervisor").
absl::Status EndAgentSession(TickContext& ctx, const std::string& agent_id);
// Offers the queued case to the agent, bypassing the strategy. `supervisor` names who chose.
absl::StatusOr<SupervisorOffer> AssignCaseTo(TickContext& ctx, const std::string& case_id,
                                             const std::string& agent_id,
                                             const std::string& supervisor);
// Changes a queued or offered case (an offer is taken back); it is routed again.
absl::StatusOr<CaseView> UpdateWaitingCase(TickContext& ctx, const std::string& case_id,
                                           const WaitingCaseChange& change);
// The open cases marked needs_supervisor, in id order.
std::vector<CaseView> CasesNeedingSupervisor(TickContext& ctx);
// The supervisor's agent takes an open case marked needs_supervisor from whoever holds it.
absl::StatusOr<SupervisorOffer> TakeOverCase(TickContext& ctx, const std::string& case_id,
                                             const std::string& agent_id,
                                             const std::string& supervisor);
// The agent's offered and assigned cases, in id order.
absl::StatusOr<std::vector<CaseView>> AgentCases(TickContext& ctx, const std::string& agent_id);

}  // namespace caserouter

#endif  // CASEROUTER_ROUTER_ENGINE_SUPERVISOR_CONTROLS_H_
