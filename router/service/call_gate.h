// CallGate: who is calling, may they make this call, and is there room for it — decided for
// every caserouter.v1 call before any handler work (before the request is even parsed).
//
//   1. Authentication. A bearer token ("authorization: Bearer <JWT>", token_verifier.h) if
//      the call carries one; otherwise the client certificate of an mTLS connection (its
//      caserouter:// URI SAN, identity.h). Neither, or a bad one: UNAUTHENTICATED.
//   2. Authorization. The credential must be for this replica's routing domain, and its role
//      must be one the RPC allows (access_rules.h): otherwise PERMISSION_DENIED. Checks that
//      need the request (an agent's own id, its own cases) are the handlers'; they report
//      their refusals here (Denied) so that every refusal is audited alike.
//   3. Room. A place among the server's calls or desk streams (CallLimiter) and among the
//      caller's own (CallerLimits): otherwise RESOURCE_EXHAUSTED.
//
// A refusal at 1 or 2 costs no place, no parse and no engine work, and is audited
// (audit_log.h); a supervisor's admitted call is audited too. An unauthenticated caller thus
// holds nothing between its calls: it cannot make an authenticated call fail or wait.
//
//   absl::StatusOr<CallTicket> ticket = gate.EnterCall(context, Rpc::kSubmitCase, &calls);
//   if (!ticket.ok()) return RefuseCall(context, ticket.status());
//   ... ticket->caller() ...            // the identity, for the handler's own checks
//   ticket->Release();                  // or let it go out of scope
//
// Keys rotate without a restart: SetTokenVerifier swaps the verifier calls use (the server
// reloads the key files when they change, token_keys.h). With no verifier, tokens are
// refused and only certificates authenticate.
//
// Thread safety: all methods are thread-safe. `clock`, `audit`, `limits` and `metrics` must
// outlive the gate.
#ifndef CASEROUTER_ROUTER_SERVICE_CALL_GATE_H_
#define CASEROUTER_ROUTER_SERVICE_CALL_GATE_H_

#include <memory>
#include <string>

#include <grpcpp/server_context.h>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "router/model/clock.h"
#include "router/service/access_rules.h"
#include "router/service/audit_log.h"
#include "router/service/call_limiter.h"
#include "router/service/caller_limits.h"
#include "router/service/identity.h"
#include "router/service/server_metrics.h"
#include "router/service/token_verifier.h"

namespace caserouter {

// An admitted call's identity and its places; gives them back on Release or destruction.
class CallTicket {
 public:
  CallTicket() = default;
  CallTicket(Identity caller, Place place, CallLimiter* server, CallerLimits* own,
             std::string peer);
  CallTicket(CallTicket&& other) noexcept;
  CallTicket& operator=(CallTicket&& other) noexcept;
  CallTicket(const CallTicket&) = delete;
  CallTicket& operator=(const CallTicket&) = delete;
  ~CallTicket() { Release(); }

  const Identity& caller() const { return caller_; }
  // Gives both places back; later calls do nothing. Not thread-safe on one ticket.
  void Release();

 private:
  Identity caller_;
  Place place_ = Place::kCall;
  CallLimiter* server_ = nullptr;
  CallerLimits* own_ = nullptr;
  std::string key_;
  std::string peer_;
};

class CallGate {
 public:
  // `domain`: the routing domain this replica serves; credentials for another are refused.
  // `metrics` may be null.
  CallGate(std::string domain, Clock* clock, AuditLog* audit, CallerLimits* limits,
           ServerMetrics* metrics);

  // Replaces the token verifier (null: tokens are refused).
  void SetTokenVerifier(std::shared_ptr<const TokenVerifier> verifier);

  // Steps 1 and 2: the caller's identity, or UNAUTHENTICATED / PERMISSION_DENIED (audited).
  absl::StatusOr<Identity> Admit(const grpc::ServerContextBase& context, Rpc rpc);
  // Steps 1-3 for a unary call (a place in `server` and a Place::kCall of the caller's).
  absl::StatusOr<CallTicket> EnterCall(const grpc::ServerContextBase& context, Rpc rpc,
                                       CallLimiter* server);
  // Steps 1-3 for a stream (a place in `server` and a Place::kStream of the caller's).
  absl::StatusOr<CallTicket> EnterStream(const grpc::ServerContextBase& context, Rpc rpc,
                                         CallLimiter* server);

  // A handler's own PERMISSION_DENIED (an agent using another agent's id or case): audited.
  // `peer` is the call's context.peer().
  void Denied(const Identity& caller, Rpc rpc, absl::string_view peer);
  // A supervisor's call, once its request is read: audited with what it is about.
  void SupervisorAction(const Identity& caller, Rpc rpc, absl::string_view case_id,
                        absl::string_view agent_id);

  // A request the wire checks refused: counted, never logged one by one.
  void Malformed(Rpc rpc) {
    if (metrics_ != nullptr) metrics_->Malformed(rpc);
  }

  AuditLog* audit() { return audit_; }

 private:
  absl::StatusOr<Identity> Authenticate(const grpc::ServerContextBase& context) const;
  absl::StatusOr<CallTicket> Enter(const grpc::ServerContextBase& context, Rpc rpc,
                                   CallLimiter* server, Place place);

  const std::string domain_;
  Clock* const clock_;
  AuditLog* const audit_;
  CallerLimits* const limits_;
  ServerMetrics* const metrics_;
  mutable absl::Mutex mu_;
  std::shared_ptr<const TokenVerifier> verifier_ ABSL_GUARDED_BY(mu_);
};

}  // namespace caserouter

#endif  // CASEROUTER_ROUTER_SERVICE_CALL_GATE_H_
