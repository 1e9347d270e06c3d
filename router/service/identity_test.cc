#include "router/service/identity.h"

#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "gtest/gtest.h"
#include "router/service/access_rules.h"

#ifndef CASEROUTER_SOURCE_DIR
#error "CASEROUTER_SOURCE_DIR must name the source tree (for docs/security.md)"
#endif

namespace caserouter {
namespace {

TEST(IdentityTest, ACertificateUriNamesDomainRoleAndName) {
  absl::StatusOr<Identity> who = IdentityFromCertificateUri("caserouter://default/agent/ana.b-1");
  ASSERT_TRUE(who.ok()) << who.status();
  EXPECT_EQ(who->role, Role::kAgent);
  EXPECT_EQ(who->name, "ana.b-1");
  EXPECT_EQ(who->domain, "default");
  EXPECT_EQ(who->credential, CredentialKind::kCertificate);
  EXPECT_EQ(who->Label(), "agent:ana.b-1");
}

TEST(IdentityTest, MalformedUrisAreRefusedWithoutQuotingThem) {
  for (const char* uri : {"spiffe://default/agent/ana", "caserouter://default/agent",
                          "caserouter://default/agent/ana/extra", "caserouter://default/root/ana",
                          "caserouter://Default/agent/ana", "caserouter://default/agent/an a",
                          "caserouter:///agent/ana", "caserouter://default/agent/"}) {
    absl::StatusOr<Identity> who = IdentityFromCertificateUri(uri);
    EXPECT_EQ(who.status().code(), absl::StatusCode::kInvalidArgument) << uri;
    EXPECT_EQ(who.status().message().find("ana"), absl::string_view::npos) << uri;
  }
}

TEST(IdentityTest, RoleNamesRoundTrip) {
  for (Role role : kAllRoles) EXPECT_EQ(RoleFromName(RoleName(role)), role);
  EXPECT_FALSE(RoleFromName("admin").has_value());
  EXPECT_FALSE(RoleFromName("").has_value());
}

TEST(AccessRulesTest, EachRpcAllowsExactlyItsRoles) {
  // The table of docs/security.md, role by role.
  struct Row {
    Rpc rpc;
    bool adapter, agent, supervisor, viewer;
  };
  const Row rows[] = {
      {Rpc::kSubmitCase, true, false, false, false},
      {Rpc::kAddMessage, true, false, false, false},
      {Rpc::kCancelCase, true, false, false, false},
      {Rpc::kGetCase, true, true, true, false},
      {Rpc::kConnect, false, true, false, false},
      {Rpc::kCreateAgent, false, false, true, false},
      {Rpc::kUpdateAgent, false, false, true, false},
      {Rpc::kDeleteAgent, false, false, true, false},
      {Rpc::kReloadConfiguration, false, false, true, false},
      {Rpc::kListQueue, false, false, true, true},
      {Rpc::kListAgents, false, false, true, true},
      {Rpc::kExplainDecision, false, false, true, true},
      {Rpc::kGetBenchmarkReport, false, false, true, false},  // issue 17
      {Rpc::kSetAgentPresence, false, false, true, false},
      {Rpc::kEndAgentSession, false, false, true, false},
      {Rpc::kAssignCase, false, false, true, false},
      {Rpc::kUpdateWaitingCase, false, false, true, false},
      {Rpc::kListCasesNeedingSupervisor, false, false, true, false},
      {Rpc::kTakeOverCase, false, false, true, false},
      {Rpc::kListAgentCases, false, false, true, false},
      {Rpc::kFollowCases, true, false, false, false},
      {Rpc::kWatchDomainEvents, false, false, true, false},
  };
  ASSERT_EQ(std::size(rows), static_cast<size_t>(kRpcCount));
  for (const Row& row : rows) {
    EXPECT_EQ(Authorize(Role::kAdapter, row.rpc).ok(), row.adapter) << RpcMethodName(row.rpc);
    EXPECT_EQ(Authorize(Role::kAgent, row.rpc).ok(), row.agent) << RpcMethodName(row.rpc);
    EXPECT_EQ(Authorize(Role::kSupervisor, row.rpc).ok(), row.supervisor) << RpcMethodName(row.rpc);
    EXPECT_EQ(Authorize(Role::kViewer, row.rpc).ok(), row.viewer) << RpcMethodName(row.rpc);
  }
  absl::Status denied = Authorize(Role::kViewer, Rpc::kCreateAgent);
  EXPECT_EQ(denied.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(denied.message(), "CreateAgent needs the role supervisor; the caller is viewer");
}

TEST(AccessRulesTest, RulesAreInRpcOrder) {
  for (int i = 0; i < kRpcCount; ++i) EXPECT_EQ(static_cast<int>(AccessRules()[i].rpc), i);
}

// docs/security.md prints the table; it must say what the router enforces.
TEST(AccessRulesTest, TheSecurityDocumentPrintsTheSameTable) {
  std::ifstream in(CASEROUTER_SOURCE_DIR "/docs/security.md");
  ASSERT_TRUE(in) << "docs/security.md";
  std::map<std::string, std::string> documented;  // "CaseIntakeService.SubmitCase" -> roles
  std::string line;
  while (std::getline(in, line)) {
    std::vector<std::string> cells = absl::StrSplit(line, '|');
    if (cells.size() != 4) continue;
    absl::string_view rpc = absl::StripAsciiWhitespace(cells[1]);
    if (!absl::ConsumePrefix(&rpc, "`") || !absl::ConsumeSuffix(&rpc, "`")) continue;
    documented[std::string(rpc)] = std::string(absl::StripAsciiWhitespace(cells[2]));
  }
  for (const RpcRule& rule : AccessRules()) {
    std::vector<std::string> roles;
    for (Role role : kAllRoles) {
      if (!rule.allowed[static_cast<int>(role)]) continue;
      roles.push_back(role == Role::kAgent && rule.own_only_for_agents
                          ? "agent (own)"
                          : std::string(RoleName(role)));
    }
    const std::string name = absl::StrCat(rule.service, ".", rule.method);
    ASSERT_TRUE(documented.count(name)) << name << " is missing from docs/security.md";
    EXPECT_EQ(documented[name], absl::StrJoin(roles, ", ")) << name;
  }
}

}  // namespace
}  // namespace caserouter
