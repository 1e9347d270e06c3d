#include "router/service/token_verifier.h"

#include <string>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "tests/support/test_credentials.h"
#include "tools/token/token_signer.h"

namespace caserouter {
namespace {

class TokenVerifierTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<TestCredentials*> creds = TestCredentials::Shared();
    if (absl::IsNotFound(creds.status())) GTEST_SKIP() << creds.status().message();
    ASSERT_TRUE(creds.ok()) << creds.status();
    creds_ = *creds;
    TokenSettings settings;
    settings.public_key_files = {creds_->issuer_public_key_file()};
    absl::StatusOr<std::unique_ptr<TokenVerifier>> verifier = TokenVerifier::Load(settings);
    ASSERT_TRUE(verifier.ok()) << verifier.status();
    verifier_ = *std::move(verifier);
  }

  TokenClaims Claims() const {
    TokenClaims claims;
    claims.role = "agent";
    claims.subject = "ana";
    claims.domain = "e2e";
    claims.issued = now_ - absl::Minutes(1);
    claims.expires = now_ + absl::Hours(1);
    return claims;
  }

  std::string Sign(const TokenClaims& claims) const {
    absl::StatusOr<std::string> token =
        SignToken(claims, ReadFileText(creds_->issuer_private_key_file()));
    EXPECT_TRUE(token.ok()) << token.status();
    return token.ok() ? *token : "";
  }

  absl::StatusCode Code(const std::string& token) const {
    return verifier_->Verify(token, now_).status().code();
  }

  const absl::Time now_ = absl::FromUnixSeconds(1800000000);
  TestCredentials* creds_ = nullptr;
  std::unique_ptr<TokenVerifier> verifier_;
};

TEST_F(TokenVerifierTest, AValidTokenNamesItsIdentity) {
  absl::StatusOr<Identity> who = verifier_->Verify(Sign(Claims()), now_);
  ASSERT_TRUE(who.ok()) << who.status();
  EXPECT_EQ(who->role, Role::kAgent);
  EXPECT_EQ(who->name, "ana");
  EXPECT_EQ(who->domain, "e2e");
  EXPECT_EQ(who->credential, CredentialKind::kToken);
  // Remembered: the same answer again (from the cache), and still refused once expired.
  EXPECT_TRUE(verifier_->Verify(Sign(Claims()), now_).ok());
  const std::string token = Sign(Claims());
  EXPECT_TRUE(verifier_->Verify(token, now_).ok());
  EXPECT_EQ(verifier_->Verify(token, now_ + absl::Hours(2)).status().code(),
            absl::StatusCode::kUnauthenticated);
}

TEST_F(TokenVerifierTest, ExpiryNotBeforeIssuerAudienceAndClaimsAreChecked) {
  TokenClaims expired = Claims();
  expired.expires = now_ - absl::Minutes(5);
  EXPECT_EQ(Code(Sign(expired)), absl::StatusCode::kUnauthenticated);
  TokenClaims skewed = Claims();
  skewed.expires = now_ - absl::Seconds(10);  // within the 30 s leeway
  EXPECT_TRUE(verifier_->Verify(Sign(skewed), now_).ok());
  TokenClaims future = Claims();
  future.issued = now_ + absl::Hours(1);
  EXPECT_EQ(Code(Sign(future)), absl::StatusCode::kUnauthenticated);
  TokenClaims issuer = Claims();
  issuer.issuer = "someone-else";
  EXPECT_EQ(Code(Sign(issuer)), absl::StatusCode::kUnauthenticated);
  TokenClaims audience = Claims();
  audience.audience = "another-service";
  EXPECT_EQ(Code(Sign(audience)), absl::StatusCode::kUnauthenticated);
  TokenClaims role = Claims();
  role.role = "admin";
  EXPECT_EQ(Code(Sign(role)), absl::StatusCode::kUnauthenticated);
  TokenClaims name = Claims();
  name.subject = "ana\nsmith";
  EXPECT_EQ(Code(Sign(name)), absl::StatusCode::kUnauthenticated);
}

TEST_F(TokenVerifierTest, AnotherKeyAForgedSignatureAndGarbageAreRefused) {
  EXPECT_EQ(Code(creds_->ForeignToken("agent", "ana")), absl::StatusCode::kUnauthenticated);
  // A signature character in the middle (the last one's low bits may be padding: changing
  // it need not change the signature).
  std::string token = Sign(Claims());
  char& c = token[token.rfind('.') + 10];
  c = c == 'A' ? 'B' : 'A';
  EXPECT_EQ(Code(token), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(Code(""), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(Code("not a token"), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(Code(std::string(kMaxTokenBytes + 1, 'a')), absl::StatusCode::kUnauthenticated);
}

// The algorithm-confusion attack: an HS256 token whose HMAC secret is the router's public key
// (which is public) must not pass, nor an unsigned ("none") one.
TEST_F(TokenVerifierTest, HmacWithThePublicKeyAndAlgNoneAreRefused) {
  TokenClaims claims = Claims();
  absl::StatusOr<std::string> hmac =
      SignToken(claims, ReadFileText(creds_->issuer_public_key_file()), "HS256");
  ASSERT_TRUE(hmac.ok()) << hmac.status();
  absl::StatusOr<Identity> who = verifier_->Verify(*hmac, now_);
  EXPECT_EQ(who.status().code(), absl::StatusCode::kUnauthenticated);

  std::vector<std::string> parts = absl::StrSplit(Sign(claims), '.');
  ASSERT_EQ(parts.size(), 3u);
  const std::string none =
      absl::StrCat(absl::WebSafeBase64Escape(R"({"alg":"none","typ":"JWT"})"), ".", parts[1], ".");
  EXPECT_EQ(Code(none), absl::StatusCode::kUnauthenticated);
}

TEST_F(TokenVerifierTest, ErrorsNeverQuoteTheToken) {
  TokenClaims claims = Claims();
  claims.subject = "secret-name!";
  absl::Status s = verifier_->Verify(Sign(claims), now_).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(s.message().find("secret-name"), absl::string_view::npos) << s;
}

TEST(TokenVerifierKeysTest, OnlyPemPublicKeysAreTaken) {
  TokenSettings settings;
  settings.public_key_files = {"a.pem"};
  EXPECT_EQ(TokenVerifier::FromKeys(settings, {"-----BEGIN PRIVATE KEY-----\nxx"}).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(TokenVerifier::FromKeys(settings, {}).status().code(),
            absl::StatusCode::kInvalidArgument);
  settings.public_key_files = {"/nonexistent/key.pub"};
  EXPECT_EQ(TokenVerifier::Load(settings).status().code(), absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace caserouter
