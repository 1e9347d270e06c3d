// TokenVerifier: checks a bearer token (a signed JWT) and returns the identity it names.
//
// Tokens are JWS-signed JWTs (RFC 7519), checked with libjwt (Debian's libjwt-dev), the only
// file of the router that includes it. A token is accepted when:
//   - it is signed with ES256/ES384/ES512 or RS256/RS384/RS512 by one of the configured
//     public keys (several during a key rotation). "none" and the HMAC algorithms are refused
//     whatever the signature says: with a public key given as an HMAC secret, anyone who has
//     the public key could sign (the algorithm-confusion attack);
//   - "iss" and "aud" equal the configured issuer and audience;
//   - "exp" is given and not past, "nbf" and "iat" (when given) are not in the future, each
//     within `leeway` of `now`;
//   - "sub" (the name: the agent id for agents), "role" and "domain" make a valid Identity
//     (identity.h).
//
//   TokenSettings settings;
//   settings.public_key_files = {"/etc/caserouter/tokens/issuer.pub"};
//   absl::StatusOr<std::unique_ptr<TokenVerifier>> verifier = TokenVerifier::Load(settings);
//   absl::StatusOr<Identity> who = (*verifier)->Verify(token, absl::Now());
//
// Errors: Load gives INVALID_ARGUMENT naming the file that is not a PEM public key, NOT_FOUND
// for a file it cannot read. Verify gives UNAUTHENTICATED with a reason that never quotes the
// token or its claims.
//
// Verified tokens are remembered (up to kCacheEntries, then the memory starts afresh) until
// they expire, so a caller's calls after its first cost a lookup, not a signature check.
// Thread safety: Verify may run on any thread at once; the verifier is immutable but for
// that cache (under a mutex). A key rotation builds a new verifier (call_gate.h).
#ifndef CASEROUTER_ROUTER_SERVICE_TOKEN_VERIFIER_H_
#define CASEROUTER_ROUTER_SERVICE_TOKEN_VERIFIER_H_

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "router/service/identity.h"

namespace caserouter {

struct TokenSettings {
  // PEM public keys (SubjectPublicKeyInfo, EC or RSA); a token signed by any of them passes.
  std::vector<std::string> public_key_files;
  std::string issuer = "caserouter";
  std::string audience = "caserouter";
  // Clock skew allowed between the issuer and the router.
  absl::Duration leeway = absl::Seconds(30);
};

// The largest token the router reads; a longer one is refused before it is decoded.
inline constexpr size_t kMaxTokenBytes = 8192;

class TokenVerifier {
 public:
  static constexpr size_t kCacheEntries = 4096;

  // Reads the key files.
  static absl::StatusOr<std::unique_ptr<TokenVerifier>> Load(const TokenSettings& settings);
  // The same from PEM text (`public_keys` in the order of settings.public_key_files, which
  // only name them in errors).
  static absl::StatusOr<std::unique_ptr<TokenVerifier>> FromKeys(
      const TokenSettings& settings, std::vector<std::string> public_keys);

  absl::StatusOr<Identity> Verify(absl::string_view token, absl::Time now) const;

  size_t key_count() const { return keys_.size(); }

 private:
  struct Remembered {
    Identity identity;
    absl::Time expires;
    absl::Time not_before;
  };

  TokenVerifier(TokenSettings settings, std::vector<std::string> keys)
      : settings_(std::move(settings)), keys_(std::move(keys)) {}

  absl::StatusOr<Remembered> Decode(const std::string& token, absl::Time now) const;

  const TokenSettings settings_;
  const std::vector<std::string> keys_;
  mutable absl::Mutex mu_;
  mutable absl::flat_hash_map<std::string, Remembered> cache_ ABSL_GUARDED_BY(mu_);
};

}  // namespace caserouter

#endif  // CASEROUTER_ROUTER_SERVICE_TOKEN_VERIFIER_H_
