// Identity: who a caller is — a role, a name and the routing domain its credential is for.
//
// A caller proves its identity with one of two credentials (docs/security.md):
//   - a client certificate (mTLS) signed by the router's client CA, whose URI SAN names it:
//       caserouter://<domain>/<role>/<name>      e.g. caserouter://default/agent/ana
//   - a bearer token (a JWT, token_verifier.h) whose claims name the same three things.
// Roles: adapter (CaseIntakeService), agent (AgentDeskService; the name is the agent id),
// supervisor (SupervisionService and every case), viewer (read-only queue and agent
// snapshots, for dashboards). Names follow the agent id rule (1-64 characters of
// [A-Za-z0-9_.-]), so an identity can be written to the event stream and logs as it is: it
// can hold no customer text and no control characters.
//
//   absl::StatusOr<Identity> who = IdentityFromCertificateUri("caserouter://default/agent/ana");
//   // who->role == Role::kAgent, who->name == "ana", who->domain == "default"
//
// Thread safety: values and plain functions.
#ifndef CASEROUTER_ROUTER_SERVICE_IDENTITY_H_
#define CASEROUTER_ROUTER_SERVICE_IDENTITY_H_

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace caserouter {

enum class Role { kAdapter = 0, kAgent = 1, kSupervisor = 2, kViewer = 3 };
inline constexpr int kRoleCount = 4;
inline constexpr Role kAllRoles[] = {Role::kAdapter, Role::kAgent, Role::kSupervisor,
                                     Role::kViewer};

// "adapter", "agent", "supervisor", "viewer".
absl::string_view RoleName(Role role);
std::optional<Role> RoleFromName(absl::string_view name);

// Which credential proved the identity.
enum class CredentialKind { kCertificate, kToken };

struct Identity {
  Role role = Role::kViewer;
  std::string name;    // the agent id for agents
  std::string domain;  // the routing domain the credential is for
  CredentialKind credential = CredentialKind::kToken;

  // "agent:ana": how the identity appears in events and audit lines.
  std::string Label() const;
};

// The URI SAN prefix of caserouter client certificates.
inline constexpr absl::string_view kCertificateUriScheme = "caserouter://";

// The identity a certificate's URI SAN names. INVALID_ARGUMENT (naming the part) when `uri`
// is not caserouter://<domain>/<role>/<name> with a known role and valid names.
absl::StatusOr<Identity> IdentityFromCertificateUri(absl::string_view uri);

// Checks the three parts, as both credentials must carry them. `source` names where they came
// from in the error ("token", "certificate").
absl::StatusOr<Identity> MakeIdentity(absl::string_view source, absl::string_view domain,
                                      absl::string_view role, absl::string_view name,
                                      CredentialKind credential);

}  // namespace caserouter

#endif  // CASEROUTER_ROUTER_SERVICE_IDENTITY_H_
