#include "router/service/access_rules.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace caserouter {
namespace {

//                                   adapter agent  supervisor viewer
constexpr std::array<bool, kRoleCount> kAdapterOnly = {true, false, false, false};
constexpr std::array<bool, kRoleCount> kAgentOnly = {false, true, false, false};
constexpr std::array<bool, kRoleCount> kSupervisorOnly = {false, false, true, false};
constexpr std::array<bool, kRoleCount> kReaders = {false, false, true, true};
constexpr std::array<bool, kRoleCount> kCaseReaders = {true, true, true, false};

constexpr std::array<RpcRule, kRpcCount> kRules = {{
    {Rpc::kSubmitCase, "CaseIntakeService", "SubmitCase", kAdapterOnly, false, true},
    {Rpc::kAddMessage, "CaseIntakeService", "AddMessage", kAdapterOnly, false, true},
    {Rpc::kCancelCase, "CaseIntakeService", "CancelCase", kAdapterOnly, false, true},
    {Rpc::kGetCase, "CaseIntakeService", "GetCase", kCaseReaders, true, false},
    {Rpc::kConnect, "AgentDeskService", "Connect", kAgentOnly, true, true},
    {Rpc::kCreateAgent, "SupervisionService", "CreateAgent", kSupervisorOnly, false, true},
    {Rpc::kUpdateAgent, "SupervisionService", "UpdateAgent", kSupervisorOnly, false, true},
    {Rpc::kDeleteAgent, "SupervisionService", "DeleteAgent", kSupervisorOnly, false, true},
    {Rpc::kReloadConfiguration, "SupervisionService", "ReloadConfiguration", kSupervisorOnly, false,
     true},
    {Rpc::kListQueue, "SupervisionService", "ListQueue", kReaders, false, false},
    {Rpc::kListAgents, "SupervisionService", "ListAgents", kReaders, false, false},
    {Rpc::kExplainDecision, "SupervisionService", "ExplainDecision", kReaders, false, false},
    // Issue 17: the benchmark's comparison is a supervisor's (it reads every arm's outcomes).
    {Rpc::kGetBenchmarkReport, "SupervisionService", "GetBenchmarkReport", kSupervisorOnly, false,
     false},
    // Supervisor controls (issue 14): the floor is a supervisor's to steer, reads included
    // (ListAgentCases and ListCasesNeedingSupervisor name cases and customers' needs).
    {Rpc::kSetAgentPresence, "SupervisionService", "SetAgentPresence", kSupervisorOnly, false,
     true},
    {Rpc::kEndAgentSession, "SupervisionService", "EndAgentSession", kSupervisorOnly, false, true},
    {Rpc::kAssignCase, "SupervisionService", "AssignCase", kSupervisorOnly, false, true},
    {Rpc::kUpdateWaitingCase, "SupervisionService", "UpdateWaitingCase", kSupervisorOnly, false,
     true},
    {Rpc::kListCasesNeedingSupervisor, "SupervisionService", "ListCasesNeedingSupervisor",
     kSupervisorOnly, false, false},
    {Rpc::kTakeOverCase, "SupervisionService", "TakeOverCase", kSupervisorOnly, false, true},
    {Rpc::kListAgentCases, "SupervisionService", "ListAgentCases", kSupervisorOnly, false, false},
    // issue 13: the event feeds. An adapter's is bound to its own cases in the feed itself.
    {Rpc::kFollowCases, "CaseIntakeService", "FollowCases", kAdapterOnly, false, false},
    {Rpc::kWatchDomainEvents, "SupervisionService", "WatchDomainEvents", kSupervisorOnly, false,
     false},
}};

}  // namespace

const std::array<RpcRule, kRpcCount>& AccessRules() { return kRules; }

const RpcRule& RuleOf(Rpc rpc) { return kRules[static_cast<int>(rpc)]; }

absl::string_view RpcMethodName(Rpc rpc) { return RuleOf(rpc).method; }

absl::Status Authorize(Role role, Rpc rpc) {
  const RpcRule& rule = RuleOf(rpc);
  if (rule.allowed[static_cast<int>(role)]) return absl::OkStatus();
  std::vector<absl::string_view> needed;
  for (Role r : kAllRoles) {
    if (rule.allowed[static_cast<int>(r)]) needed.push_back(RoleName(r));
  }
  return absl::PermissionDeniedError(absl::StrCat(rule.method, " needs the role ",
                                                  absl::StrJoin(needed, " or "), "; the caller is ",
                                                  RoleName(role)));
}

}  // namespace caserouter
