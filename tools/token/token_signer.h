// SignToken: issues a caserouter bearer token (a JWT the router's TokenVerifier accepts).
//
// For the token tool (caserouter-token), the demo and the tests: whoever holds the issuer's
// private key can issue tokens for any identity, so the key belongs with the operator's
// credential tooling (or an identity provider), never on the router, which needs only the
// public key.
//
//   TokenClaims claims;
//   claims.role = "agent";
//   claims.subject = "ana";
//   claims.domain = "default";
//   claims.expires = absl::Now() + absl::Hours(8);
//   absl::StatusOr<std::string> token = SignToken(claims, private_key_pem);
//
// Errors: INVALID_ARGUMENT for a key libjwt cannot sign with, or an unknown algorithm.
// Thread safety: a plain function.
#ifndef CASEROUTER_TOOLS_TOKEN_TOKEN_SIGNER_H_
#define CASEROUTER_TOOLS_TOKEN_TOKEN_SIGNER_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace caserouter {

struct TokenClaims {
  std::string issuer = "caserouter";
  std::string audience = "caserouter";
  std::string subject;  // the name: the agent id for agents
  std::string role;     // adapter, agent, supervisor or viewer
  std::string domain = "default";
  absl::Time issued = absl::InfinitePast();  // InfinitePast: no "iat"
  absl::Time expires;
};

// `algorithm` is a JWS name: ES256 for an EC P-256 key, RS256 for an RSA key, and so on.
absl::StatusOr<std::string> SignToken(const TokenClaims& claims, absl::string_view private_key_pem,
                                      absl::string_view algorithm = "ES256");

}  // namespace caserouter

#endif  // CASEROUTER_TOOLS_TOKEN_TOKEN_SIGNER_H_
