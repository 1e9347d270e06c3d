#include "router/service/call_gate.h"

#include <utility>
#include <vector>

#include <grpcpp/security/auth_context.h>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace caserouter {
namespace {

constexpr char kAuthorization[] = "authorization";
constexpr char kPeerUri[] = "peer_uri";  // GRPC_PEER_URI_PROPERTY_NAME: the cert's URI SANs

absl::string_view View(const grpc::string_ref& ref) {
  return absl::string_view(ref.data(), ref.size());
}

}  // namespace

CallTicket::CallTicket(Identity caller, Place place, CallLimiter* server, CallerLimits* own,
                       std::string peer)
    : caller_(std::move(caller)),
      place_(place),
      server_(server),
      own_(own),
      key_(caller_.Label()),
      peer_(std::move(peer)) {}

CallTicket::CallTicket(CallTicket&& other) noexcept { *this = std::move(other); }

CallTicket& CallTicket::operator=(CallTicket&& other) noexcept {
  if (this != &other) {
    Release();
    caller_ = std::move(other.caller_);
    place_ = other.place_;
    server_ = std::exchange(other.server_, nullptr);
    own_ = std::exchange(other.own_, nullptr);
    key_ = std::move(other.key_);
    peer_ = std::move(other.peer_);
  }
  return *this;
}

void CallTicket::Release() {
  if (own_ != nullptr) std::exchange(own_, nullptr)->Release(key_, peer_, place_);
  if (server_ != nullptr) std::exchange(server_, nullptr)->Release();
}

CallGate::CallGate(std::string domain, Clock* clock, AuditLog* audit, CallerLimits* limits,
                   ServerMetrics* metrics)
    : domain_(std::move(domain)),
      clock_(clock),
      audit_(audit),
      limits_(limits),
      metrics_(metrics) {}

void CallGate::SetTokenVerifier(std::shared_ptr<const TokenVerifier> verifier) {
  absl::MutexLock lock(&mu_);
  verifier_ = std::move(verifier);
}

absl::StatusOr<Identity> CallGate::Authenticate(const grpc::ServerContextBase& context) const {
  const auto& metadata = context.client_metadata();
  auto range = metadata.equal_range(kAuthorization);
  if (range.first != range.second) {
    if (std::next(range.first) != range.second) {
      return absl::UnauthenticatedError("authorization: give one credential, not several");
    }
    absl::string_view value = View(range.first->second);
    if (value.size() < 7 || !absl::EqualsIgnoreCase(value.substr(0, 7), "Bearer ")) {
      return absl::UnauthenticatedError("authorization: expected \"Bearer <token>\"");
    }
    std::shared_ptr<const TokenVerifier> verifier;
    {
      absl::MutexLock lock(&mu_);
      verifier = verifier_;
    }
    if (verifier == nullptr) {
      return absl::UnauthenticatedError(
          "authorization: this router takes no bearer tokens (no --jwt_public_keys); use a "
          "client certificate");
    }
    return verifier->Verify(absl::StripAsciiWhitespace(value.substr(7)), clock_->Now());
  }
  // Only a verified certificate chain gives a connection its peer properties (the server
  // requires and verifies client certificates against its client CA).
  std::shared_ptr<const grpc::AuthContext> auth = context.auth_context();
  if (auth != nullptr && auth->IsPeerAuthenticated()) {
    std::vector<grpc::string_ref> uris = auth->FindPropertyValues(kPeerUri);
    const grpc::string_ref* ours = nullptr;
    for (const grpc::string_ref& uri : uris) {
      if (!absl::StartsWith(View(uri), kCertificateUriScheme)) continue;
      if (ours != nullptr) {
        return absl::UnauthenticatedError(
            "certificate: more than one caserouter:// URI SAN; a certificate names one caller");
      }
      ours = &uri;
    }
    if (ours != nullptr) {
      absl::StatusOr<Identity> identity = IdentityFromCertificateUri(View(*ours));
      if (!identity.ok()) return absl::UnauthenticatedError(identity.status().message());
      return identity;
    }
    return absl::UnauthenticatedError(
        "certificate: no caserouter://<domain>/<role>/<name> URI SAN");
  }
  return absl::UnauthenticatedError(
      "no credentials: send a bearer token (authorization metadata) or a client certificate");
}

absl::StatusOr<Identity> CallGate::Admit(const grpc::ServerContextBase& context, Rpc rpc) {
  absl::StatusOr<Identity> identity = Authenticate(context);
  if (!identity.ok()) {
    audit_->Refused(nullptr, rpc, absl::StatusCode::kUnauthenticated, context.peer());
    return identity.status();
  }
  absl::Status allowed = identity->domain == domain_
                             ? Authorize(identity->role, rpc)
                             : absl::PermissionDeniedError(absl::StrCat(
                                   "the credential is for another routing domain; this "
                                   "replica serves ",
                                   domain_));
  if (!allowed.ok()) {
    audit_->Refused(&*identity, rpc, absl::StatusCode::kPermissionDenied, context.peer());
    return allowed;
  }
  return identity;
}

absl::StatusOr<CallTicket> CallGate::Enter(const grpc::ServerContextBase& context, Rpc rpc,
                                           CallLimiter* server, Place place) {
  absl::StatusOr<Identity> caller = Admit(context, rpc);
  if (!caller.ok()) return caller.status();
  std::string peer = context.peer();
  const std::string key = caller->Label();
  if (absl::Status own = limits_->TryAcquire(key, peer, place); !own.ok()) return own;
  if (!server->TryAcquire()) {
    limits_->Release(key, peer, place);
    return server->RefusalStatus();
  }
  return CallTicket(*std::move(caller), place, server, limits_, std::move(peer));
}

absl::StatusOr<CallTicket> CallGate::EnterCall(const grpc::ServerContextBase& context, Rpc rpc,
                                               CallLimiter* server) {
  return Enter(context, rpc, server, Place::kCall);
}

absl::StatusOr<CallTicket> CallGate::EnterStream(const grpc::ServerContextBase& context, Rpc rpc,
                                                 CallLimiter* server) {
  return Enter(context, rpc, server, Place::kStream);
}

void CallGate::Denied(const Identity& caller, Rpc rpc, absl::string_view peer) {
  audit_->Refused(&caller, rpc, absl::StatusCode::kPermissionDenied, peer);
}

void CallGate::SupervisorAction(const Identity& caller, Rpc rpc, absl::string_view case_id,
                                absl::string_view agent_id) {
  audit_->SupervisorAction(caller, rpc, case_id, agent_id);
}

}  // namespace caserouter
