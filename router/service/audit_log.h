// AuditLog: who was refused, and what supervisors did — counted in metrics, and written to the
// domain's event stream with the caller's identity, never with customer text.
//
// Every refused call (UNAUTHENTICATED, PERMISSION_DENIED) and every call a supervisor makes
// is counted (metrics below) and becomes an event through `sink` (the server passes
// Engine::RecordEvent, so the leader writes it to cr:{domain}:events with the next batch):
//
//   call_refused       detail "method=Connect code=permission_denied caller=agent:bo
//                              credential=token peer=ipv4:10.1.2.3:51234"
//   supervisor_action  detail "method=UpdateAgent caller=supervisor:alice credential=certificate"
//                      agent_id / case_id: what the action was about
//
// A flood of refusals must not become a flood of writes (nor push real events out of the
// capped stream), so events pass a token bucket (kEventBurst, then kEventsPerSecond); what
// it holds back is counted (caserouter_audit_events_suppressed_total) and summarised in one
// audit_suppressed event by the next Flush(). Metrics count everything.
//
// Families (prefix caserouter_): auth_refusals_total{role,method,code} (role "none" when the
// caller had no valid credential), supervisor_actions_total{method},
// audit_events_suppressed_total. Labels are closed sets (identity.h, access_rules.h).
//
// Thread safety: all methods are thread-safe; `sink` is called without a lock held, from the
// calling thread, and must not block. `registry` and `clock` must outlive the log.
#ifndef CASEROUTER_ROUTER_SERVICE_AUDIT_LOG_H_
#define CASEROUTER_ROUTER_SERVICE_AUDIT_LOG_H_

#include <array>
#include <functional>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "prometheus/counter.h"
#include "prometheus/registry.h"
#include "router/model/clock.h"
#include "router/service/access_rules.h"
#include "router/service/identity.h"

namespace caserouter {

class AuditLog {
 public:
  // type, case_id, agent_id, detail (Engine::RecordEvent's arguments).
  using Sink = std::function<void(std::string, std::string, std::string, std::string)>;

  static constexpr int kEventBurst = 200;
  static constexpr double kEventsPerSecond = 20;

  AuditLog(prometheus::Registry* registry, Clock* clock, Sink sink);

  // A call refused with `code` (kUnauthenticated or kPermissionDenied). `caller` is null when
  // no valid credential came with the call. `peer` is the transport's peer address.
  void Refused(const Identity* caller, Rpc rpc, absl::StatusCode code, absl::string_view peer);
  // A call a supervisor made, about `case_id` or `agent_id` (either may be empty).
  void SupervisorAction(const Identity& caller, Rpc rpc, absl::string_view case_id,
                        absl::string_view agent_id);
  // Writes one audit_suppressed event for what the bucket held back since the last Flush.
  void Flush();

 private:
  // Takes a token from the bucket; false counts the event as suppressed.
  bool Admit() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  Clock* const clock_;
  const Sink sink_;
  // [role + 1 (0 = none)][rpc][0 unauthenticated, 1 permission denied]
  std::array<std::array<std::array<prometheus::Counter*, 2>, kRpcCount>, kRoleCount + 1>
      refusals_{};
  std::array<prometheus::Counter*, kRpcCount> actions_{};
  prometheus::Counter* suppressed_total_ = nullptr;

  absl::Mutex mu_;
  double tokens_ ABSL_GUARDED_BY(mu_) = kEventBurst;
  absl::Time refilled_ ABSL_GUARDED_BY(mu_);
  int64_t suppressed_refusals_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t suppressed_actions_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace caserouter

#endif  // CASEROUTER_ROUTER_SERVICE_AUDIT_LOG_H_
