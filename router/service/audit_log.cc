#include "router/service/audit_log.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"

namespace caserouter {
namespace {

absl::string_view CredentialName(CredentialKind kind) {
  return kind == CredentialKind::kCertificate ? "certificate" : "token";
}

int CodeIndex(absl::StatusCode code) { return code == absl::StatusCode::kPermissionDenied; }

// A peer address as gRPC gives it ("ipv4:10.1.2.3:51234"): printable ASCII by construction,
// but bounded and filtered anyway, since it ends up in the event stream.
std::string CleanPeer(absl::string_view peer) {
  std::string out;
  for (char c : peer.substr(0, 128)) {
    out.push_back((c > ' ' && c < 127) ? c : '?');
  }
  return out.empty() ? "-" : out;
}

}  // namespace

AuditLog::AuditLog(prometheus::Registry* registry, Clock* clock, Sink sink)
    : clock_(clock), sink_(std::move(sink)), refilled_(clock->Now()) {
  auto& refusals = prometheus::BuildCounter()
                       .Name("caserouter_auth_refusals_total")
                       .Help(
                           "Calls refused before any handler work: code unauthenticated (no or "
                           "bad credential; role none) or permission_denied (the caller's role "
                           "or identity may not), by role and method.")
                       .Register(*registry);
  for (int role = 0; role <= kRoleCount; ++role) {
    const std::string role_name =
        role == 0 ? "none" : std::string(RoleName(static_cast<Role>(role - 1)));
    for (const RpcRule& rule : AccessRules()) {
      for (int code = 0; code < 2; ++code) {
        refusals_[role][static_cast<int>(rule.rpc)][code] =
            &refusals.Add({{"role", role_name},
                           {"method", std::string(rule.method)},
                           {"code", code == 0 ? "unauthenticated" : "permission_denied"}});
      }
    }
  }
  auto& actions = prometheus::BuildCounter()
                      .Name("caserouter_supervisor_actions_total")
                      .Help("Calls made with the supervisor role (each one audited), by method.")
                      .Register(*registry);
  for (const RpcRule& rule : AccessRules()) {
    actions_[static_cast<int>(rule.rpc)] = &actions.Add({{"method", std::string(rule.method)}});
  }
  suppressed_total_ = &prometheus::BuildCounter()
                           .Name("caserouter_audit_events_suppressed_total")
                           .Help(
                               "Audit events held back by the event rate limit (counted in the "
                               "metrics above all the same; summarised in audit_suppressed "
                               "events).")
                           .Register(*registry)
                           .Add({});
}

bool AuditLog::Admit() {
  const absl::Time now = clock_->Now();
  tokens_ = std::min<double>(kEventBurst,
                             tokens_ + absl::ToDoubleSeconds(now - refilled_) * kEventsPerSecond);
  refilled_ = now;
  if (tokens_ < 1) return false;
  tokens_ -= 1;
  return true;
}

void AuditLog::Refused(const Identity* caller, Rpc rpc, absl::StatusCode code,
                       absl::string_view peer) {
  const int role = caller == nullptr ? 0 : static_cast<int>(caller->role) + 1;
  refusals_[role][static_cast<int>(rpc)][CodeIndex(code)]->Increment();
  {
    absl::MutexLock lock(&mu_);
    if (!Admit()) {
      ++suppressed_refusals_;
      suppressed_total_->Increment();
      return;
    }
  }
  std::string detail = absl::StrCat(
      "method=", RpcMethodName(rpc), " code=",
      code == absl::StatusCode::kPermissionDenied ? "permission_denied" : "unauthenticated",
      " caller=", caller == nullptr ? "-" : caller->Label());
  if (caller != nullptr)
    absl::StrAppend(&detail, " credential=", CredentialName(caller->credential));
  absl::StrAppend(&detail, " peer=", CleanPeer(peer));
  sink_("call_refused", "", caller != nullptr && caller->role == Role::kAgent ? caller->name : "",
        std::move(detail));
}

void AuditLog::SupervisorAction(const Identity& caller, Rpc rpc, absl::string_view case_id,
                                absl::string_view agent_id) {
  actions_[static_cast<int>(rpc)]->Increment();
  {
    absl::MutexLock lock(&mu_);
    if (!Admit()) {
      ++suppressed_actions_;
      suppressed_total_->Increment();
      return;
    }
  }
  sink_("supervisor_action", std::string(case_id), std::string(agent_id),
        absl::StrCat("method=", RpcMethodName(rpc), " caller=", caller.Label(),
                     " credential=", CredentialName(caller.credential)));
}

void AuditLog::Flush() {
  int64_t refusals = 0;
  int64_t actions = 0;
  {
    absl::MutexLock lock(&mu_);
    std::swap(refusals, suppressed_refusals_);
    std::swap(actions, suppressed_actions_);
  }
  if (refusals == 0 && actions == 0) return;
  sink_("audit_suppressed", "", "",
        absl::StrCat("call_refused=", refusals, " supervisor_action=", actions));
}

}  // namespace caserouter
