// TransportSecurity: how the router's gRPC port is secured — TLS from certificate files that
// are reloaded without a restart, optionally mTLS against a client CA — or plaintext, only
// when asked for by name (local demos).
//
// The certificate, key and client CA are files (Kubernetes mounts them from a Secret, which
// cert-manager renews in place): gRPC's FileWatcherCertificateProvider reads them again every
// `refresh`, so a renewed certificate is served to new connections without a restart. With a
// client CA, every connection must present a certificate that CA signed
// (`require_client_cert`, the default) or may present one (callers without one then use
// bearer tokens); the certificate's caserouter:// URI SAN is the caller's identity
// (call_gate.h).
//
//   TransportSecurity tls;
//   tls.cert_file = "/etc/caserouter/tls/tls.crt";
//   tls.key_file = "/etc/caserouter/tls/tls.key";
//   tls.client_ca_file = "/etc/caserouter/tls/ca.crt";      // mTLS
//   absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> creds = ServerCredentialsFor(tls);
//
// Errors: INVALID_ARGUMENT naming the option when neither TLS files nor plaintext are given,
// or a file cannot be read or holds no PEM block. Thread safety: plain functions.
#ifndef CASEROUTER_ROUTER_SERVICE_TRANSPORT_SECURITY_H_
#define CASEROUTER_ROUTER_SERVICE_TRANSPORT_SECURITY_H_

#include <memory>
#include <string>

#include <grpcpp/security/server_credentials.h>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace caserouter {

struct TransportSecurity {
  // No TLS at all: only with this set by name (--plaintext), for demos on one machine.
  bool plaintext = false;
  std::string cert_file;            // PEM certificate chain of the server
  std::string key_file;             // PEM private key of the server
  std::string client_ca_file;       // PEM CA bundle for client certificates; "" = no mTLS
  bool require_client_cert = true;  // with a client CA: refuse connections without one
  absl::Duration refresh = absl::Seconds(60);  // how often the files are read again
};

absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> ServerCredentialsFor(
    const TransportSecurity& security);

}  // namespace caserouter

#endif  // CASEROUTER_ROUTER_SERVICE_TRANSPORT_SECURITY_H_
