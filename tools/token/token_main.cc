// caserouter-token: issues bearer tokens for caserouter callers, signed with the issuer's
// private key (the router holds only the public key: --jwt_public_keys).
//
//   openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out issuer.key
//   openssl pkey -in issuer.key -pubout -out issuer.pub        # for the router
//   caserouter-token --key=issuer.key --role=agent --name=ana --ttl=8h > ana.jwt
//   caserouter-token --key=issuer.key --role=agent --names=agent-1,agent-2 --out_dir=tokens
//       writes tokens/agent-1.jwt and tokens/agent-2.jwt (mode 0600)
//
// Tokens are files, never flags: a client reads its token with --token_file.
// Exit codes: 0 issued, 2 bad flags or key.
#include <sys/stat.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "tools/token/token_signer.h"

ABSL_FLAG(std::string, key, "", "the issuer's private key (PEM file)");
ABSL_FLAG(std::string, algorithm, "ES256", "JWS algorithm: ES256 (EC P-256 key), RS256 (RSA)...");
ABSL_FLAG(std::string, role, "", "adapter, agent, supervisor or viewer");
ABSL_FLAG(std::string, name, "", "the caller's name (for agents: the agent id)");
ABSL_FLAG(std::string, names, "", "several callers of the same role, comma-separated");
ABSL_FLAG(std::string, domain, "default", "the routing domain the token is for");
ABSL_FLAG(absl::Duration, ttl, absl::Hours(8), "how long the token is valid");
ABSL_FLAG(std::string, issuer, "caserouter", "the \"iss\" claim (the router's --jwt_issuer)");
ABSL_FLAG(std::string, audience, "caserouter", "the \"aud\" claim (the router's --jwt_audience)");
ABSL_FLAG(std::string, out_dir, "", "write <name>.jwt files here instead of printing one token");

namespace caserouter {
namespace {

constexpr int kExitBad = 2;

int Fail(const std::string& message) {
  absl::FPrintF(stderr, "caserouter-token: %s\n", message);
  return kExitBad;
}

int Main(int argc, char** argv) {
  absl::SetProgramUsageMessage("caserouter-token: issues bearer tokens for caserouter callers.");
  absl::ParseCommandLine(argc, argv);
  std::ifstream in(absl::GetFlag(FLAGS_key), std::ios::binary);
  if (absl::GetFlag(FLAGS_key).empty() || !in) return Fail("--key: cannot read the key file");
  std::ostringstream key;
  key << in.rdbuf();

  std::vector<std::string> names;
  if (!absl::GetFlag(FLAGS_name).empty()) names.push_back(absl::GetFlag(FLAGS_name));
  for (absl::string_view n : absl::StrSplit(absl::GetFlag(FLAGS_names), ',', absl::SkipEmpty())) {
    names.emplace_back(n);
  }
  if (names.empty()) return Fail("--name or --names: required");
  const std::string out_dir = absl::GetFlag(FLAGS_out_dir);
  if (names.size() > 1 && out_dir.empty()) return Fail("--out_dir: required with several names");
  if (absl::GetFlag(FLAGS_ttl) <= absl::ZeroDuration()) return Fail("--ttl: must be positive");

  const absl::Time now = absl::Now();
  for (const std::string& name : names) {
    TokenClaims claims;
    claims.issuer = absl::GetFlag(FLAGS_issuer);
    claims.audience = absl::GetFlag(FLAGS_audience);
    claims.subject = name;
    claims.role = absl::GetFlag(FLAGS_role);
    claims.domain = absl::GetFlag(FLAGS_domain);
    claims.issued = now;
    claims.expires = now + absl::GetFlag(FLAGS_ttl);
    absl::StatusOr<std::string> token =
        SignToken(claims, key.str(), absl::GetFlag(FLAGS_algorithm));
    if (!token.ok()) return Fail(std::string(token.status().message()));
    if (out_dir.empty()) {
      absl::PrintF("%s\n", *token);
      continue;
    }
    const std::string path = absl::StrCat(out_dir, "/", name, ".jwt");
    const mode_t old_mask = umask(077);  // a token is a secret: owner only
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    umask(old_mask);
    out << *token << "\n";
    if (!out) return Fail(absl::StrCat("cannot write ", path));
  }
  return 0;
}

}  // namespace
}  // namespace caserouter

int main(int argc, char** argv) { return caserouter::Main(argc, argv); }
