#include "router/service/transport_security.h"

#include <fstream>
#include <sstream>

#include <grpcpp/security/tls_certificate_provider.h>
#include <grpcpp/security/tls_credentials_options.h>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace caserouter {
namespace {

// Fails at start for a file the watcher would only complain about later, in its own log.
absl::Status CheckPemFile(absl::string_view option, const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::InvalidArgumentError(absl::StrCat(option, ": cannot read ", path));
  std::ostringstream text;
  text << in.rdbuf();
  if (!absl::StrContains(text.str(), "-----BEGIN ")) {
    return absl::InvalidArgumentError(absl::StrCat(option, ": ", path, " holds no PEM block"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> ServerCredentialsFor(
    const TransportSecurity& security) {
  if (security.plaintext) {
    if (!security.cert_file.empty() || !security.client_ca_file.empty()) {
      return absl::InvalidArgumentError("plaintext: cannot be combined with TLS files");
    }
    return grpc::InsecureServerCredentials();
  }
  if (security.cert_file.empty() || security.key_file.empty()) {
    return absl::InvalidArgumentError(
        "tls_cert, tls_key: required (the router serves TLS; --plaintext only for local "
        "demos)");
  }
  if (absl::Status s = CheckPemFile("tls_cert", security.cert_file); !s.ok()) return s;
  if (absl::Status s = CheckPemFile("tls_key", security.key_file); !s.ok()) return s;
  const bool mtls = !security.client_ca_file.empty();
  if (mtls) {
    if (absl::Status s = CheckPemFile("tls_client_ca", security.client_ca_file); !s.ok()) return s;
  }
  const int refresh_seconds =
      static_cast<int>(std::max<int64_t>(1, absl::ToInt64Seconds(security.refresh)));
  auto provider = std::make_shared<grpc::experimental::FileWatcherCertificateProvider>(
      security.key_file, security.cert_file, mtls ? security.client_ca_file : std::string(),
      refresh_seconds);
  grpc::experimental::TlsServerCredentialsOptions options(provider);
  options.watch_identity_key_cert_pairs();
  if (mtls) {
    options.watch_root_certs();
    options.set_cert_request_type(security.require_client_cert
                                      ? GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY
                                      : GRPC_SSL_REQUEST_CLIENT_CERTIFICATE_AND_VERIFY);
  } else {
    options.set_cert_request_type(GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE);
  }
  return grpc::experimental::TlsServerCredentials(options);
}

}  // namespace caserouter
