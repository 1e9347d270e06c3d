// Access rules: which role each caserouter.v1 RPC needs — the one table the server enforces
// and docs/security.md prints (a test keeps the two equal).
//
//   | RPC                                   | roles                         |
//   |---------------------------------------|-------------------------------|
//   | CaseIntakeService.SubmitCase          | adapter                       |
//   | CaseIntakeService.AddMessage          | adapter                       |
//   | CaseIntakeService.CancelCase          | adapter                       |
//   | CaseIntakeService.GetCase             | adapter, supervisor, agent *  |
//   | AgentDeskService.Connect              | agent *                       |
//   | SupervisionService.CreateAgent        | supervisor                    |
//   | SupervisionService.UpdateAgent        | supervisor                    |
//   | SupervisionService.DeleteAgent        | supervisor                    |
//   | SupervisionService.ReloadConfiguration| supervisor                    |
//   | SupervisionService.ListQueue          | supervisor, viewer            |
//   | SupervisionService.ListAgents         | supervisor, viewer            |
//   | SupervisionService.ExplainDecision    | supervisor, viewer            |
//   | SupervisionService.SetAgentPresence   | supervisor                    |
//   | SupervisionService.EndAgentSession    | supervisor                    |
//   | SupervisionService.AssignCase         | supervisor                    |
//   | SupervisionService.UpdateWaitingCase  | supervisor                    |
//   | SupervisionService.ListCasesNeeding...| supervisor                    |
//   | SupervisionService.TakeOverCase       | supervisor                    |
//   | SupervisionService.ListAgentCases     | supervisor                    |
//   | CaseIntakeService.FollowCases         | adapter **                    |
//   | SupervisionService.WatchDomainEvents  | supervisor                    |
//
// ** bound to the adapter's own cases: the feed carries the events of the cases submitted
// under the caller's name only (event_feed.h).
// * bound to the agent's own id: an agent Connects only as itself, reads (GetCase) only a case
// offered or assigned to it, and accepts, declines and completes only its own offers and
// cases. Those checks need the call's content and run in the handlers; this table is checked
// before any handler work. grpc.health.v1.Health is open (probes); server reflection is off
// unless --reflection turns it on.
//
// Thread safety: constants and plain functions.
#ifndef CASEROUTER_ROUTER_SERVICE_ACCESS_RULES_H_
#define CASEROUTER_ROUTER_SERVICE_ACCESS_RULES_H_

#include <array>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "router/service/identity.h"

namespace caserouter {

// Every caserouter.v1 RPC: a closed set, so it can be a metric label.
enum class Rpc {
  kSubmitCase = 0,
  kAddMessage,
  kCancelCase,
  kGetCase,
  kConnect,
  kCreateAgent,
  kUpdateAgent,
  kDeleteAgent,
  kReloadConfiguration,
  kListQueue,
  kListAgents,
  kExplainDecision,
  kGetBenchmarkReport,  // issue 17
  // Supervisor controls (issue 14).
  kSetAgentPresence,
  kEndAgentSession,
  kAssignCase,
  kUpdateWaitingCase,
  kListCasesNeedingSupervisor,
  kTakeOverCase,
  kListAgentCases,
  // issue 13
  kFollowCases,
  kWatchDomainEvents,
};
inline constexpr int kRpcCount = 22;

struct RpcRule {
  Rpc rpc;
  absl::string_view service;             // "CaseIntakeService"
  absl::string_view method;              // "SubmitCase"
  std::array<bool, kRoleCount> allowed;  // by Role
  bool own_only_for_agents;              // an agent may use it only on what is its own
  bool changes_state;  // audited as a supervisor action when a supervisor calls it
};

// The table above, in Rpc order.
const std::array<RpcRule, kRpcCount>& AccessRules();
const RpcRule& RuleOf(Rpc rpc);

// The method name ("SubmitCase"): the metric label and the name in refusals.
absl::string_view RpcMethodName(Rpc rpc);

// OK when `role` may call `rpc`; PERMISSION_DENIED naming the method and the roles it needs.
absl::Status Authorize(Role role, Rpc rpc);

}  // namespace caserouter

#endif  // CASEROUTER_ROUTER_SERVICE_ACCESS_RULES_H_
