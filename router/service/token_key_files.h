// TokenKeyFiles: the token verifier's public keys, read again when their files change, so a
// key rotation needs no restart.
//
// Rotation (docs/security.md): add the new public key beside the old one, issue tokens with
// the new private key, and remove the old key once the last token it signed has expired.
// A file counts as changed when its modification time, size or inode differs (a Kubernetes
// Secret volume swaps a symlink, which changes the inode).
//
//   TokenKeyFiles keys(settings);
//   absl::StatusOr<std::shared_ptr<const TokenVerifier>> v = keys.Reload();   // first: loads
//   ... later, periodically:
//   v = keys.Reload();   // nullptr when nothing changed; an error keeps the previous keys
//
// Thread safety: call from one thread at a time (the server's watcher).
#ifndef CASEROUTER_ROUTER_SERVICE_TOKEN_KEY_FILES_H_
#define CASEROUTER_ROUTER_SERVICE_TOKEN_KEY_FILES_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "router/service/token_verifier.h"

namespace caserouter {

class TokenKeyFiles {
 public:
  explicit TokenKeyFiles(TokenSettings settings) : settings_(std::move(settings)) {}

  // A new verifier when the files changed since the last successful load (or at the first
  // call), nullptr when they did not; the loader's error when they cannot be read.
  absl::StatusOr<std::shared_ptr<const TokenVerifier>> Reload();

 private:
  std::string Fingerprint() const;

  const TokenSettings settings_;
  std::string loaded_;  // fingerprint of the files last loaded
};

}  // namespace caserouter

#endif  // CASEROUTER_ROUTER_SERVICE_TOKEN_KEY_FILES_H_
