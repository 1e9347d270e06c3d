#include "router/service/token_verifier.h"

#include <jwt.h>

#include <cerrno>
#include <fstream>
#include <sstream>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace caserouter {
namespace {

absl::Status Refused(absl::string_view why) {
  return absl::UnauthenticatedError(absl::StrCat("token: ", why));
}

// The algorithms a public key can verify. HS* would take the key as an HMAC secret.
bool AcceptedAlgorithm(jwt_alg_t alg) {
  switch (alg) {
    case JWT_ALG_RS256:
    case JWT_ALG_RS384:
    case JWT_ALG_RS512:
    case JWT_ALG_ES256:
    case JWT_ALG_ES384:
    case JWT_ALG_ES512:
      return true;
    default:
      return false;
  }
}

// A JWS compact serialization: three base64url parts. Checked before libjwt sees it, so
// that what reaches the decoder is at most kMaxTokenBytes of plain ASCII.
bool LooksLikeJws(absl::string_view token) {
  if (token.empty() || token.size() > kMaxTokenBytes) return false;
  int dots = 0;
  for (char c : token) {
    if (c == '.') {
      ++dots;
    } else if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                 c == '-' || c == '_')) {
      return false;
    }
  }
  return dots == 2;
}

struct JwtDeleter {
  void operator()(jwt_t* jwt) const { jwt_free(jwt); }
};
using JwtPtr = std::unique_ptr<jwt_t, JwtDeleter>;

// A numeric date claim; `present` false when the token does not carry it.
absl::Status DateClaim(jwt_t* jwt, const char* name, bool* present, absl::Time* out) {
  errno = 0;
  long value = jwt_get_grant_int(jwt, name);
  if (errno == ENOENT) {
    *present = false;
    return absl::OkStatus();
  }
  if (errno != 0) return Refused(absl::StrCat("\"", name, "\" is not a number"));
  *present = true;
  *out = absl::FromUnixSeconds(value);
  return absl::OkStatus();
}

std::string Claim(jwt_t* jwt, const char* name) {
  const char* value = jwt_get_grant(jwt, name);
  return value == nullptr ? std::string() : std::string(value);
}

}  // namespace

absl::StatusOr<std::unique_ptr<TokenVerifier>> TokenVerifier::Load(const TokenSettings& settings) {
  std::vector<std::string> keys;
  for (const std::string& path : settings.public_key_files) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return absl::NotFoundError(absl::StrCat("jwt_public_keys: cannot read ", path));
    std::ostringstream text;
    text << in.rdbuf();
    keys.push_back(text.str());
  }
  return FromKeys(settings, std::move(keys));
}

absl::StatusOr<std::unique_ptr<TokenVerifier>> TokenVerifier::FromKeys(
    const TokenSettings& settings, std::vector<std::string> public_keys) {
  if (public_keys.empty()) return absl::InvalidArgumentError("jwt_public_keys: no key given");
  for (size_t i = 0; i < public_keys.size(); ++i) {
    const std::string name =
        i < settings.public_key_files.size() ? settings.public_key_files[i] : absl::StrCat("#", i);
    // A private key here would be a leak waiting to happen, and cannot verify anyway.
    if (!absl::StrContains(public_keys[i], "-----BEGIN PUBLIC KEY-----") ||
        absl::StrContains(public_keys[i], "PRIVATE KEY")) {
      return absl::InvalidArgumentError(
          absl::StrCat("jwt_public_keys: ", name, " is not a PEM public key"));
    }
  }
  if (settings.issuer.empty()) return absl::InvalidArgumentError("jwt_issuer: required");
  if (settings.audience.empty()) return absl::InvalidArgumentError("jwt_audience: required");
  return std::unique_ptr<TokenVerifier>(new TokenVerifier(settings, std::move(public_keys)));
}

absl::StatusOr<TokenVerifier::Remembered> TokenVerifier::Decode(const std::string& token,
                                                                absl::Time now) const {
  JwtPtr jwt;
  for (const std::string& key : keys_) {
    jwt_t* decoded = nullptr;
    if (jwt_decode(&decoded, token.c_str(), reinterpret_cast<const unsigned char*>(key.data()),
                   static_cast<int>(key.size())) == 0) {
      jwt.reset(decoded);
      break;
    }
    if (decoded != nullptr) jwt_free(decoded);
  }
  if (jwt == nullptr) return Refused("bad signature or not a JWT");
  if (!AcceptedAlgorithm(jwt_get_alg(jwt.get()))) {
    return Refused("signed with an algorithm the router does not accept (ES* or RS* only)");
  }
  if (Claim(jwt.get(), "iss") != settings_.issuer) return Refused("wrong issuer (\"iss\")");
  if (Claim(jwt.get(), "aud") != settings_.audience) return Refused("wrong audience (\"aud\")");
  Remembered out;
  bool present = false;
  if (absl::Status s = DateClaim(jwt.get(), "exp", &present, &out.expires); !s.ok()) return s;
  if (!present) return Refused("no expiry (\"exp\"): tokens must expire");
  if (now > out.expires + settings_.leeway) return Refused("expired");
  out.not_before = absl::InfinitePast();
  for (const char* name : {"nbf", "iat"}) {
    absl::Time at;
    if (absl::Status s = DateClaim(jwt.get(), name, &present, &at); !s.ok()) return s;
    if (present && at - settings_.leeway > now) return Refused("not valid yet");
    if (present && at > out.not_before) out.not_before = at;
  }
  absl::StatusOr<Identity> identity =
      MakeIdentity("token", Claim(jwt.get(), "domain"), Claim(jwt.get(), "role"),
                   Claim(jwt.get(), "sub"), CredentialKind::kToken);
  if (!identity.ok()) return absl::UnauthenticatedError(identity.status().message());
  out.identity = *std::move(identity);
  return out;
}

absl::StatusOr<Identity> TokenVerifier::Verify(absl::string_view token, absl::Time now) const {
  if (!LooksLikeJws(token)) return Refused("not a JWT");
  std::string key(token);
  {
    absl::MutexLock lock(&mu_);
    auto it = cache_.find(key);
    if (it != cache_.end()) {
      if (now > it->second.expires + settings_.leeway) {
        cache_.erase(it);
        return Refused("expired");
      }
      if (it->second.not_before - settings_.leeway <= now) return it->second.identity;
    }
  }
  absl::StatusOr<Remembered> decoded = Decode(key, now);
  if (!decoded.ok()) return decoded.status();
  Identity identity = decoded->identity;
  absl::MutexLock lock(&mu_);
  if (cache_.size() >= kCacheEntries) cache_.clear();
  cache_.emplace(std::move(key), *std::move(decoded));
  return identity;
}

}  // namespace caserouter
