#include "tests/support/test_credentials.h"

#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "tests/support/redis_server.h"
#include "tools/token/token_signer.h"

namespace caserouter {
namespace {

absl::StatusOr<std::string> FindOpenssl() {
  if (const char* path = std::getenv("PATH"); path != nullptr) {
    for (absl::string_view dir : absl::StrSplit(path, ':', absl::SkipEmpty())) {
      std::string candidate = absl::StrCat(dir, "/openssl");
      if (access(candidate.c_str(), X_OK) == 0) return candidate;
    }
  }
  if (ServersRequired()) {
    return absl::FailedPreconditionError(
        "openssl not found on PATH and CASEROUTER_REQUIRE_SERVERS=1 (install openssl)");
  }
  return absl::NotFoundError("openssl not found on PATH (install openssl to run this test)");
}

void WriteFile(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
}

}  // namespace

std::string ReadFileText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

absl::StatusOr<std::unique_ptr<TestCredentials>> TestCredentials::Create(std::string domain) {
  absl::StatusOr<std::string> openssl = FindOpenssl();
  if (!openssl.ok()) return openssl.status();
  std::string pattern = (std::filesystem::temp_directory_path() / "caserouter-tls-XXXXXX");
  if (mkdtemp(pattern.data()) == nullptr) {
    return absl::InternalError(absl::StrCat("mkdtemp: ", std::strerror(errno)));
  }
  std::unique_ptr<TestCredentials> creds(
      new TestCredentials(std::move(domain), pattern, *std::move(openssl)));
  if (absl::Status s = creds->Generate(); !s.ok()) return s;
  return creds;
}

absl::StatusOr<TestCredentials*> TestCredentials::Shared() {
  static absl::StatusOr<std::unique_ptr<TestCredentials>>* shared =
      new absl::StatusOr<std::unique_ptr<TestCredentials>>(Create("e2e"));
  if (!shared->ok()) return shared->status();
  return shared->value().get();
}

TestCredentials::~TestCredentials() {
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

std::string TestCredentials::ca_pem() const { return ReadFileText(ca_file()); }

absl::Status TestCredentials::Openssl(const std::vector<std::string>& args) const {
  std::vector<std::string> all = {openssl_};
  all.insert(all.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& a : all) argv.push_back(a.data());
  argv.push_back(nullptr);
  const std::string log = dir_ + "/openssl.log";
  int log_fd = open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (log_fd < 0) return absl::InternalError(absl::StrCat("open ", log));
  const pid_t parent = getpid();
  pid_t pid = fork();
  if (pid < 0) {
    close(log_fd);
    return absl::InternalError(absl::StrCat("fork: ", std::strerror(errno)));
  }
  if (pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(127);
    int devnull = open("/dev/null", O_RDONLY);
    if (devnull >= 0) dup2(devnull, STDIN_FILENO);
    dup2(log_fd, STDOUT_FILENO);
    dup2(log_fd, STDERR_FILENO);
    execv(argv[0], argv.data());
    _exit(127);
  }
  close(log_fd);
  int status = 0;
  waitpid(pid, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return absl::InternalError(
        absl::StrCat("openssl ", args.empty() ? "" : args[0], " failed: ", ReadFileText(log)));
  }
  return absl::OkStatus();
}

absl::Status TestCredentials::MakeIssuerKey(const std::string& name) const {
  const std::string key = absl::StrCat(dir_, "/", name, ".key");
  if (absl::Status s = Openssl(
          {"genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", key});
      !s.ok()) {
    return s;
  }
  return Openssl({"pkey", "-in", key, "-pubout", "-out", absl::StrCat(dir_, "/", name, ".pub")});
}

absl::Status TestCredentials::Generate() {
  for (const char* ca : {"ca", "untrusted-ca"}) {
    if (absl::Status s =
            Openssl({"req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                     "-nodes", "-keyout", absl::StrCat(dir_, "/", ca, ".key"), "-out",
                     absl::StrCat(dir_, "/", ca, ".crt"), "-days", "2", "-subj",
                     absl::StrCat("/CN=caserouter test ", ca), "-addext",
                     "basicConstraints=critical,CA:TRUE", "-addext",
                     "keyUsage=critical,keyCertSign,cRLSign"});
        !s.ok()) {
      return s;
    }
  }
  // The server: SANs for both ways a test dials it.
  WriteFile(dir_ + "/server.ext",
            "subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n"
            "keyUsage=critical,digitalSignature\n");
  if (absl::Status s = Openssl({"req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                                "-nodes", "-keyout", server_key_file(), "-out",
                                dir_ + "/server.csr", "-subj", "/CN=localhost"});
      !s.ok()) {
    return s;
  }
  if (absl::Status s =
          Openssl({"x509", "-req", "-in", dir_ + "/server.csr", "-CA", ca_file(), "-CAkey",
                   dir_ + "/ca.key", "-CAcreateserial", "-out", server_cert_file(), "-days", "2",
                   "-extfile", dir_ + "/server.ext"});
      !s.ok()) {
    return s;
  }
  return MakeIssuerKey("issuer");
}

absl::StatusOr<TestCredentials::Pair> TestCredentials::Issue(const std::string& ca,
                                                             const std::string& role,
                                                             const std::string& name,
                                                             const std::string& domain) {
  const std::string base = absl::StrCat(dir_, "/client-", ca, "-", domain, "-", role, "-", name);
  WriteFile(base + ".ext",
            absl::StrCat("subjectAltName=URI:caserouter://", domain, "/", role, "/", name,
                         "\nextendedKeyUsage=clientAuth\n"
                         "keyUsage=critical,digitalSignature\n"));
  if (absl::Status s = Openssl({"req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                                "-nodes", "-keyout", base + ".key", "-out", base + ".csr", "-subj",
                                absl::StrCat("/CN=", role, "-", name)});
      !s.ok()) {
    return s;
  }
  if (absl::Status s =
          Openssl({"x509", "-req", "-in", base + ".csr", "-CA", absl::StrCat(dir_, "/", ca, ".crt"),
                   "-CAkey", absl::StrCat(dir_, "/", ca, ".key"), "-CAcreateserial", "-out",
                   base + ".crt", "-days", "2", "-extfile", base + ".ext"});
      !s.ok()) {
    return s;
  }
  Pair pair;
  pair.cert_file = base + ".crt";
  pair.key_file = base + ".key";
  pair.cert_pem = ReadFileText(pair.cert_file);
  pair.key_pem = ReadFileText(pair.key_file);
  return pair;
}

absl::StatusOr<TestCredentials::Pair> TestCredentials::ClientCertificate(
    const std::string& role, const std::string& name, const std::string& domain) {
  const std::string d = domain.empty() ? domain_ : domain;
  const std::string key = absl::StrCat("ca/", d, "/", role, "/", name);
  absl::MutexLock lock(&mu_);
  if (auto it = issued_.find(key); it != issued_.end()) return it->second;
  absl::StatusOr<Pair> pair = Issue("ca", role, name, d);
  if (pair.ok()) issued_[key] = *pair;
  return pair;
}

absl::StatusOr<TestCredentials::Pair> TestCredentials::UntrustedServerCertificate() {
  absl::MutexLock lock(&mu_);
  const std::string base = dir_ + "/server-untrusted";
  if (absl::Status s =
          Openssl({"req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                   "-keyout", base + ".key", "-out", base + ".csr", "-subj", "/CN=localhost"});
      !s.ok()) {
    return s;
  }
  if (absl::Status s = Openssl({"x509", "-req", "-in", base + ".csr", "-CA", untrusted_ca_file(),
                                "-CAkey", dir_ + "/untrusted-ca.key", "-CAcreateserial", "-out",
                                base + ".crt", "-days", "2", "-extfile", dir_ + "/server.ext"});
      !s.ok()) {
    return s;
  }
  Pair pair;
  pair.cert_file = base + ".crt";
  pair.key_file = base + ".key";
  pair.cert_pem = ReadFileText(pair.cert_file);
  pair.key_pem = ReadFileText(pair.key_file);
  return pair;
}

absl::StatusOr<TestCredentials::Pair> TestCredentials::UntrustedClientCertificate(
    const std::string& role, const std::string& name) {
  absl::MutexLock lock(&mu_);
  return Issue("untrusted-ca", role, name, domain_);
}

std::string TestCredentials::TokenSignedBy(const std::string& key_file, const std::string& role,
                                           const std::string& name) const {
  TokenClaims claims;
  claims.role = role;
  claims.subject = name;
  claims.domain = domain_;
  claims.issued = absl::Now() - absl::Hours(1);
  claims.expires = absl::Now() + absl::Hours(2);
  absl::StatusOr<std::string> token = SignToken(claims, ReadFileText(key_file));
  return token.ok() ? *token : std::string();
}

std::string TestCredentials::Token(const std::string& role, const std::string& name,
                                   absl::Duration ttl, const std::string& domain) const {
  TokenClaims claims;
  claims.role = role;
  claims.subject = name;
  claims.domain = domain.empty() ? domain_ : domain;
  claims.issued = absl::Now() - absl::Hours(1);
  claims.expires = absl::Now() - absl::Hours(1) + ttl;
  absl::StatusOr<std::string> token = SignToken(claims, ReadFileText(issuer_private_key_file()));
  return token.ok() ? *token : std::string();
}

std::string TestCredentials::ForeignToken(const std::string& role, const std::string& name) const {
  const std::string foreign = dir_ + "/foreign.key";
  if (access(foreign.c_str(), R_OK) != 0 && !MakeIssuerKey("foreign").ok()) return "";
  return TokenSignedBy(foreign, role, name);
}

}  // namespace caserouter
