#include "tools/client_auth/client_flags.h"

#include "absl/flags/flag.h"

ABSL_FLAG(std::string, tls_ca, "",
          "PEM CA file the router's certificate must chain to (empty: the system's roots)");
ABSL_FLAG(std::string, tls_cert, "", "PEM client certificate file, for mTLS");
ABSL_FLAG(std::string, tls_key, "", "PEM private key file of --tls_cert");
ABSL_FLAG(std::string, tls_server_name, "",
          "the name to check in the router's certificate (default: the --target host)");
ABSL_FLAG(bool, plaintext, false, "no TLS: for a router started with --plaintext");
ABSL_FLAG(std::string, token_file, "", "a file holding this caller's bearer token (JWT)");

namespace caserouter {

ClientSecurity ClientSecurityFromFlags() {
  ClientSecurity security;
  security.plaintext = absl::GetFlag(FLAGS_plaintext);
  security.ca_file = absl::GetFlag(FLAGS_tls_ca);
  security.cert_file = absl::GetFlag(FLAGS_tls_cert);
  security.key_file = absl::GetFlag(FLAGS_tls_key);
  security.server_name = absl::GetFlag(FLAGS_tls_server_name);
  return security;
}

absl::StatusOr<std::string> TokenFromFlags() {
  const std::string path = absl::GetFlag(FLAGS_token_file);
  if (path.empty()) return std::string();
  return ReadTokenFile(path);
}

}  // namespace caserouter
