// Client side of the router's security: a channel over TLS (verifying the router against a
// CA, presenting a client certificate for mTLS) whose calls carry a bearer token.
//
// For the agent and adapter tools, the load generator and the tests. Certificates, keys and
// tokens are files (never flag values): `ClientSecurity` names them, and a token is read
// from its file with ReadTokenFile.
//
//   ClientSecurity security;
//   security.ca_file = "ca.crt";                   // the router's CA
//   security.cert_file = "agent-ana.crt";          // mTLS, optional
//   security.key_file = "agent-ana.key";
//   absl::StatusOr<std::shared_ptr<grpc::Channel>> channel =
//       OpenChannel("router:50051", security, token);   // every call carries the token
//   grpc::ClientContext context;
//   AttachToken(&context, other_token);            // one call with another token
//
// A call that already carries "authorization" metadata keeps it: the channel's token is the
// default, not an override. Over --plaintext the token travels in the clear (local demos).
//
// Errors: INVALID_ARGUMENT naming the file that cannot be read, or a certificate without its
// key. Thread safety: plain functions; channels are gRPC's (thread-safe).
#ifndef CASEROUTER_TOOLS_CLIENT_AUTH_CLIENT_SECURITY_H_
#define CASEROUTER_TOOLS_CLIENT_AUTH_CLIENT_SECURITY_H_

#include <memory>
#include <string>

#include <grpcpp/grpcpp.h>

#include "absl/status/statusor.h"

namespace caserouter {

struct ClientSecurity {
  bool plaintext = false;   // no TLS (the router runs with --plaintext)
  std::string ca_file;      // PEM CA the router's certificate must chain to ("" = system roots)
  std::string cert_file;    // PEM client certificate for mTLS ("" = none)
  std::string key_file;     // its PEM private key
  std::string server_name;  // the name to check in the router's certificate ("" = the host)
};

// No TLS (a router started with --plaintext, the load generator's echo).
inline ClientSecurity PlaintextSecurity() {
  ClientSecurity security;
  security.plaintext = true;
  return security;
}

absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> ChannelCredentialsFor(
    const ClientSecurity& security);

// A channel to `target`; every call on it carries `token` unless empty (or unless the call
// sets its own). `args` may set more channel arguments.
absl::StatusOr<std::shared_ptr<grpc::Channel>> OpenChannel(
    const std::string& target, const ClientSecurity& security, const std::string& token,
    grpc::ChannelArguments args = grpc::ChannelArguments());

// "authorization: Bearer <token>" on one call.
void AttachToken(grpc::ClientContext* context, const std::string& token);

// The token in `path`, surrounding whitespace removed. INVALID_ARGUMENT when unreadable or
// empty.
absl::StatusOr<std::string> ReadTokenFile(const std::string& path);

}  // namespace caserouter

#endif  // CASEROUTER_TOOLS_CLIENT_AUTH_CLIENT_SECURITY_H_
