#include "router/service/identity.h"

#include <vector>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "router/model/validation.h"

namespace caserouter {
namespace {

constexpr absl::string_view kRoleNames[] = {"adapter", "agent", "supervisor", "viewer"};

}  // namespace

absl::string_view RoleName(Role role) { return kRoleNames[static_cast<int>(role)]; }

std::optional<Role> RoleFromName(absl::string_view name) {
  for (Role role : kAllRoles) {
    if (RoleName(role) == name) return role;
  }
  return std::nullopt;
}

std::string Identity::Label() const { return absl::StrCat(RoleName(role), ":", name); }

absl::StatusOr<Identity> MakeIdentity(absl::string_view source, absl::string_view domain,
                                      absl::string_view role, absl::string_view name,
                                      CredentialKind credential) {
  // The error names the part and never quotes it: a credential is not ours to echo.
  if (!ValidateName("domain", domain).ok()) {
    return absl::InvalidArgumentError(absl::StrCat(source, ": the domain is not a valid name"));
  }
  std::optional<Role> parsed = RoleFromName(role);
  if (!parsed.has_value()) {
    return absl::InvalidArgumentError(
        absl::StrCat(source, ": the role must be adapter, agent, supervisor or viewer"));
  }
  if (!ValidateAgentId("name", name).ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(source, ": the name must be 1-64 characters of [A-Za-z0-9_.-]"));
  }
  Identity identity;
  identity.role = *parsed;
  identity.name = std::string(name);
  identity.domain = std::string(domain);
  identity.credential = credential;
  return identity;
}

absl::StatusOr<Identity> IdentityFromCertificateUri(absl::string_view uri) {
  if (!absl::ConsumePrefix(&uri, kCertificateUriScheme)) {
    return absl::InvalidArgumentError("certificate: the URI SAN is not caserouter://...");
  }
  std::vector<absl::string_view> parts = absl::StrSplit(uri, '/');
  if (parts.size() != 3) {
    return absl::InvalidArgumentError(
        "certificate: the URI SAN must be caserouter://<domain>/<role>/<name>");
  }
  return MakeIdentity("certificate", parts[0], parts[1], parts[2], CredentialKind::kCertificate);
}

}  // namespace caserouter
