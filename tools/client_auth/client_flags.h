// The security flags every caserouter client tool shares (--tls_ca, --tls_cert, --tls_key,
// --tls_server_name, --plaintext, --token_file), read into a ClientSecurity and a token.
//
//   caserouter-adapter --target=router:50051 --tls_ca=ca.crt --token_file=adapter.jwt submit ...
//   caserouter-agent --target=router:50051 --tls_ca=ca.crt --tls_cert=ana.crt --tls_key=ana.key
//
// Thread safety: read the flags after absl::ParseCommandLine, from any thread.
#ifndef CASEROUTER_TOOLS_CLIENT_AUTH_CLIENT_FLAGS_H_
#define CASEROUTER_TOOLS_CLIENT_AUTH_CLIENT_FLAGS_H_

#include <string>

#include "absl/status/statusor.h"
#include "tools/client_auth/client_security.h"

namespace caserouter {

ClientSecurity ClientSecurityFromFlags();
// The token of --token_file; "" when the flag is empty (certificates only).
absl::StatusOr<std::string> TokenFromFlags();

}  // namespace caserouter

#endif  // CASEROUTER_TOOLS_CLIENT_AUTH_CLIENT_FLAGS_H_
