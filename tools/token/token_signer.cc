#include "tools/token/token_signer.h"

#include <jwt.h>

#include <cstdlib>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace caserouter {

absl::StatusOr<std::string> SignToken(const TokenClaims& claims, absl::string_view private_key_pem,
                                      absl::string_view algorithm) {
  const std::string alg_name(algorithm);
  const jwt_alg_t alg = jwt_str_alg(alg_name.c_str());
  if (alg == JWT_ALG_INVAL || alg == JWT_ALG_NONE) {
    return absl::InvalidArgumentError(absl::StrCat("algorithm: unknown ", algorithm));
  }
  jwt_t* raw = nullptr;
  if (jwt_new(&raw) != 0) return absl::InternalError("jwt_new failed");
  std::unique_ptr<jwt_t, void (*)(jwt_t*)> jwt(raw, jwt_free);
  const std::string key(private_key_pem);
  bool ok = jwt_set_alg(jwt.get(), alg, reinterpret_cast<const unsigned char*>(key.data()),
                        static_cast<int>(key.size())) == 0;
  ok = ok && jwt_add_grant(jwt.get(), "iss", claims.issuer.c_str()) == 0;
  ok = ok && jwt_add_grant(jwt.get(), "aud", claims.audience.c_str()) == 0;
  ok = ok && jwt_add_grant(jwt.get(), "sub", claims.subject.c_str()) == 0;
  ok = ok && jwt_add_grant(jwt.get(), "role", claims.role.c_str()) == 0;
  ok = ok && jwt_add_grant(jwt.get(), "domain", claims.domain.c_str()) == 0;
  ok = ok && jwt_add_grant_int(jwt.get(), "exp", absl::ToUnixSeconds(claims.expires)) == 0;
  if (claims.issued != absl::InfinitePast()) {
    ok = ok && jwt_add_grant_int(jwt.get(), "iat", absl::ToUnixSeconds(claims.issued)) == 0;
  }
  if (!ok) return absl::InvalidArgumentError("token: cannot set the claims or the key");
  char* encoded = jwt_encode_str(jwt.get());
  if (encoded == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("key: cannot sign with it as ", algorithm, " (wrong key type?)"));
  }
  std::string token(encoded);
  std::free(encoded);
  return token;
}

}  // namespace caserouter
