// TestCredentials: the certificates and token keys a test router and its clients use, made at
// run time with the openssl command (never committed), in a temp dir of their own.
//
// One CA signs the server's certificate (SANs DNS:localhost and IP:127.0.0.1, so clients
// dial 127.0.0.1 and verify it) and the client certificates, each with the URI SAN
// caserouter://<domain>/<role>/<name> (identity.h). An EC P-256 key pair is the token
// issuer: the router gets the public key, Token() signs with the private one.
//
//   absl::StatusOr<TestCredentials*> creds = TestCredentials::Shared();   // domain "e2e"
//   options.transport.cert_file = (*creds)->server_cert_file(); ...
//   std::string token = (*creds)->Token("agent", "ana");
//   absl::StatusOr<TestCredentials::Pair> cert = (*creds)->ClientCertificate("agent", "ana");
//
// Errors: NOT_FOUND when openssl is not on PATH (the caller skips, saying so) —
// FAILED_PRECONDITION instead when ServersRequired(); INTERNAL when a command fails (the
// message holds the end of its output). Thread safety: all methods are thread-safe.
#ifndef CASEROUTER_TESTS_SUPPORT_TEST_CREDENTIALS_H_
#define CASEROUTER_TESTS_SUPPORT_TEST_CREDENTIALS_H_

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace caserouter {

class TestCredentials {
 public:
  // A certificate and its key, as PEM files and as text.
  struct Pair {
    std::string cert_file;
    std::string key_file;
    std::string cert_pem;
    std::string key_pem;
  };

  static absl::StatusOr<std::unique_ptr<TestCredentials>> Create(std::string domain = "e2e");
  // One instance for the whole test process (domain "e2e"), made on first use.
  static absl::StatusOr<TestCredentials*> Shared();
  ~TestCredentials();

  const std::string& domain() const { return domain_; }
  const std::string& dir() const { return dir_; }
  std::string ca_file() const { return dir_ + "/ca.crt"; }
  std::string ca_pem() const;
  std::string server_cert_file() const { return dir_ + "/server.crt"; }
  std::string server_key_file() const { return dir_ + "/server.key"; }
  std::string issuer_public_key_file() const { return dir_ + "/issuer.pub"; }
  std::string issuer_private_key_file() const { return dir_ + "/issuer.key"; }

  // A client certificate naming caserouter://<domain>/<role>/<name> (domain "" = ours),
  // signed by our CA; made on first request and kept.
  absl::StatusOr<Pair> ClientCertificate(const std::string& role, const std::string& name,
                                         const std::string& domain = "");
  // A server certificate (SANs as the server's) from the CA the router does not trust, and
  // that CA: for reloading the server's certificate.
  absl::StatusOr<Pair> UntrustedServerCertificate();
  std::string untrusted_ca_file() const { return dir_ + "/untrusted-ca.crt"; }
  // A certificate for the same identity from a CA the router does not trust.
  absl::StatusOr<Pair> UntrustedClientCertificate(const std::string& role, const std::string& name);
  // A bearer token for role and name (domain "" = ours), valid from an hour ago for `ttl`.
  std::string Token(const std::string& role, const std::string& name,
                    absl::Duration ttl = absl::Hours(2), const std::string& domain = "") const;
  // A token signed by a key the router does not know.
  std::string ForeignToken(const std::string& role, const std::string& name) const;
  // Makes another issuer key pair in dir(), named `name` (name.key, name.pub).
  absl::Status MakeIssuerKey(const std::string& name) const;
  // A token signed with the private key file `key_file`.
  std::string TokenSignedBy(const std::string& key_file, const std::string& role,
                            const std::string& name) const;

 private:
  TestCredentials(std::string domain, std::string dir, std::string openssl)
      : domain_(std::move(domain)), dir_(std::move(dir)), openssl_(std::move(openssl)) {}
  absl::Status Generate();
  absl::Status Openssl(const std::vector<std::string>& args) const;
  absl::StatusOr<Pair> Issue(const std::string& ca, const std::string& role,
                             const std::string& name, const std::string& domain);

  const std::string domain_;
  const std::string dir_;
  const std::string openssl_;
  absl::Mutex mu_;
  std::map<std::string, Pair> issued_ ABSL_GUARDED_BY(mu_);
};

// The contents of a file ("" when it cannot be read).
std::string ReadFileText(const std::string& path);

}  // namespace caserouter

#endif  // CASEROUTER_TESTS_SUPPORT_TEST_CREDENTIALS_H_
